"""Organization scoping and access control shared by every org-owned endpoint.

A view over org-owned rows inherits ``OrgScopedMixin``: the request's organization is resolved
once (API key → its organization; user → ``X-Org-ID`` or the default membership), the queryset is
filtered to it, new rows are created in it, and each HTTP method is mapped to the role permission
(users) or scope (API keys) it needs. Rows of another organization are simply not in the
queryset, so they answer 404 like rows that do not exist.
"""

import uuid
from typing import NamedTuple

from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission

from pixeepim.auth.authentication import ApiKeyPrincipal
from pixeepim.tenancy.models import Membership

ORG_HEADER = "X-Org-ID"
TENANT_HEADER = "X-Tenant-ID"


class Access(NamedTuple):
    """What one HTTP method needs: a role permission for users, a scope for API keys.

    ``scope=None`` means API keys may not use the method at all."""

    permission: str
    scope: str | None


def resolve_request_org(request):
    """Sets ``request.org`` and ``request.membership`` (None for API keys) and returns the org."""
    if hasattr(request, "org"):
        return request.org
    user = request.user
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()
    if isinstance(user, ApiKeyPrincipal):
        request.org, request.membership = user.organization, None
        return request.org
    memberships = Membership.objects.select_related("organization__tenant").filter(user=user)
    requested = request.headers.get(ORG_HEADER)
    if requested:
        try:
            requested_id = uuid.UUID(requested)
        except ValueError:
            raise ValidationError({ORG_HEADER: [f"{ORG_HEADER} must be an organization UUID."]}) from None
        membership = memberships.filter(organization_id=requested_id).first()
        if membership is None:
            raise PermissionDenied("You are not a member of the organization named by X-Org-ID.")
    else:
        membership = memberships.order_by("-is_default", "created_at").first()
        if membership is None:
            raise PermissionDenied("You are not a member of any organization.")
    request.org, request.membership = membership.organization, membership
    return request.org


def check_access(request, access):
    """Raises 403 unless the caller holds ``access`` in the request's organization."""
    resolve_request_org(request)
    if request.membership is None:
        api_key = request.user.api_key
        if access.scope is None:
            raise PermissionDenied("API keys cannot use this endpoint; use a user session.")
        if not api_key.has_scope(access.scope):
            raise PermissionDenied(f"This API key lacks the '{access.scope}' scope.")
    elif access.permission not in request.membership.permissions:
        raise PermissionDenied(
            f"Your role ({request.membership.role}) does not grant {access.permission} in this organization."
        )


class HasOrgAccess(BasePermission):
    """Checks the view's ``access`` map ({method: Access}) against the caller's organization."""

    def has_permission(self, request, view):
        if not hasattr(view, request.method.lower()):
            return True  # the view answers 405
        method = "GET" if request.method in ("HEAD", "OPTIONS") else request.method
        access = view.access.get(method)
        if access is None:
            raise PermissionDenied("This method is not available here.")
        check_access(request, access)
        return True


class OrgScopedMixin:
    """Base of every API view over org-owned models (see module docstring).

    Subclasses set ``queryset`` on an ``OrgOwned`` model and ``access``; ``get_queryset`` is the
    scoped one, and a system check refuses views over org-owned models that lack this mixin.
    """

    access: dict[str, Access] = {}

    def get_permissions(self):
        return [*super().get_permissions(), HasOrgAccess()]

    def get_queryset(self):
        return super().get_queryset().for_org(resolve_request_org(self.request))

    def perform_create(self, serializer):
        serializer.save(organization=resolve_request_org(self.request))


def require_tenant_and_org_headers(request):
    """The tenant PIM surface names both explicitly (contract §7): 400 when either is missing or
    malformed, 403 when they do not name the caller's organization and its tenant."""
    errors = {}
    for header in (TENANT_HEADER, ORG_HEADER):
        value = request.headers.get(header)
        if not value:
            errors[header] = [f"The {header} header is required."]
            continue
        try:
            uuid.UUID(value)
        except ValueError:
            errors[header] = [f"{header} must be a UUID."]
    if errors:
        raise ValidationError(errors)
    organization = resolve_request_org(request)
    if str(organization.id) != str(uuid.UUID(request.headers[ORG_HEADER])):
        raise PermissionDenied("This API key belongs to another organization than X-Org-ID names.")
    if str(organization.tenant_id) != str(uuid.UUID(request.headers[TENANT_HEADER])):
        raise PermissionDenied("X-Org-ID does not belong to the tenant X-Tenant-ID names.")
    return organization
