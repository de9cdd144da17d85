"""Writes of the tenancy domain: accounts, organizations, memberships."""

from django.db import transaction

from pixeepim.tenancy.models import Membership, Organization, Tenant, User
from pixeepim.tenancy.roles import Role


@transaction.atomic
def add_member(*, user, organization, role):
    """Gives ``user`` a role in ``organization``; the first membership becomes the default."""
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=organization,
        defaults={"role": role, "is_default": not user.memberships.filter(is_default=True).exists()},
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def bootstrap_account(*, tenant_name, org_name, email, password, superuser=False):
    """Creates, or finds, a tenant, one of its organizations and its owner (idempotent).

    The password is set only when the user is created, so re-running never resets it.
    """
    tenant, _ = Tenant.objects.get_or_create(name=tenant_name)
    organization, _ = Organization.objects.get_or_create(tenant=tenant, name=org_name)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        create = User.objects.create_superuser if superuser else User.objects.create_user
        user = create(email=email, password=password, is_staff=True)
    add_member(user=user, organization=organization, role=Role.OWNER)
    return tenant, organization, user
