"""Factories for the platform's models (catalog factories live beside their tests)."""

import factory
from django.test import Client

from pixeepim.auth.services import create_api_key
from pixeepim.tenancy.models import Membership, Organization, Tenant, User
from pixeepim.tenancy.roles import Role

PASSWORD = "correct horse battery staple"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"Tenant {n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"Organization {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER
    is_default = True


def make_api_key(organization, scopes, **kwargs):
    """Returns ``(api_key, raw_key)`` through the real service."""
    return create_api_key(organization=organization, name=kwargs.pop("name", "Test key"), scopes=scopes, **kwargs)


def staff_client(organization, role):
    """A Django test client logged in to the admin as a staff member with ``role`` in ``organization``."""
    membership = MembershipFactory(organization=organization, role=role, user=UserFactory(is_staff=True))
    client = Client()
    client.force_login(membership.user)
    return client
