import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from pixeepim.tenancy.models import OrgOwned


class Scope(models.TextChoices):
    """What an API key may do (contract §3)."""

    EXT_PRODUCTS_READ = "ext:products:read"
    EXT_PRODUCTS_WRITE = "ext:products:write"
    PRODUCTS_READ = "products:read"
    PRODUCTS_WRITE = "products:write"
    WORKFLOW_READ = "workflow:read"
    WORKFLOW_WRITE = "workflow:write"
    CONNECTORS_READ = "connectors:read"
    CONNECTORS_WRITE = "connectors:write"
    WINDEV_SYNC = "windev:sync"
    PIM_READ = "pim:read"
    PIM_WRITE = "pim:write"


class RefreshFamily(models.Model):
    """Every refresh token descended from one login. Revoking it ends that session everywhere;
    access tokens carry its id, so they stop working with it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="refresh_families")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]


class RefreshToken(models.Model):
    """One refresh token; only its SHA-256 is stored. ``rotated_at`` set means it was used once
    and replaced: presenting it again is reuse."""

    family = models.ForeignKey(RefreshFamily, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)


class ApiKey(OrgOwned):
    """A machine credential of one organization. The key itself is shown once; we keep its hash."""

    PREFIX_LIVE = "pm_live_"
    PREFIX_TEST = "pm_test_"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    # The first characters of the key, to recognise it in lists without revealing it.
    display_prefix = models.CharField(max_length=20, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    is_test = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def is_usable(self):
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope):
        return scope in self.scopes
