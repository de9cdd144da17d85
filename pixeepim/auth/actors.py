"""Who performed a write, for the audit trail: a user, an API key, or the system (jobs, commands)."""

from dataclasses import dataclass

from pixeepim.auth.authentication import ApiKeyPrincipal


@dataclass(frozen=True)
class Actor:
    user: object = None
    api_key: object = None
    label: str = "system"

    @classmethod
    def of(cls, principal):
        """The actor behind ``request.user`` (a User, an ApiKeyPrincipal, or None)."""
        if isinstance(principal, ApiKeyPrincipal):
            return cls(api_key=principal.api_key, label=f"api-key:{principal.api_key.name}")
        if principal is not None and getattr(principal, "is_authenticated", False):
            return cls(user=principal, label=principal.email)
        return SYSTEM


SYSTEM = Actor()
