"""The operations commands print one JSON line each (contract §11)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from pixeepim.auth.models import ApiKey, RefreshFamily, RefreshToken
from pixeepim.tenancy.models import Membership, Organization, Tenant, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    return json.loads(lines[0])


def test_bootstrap_creates_tenant_org_and_owner_who_can_log_in():
    result = run("bootstrap", "--tenant", "Acme", "--org", "Acme FR", "--email", "Owner@Acme.test", "--password", "s3cret-pass")

    assert set(result) == {"tenant_id", "org_id", "user_id"}
    organization = Organization.objects.get(pk=result["org_id"])
    assert str(organization.tenant_id) == result["tenant_id"]
    membership = Membership.objects.get(user_id=result["user_id"], organization=organization)
    assert membership.role == "owner" and membership.is_default
    login = APIClient().post("/api/v1/auth/login", {"email": "owner@acme.test", "password": "s3cret-pass"}, format="json")
    assert login.status_code == 200


def test_bootstrap_is_idempotent_and_never_resets_the_password():
    first = run("bootstrap", "--tenant", "Acme", "--org", "Acme FR", "--email", "o@acme.test", "--password", "one-pass")
    second = run("bootstrap", "--tenant", "Acme", "--org", "Acme FR", "--email", "o@acme.test", "--password", "two-pass")

    assert first == second
    assert (Tenant.objects.count(), Organization.objects.count(), User.objects.count()) == (1, 1, 1)
    assert User.objects.get().check_password("one-pass")


def test_create_api_key_prints_the_key_once_and_it_works(org):
    result = run("create_api_key", "--org", str(org.id), "--name", "ERP", "--scopes", "ext:products:read,products:read")

    assert set(result) == {"id", "name", "key", "scopes"}
    assert result["key"].startswith("pm_live_")
    assert result["scopes"] == ["ext:products:read", "products:read"]
    stored = ApiKey.objects.get(pk=result["id"])
    assert stored.organization == org and result["key"] not in stored.key_hash
    assert APIClient().get("/api/v1/auth/me", HTTP_X_API_KEY=result["key"]).status_code == 403  # known key, user-only endpoint


def test_create_api_key_test_flag_makes_a_test_key(org):
    result = run("create_api_key", "--org", str(org.id), "--name", "Sandbox", "--scopes", "pim:read", "--test")

    assert result["key"].startswith("pm_test_")


def test_create_api_key_refuses_unknown_org_and_scopes(org):
    with pytest.raises(CommandError, match="No organization"):
        call_command("create_api_key", "--org", "not-a-uuid", "--name", "x", "--scopes", "pim:read")
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("create_api_key", "--org", str(org.id), "--name", "x", "--scopes", "root")


def test_purge_tokens_deletes_dead_sessions_and_keeps_live_ones():
    user = UserFactory()
    now = timezone.now()
    live = RefreshFamily.objects.create(user=user, expires_at=now + timedelta(days=1))
    expired = RefreshFamily.objects.create(user=user, expires_at=now - timedelta(seconds=1))
    revoked = RefreshFamily.objects.create(user=user, expires_at=now + timedelta(days=1), revoked_at=now)
    for index, family in enumerate([live, expired, revoked]):
        RefreshToken.objects.create(family=family, token_hash=f"{index:064}")

    assert run("purge_tokens") == {"families_deleted": 2, "tokens_deleted": 2}
    assert list(RefreshFamily.objects.all()) == [live]


def test_seed_demo_creates_the_demo_login():
    result = run("seed_demo")

    login = APIClient().post("/api/v1/auth/login", {"email": result["email"], "password": result["password"]}, format="json")
    assert login.status_code == 200
    assert User.objects.get(email=result["email"]).is_superuser
