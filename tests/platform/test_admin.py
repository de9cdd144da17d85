"""The Django admin for tenancy and API keys: what a superuser and an organization owner see."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from pixeepim.auth.models import ApiKey
from pixeepim.tenancy.models import User
from tests.factories import PASSWORD, MembershipFactory, UserFactory, make_api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    user = User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    client = Client()
    client.force_login(user)
    return client


def staff_client(organization, role):
    membership = MembershipFactory(organization=organization, role=role, user=UserFactory(is_staff=True))
    client = Client()
    client.force_login(membership.user)
    return client


def test_admin_login_form_accepts_an_email_and_password():
    User.objects.create_superuser(email="root@example.com", password=PASSWORD)
    client = Client()

    response = client.post("/admin/login/?next=/admin/", {"username": "root@example.com", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_adding_an_api_key_shows_the_secret_once(superuser_client, org):
    response = superuser_client.post(
        "/admin/pixee_auth/apikey/add/",
        {"organization": org.id, "name": "ERP", "scopes": ["ext:products:read", "ext:products:write"]},
    )

    assert response.status_code == 200
    raw = re.search(rb'value="(pm_live_[A-Za-z0-9_-]+)"', response.content).group(1).decode()
    api_key = ApiKey.objects.get()
    assert api_key.scopes == ["ext:products:read", "ext:products:write"]
    assert api_key.display_prefix == raw[:12]
    change_page = superuser_client.get(f"/admin/pixee_auth/apikey/{api_key.pk}/change/")
    assert raw.encode() not in change_page.content
    assert api_key.display_prefix.encode() in change_page.content


def test_revoke_action_revokes_keys(superuser_client, org):
    api_key, _ = make_api_key(org, ["pim:read"])

    superuser_client.post(
        "/admin/pixee_auth/apikey/", {"action": "revoke_keys", "_selected_action": [api_key.pk]}
    )

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_an_owner_sees_only_the_keys_of_their_organization(org, other_org):
    make_api_key(org, ["pim:read"], name="ours")
    theirs, _ = make_api_key(other_org, ["pim:read"], name="theirs")
    client = staff_client(org, "owner")

    listing = client.get("/admin/pixee_auth/apikey/")

    assert listing.status_code == 200
    assert b"ours" in listing.content and b"theirs" not in listing.content
    foreign = client.get(f"/admin/pixee_auth/apikey/{theirs.pk}/change/")
    assert foreign.status_code == 302  # the admin's "does not exist" redirect
    add_form = client.get("/admin/pixee_auth/apikey/add/")
    assert str(org.id).encode() in add_form.content and str(other_org.id).encode() not in add_form.content


def test_an_editor_may_not_open_api_keys(org):
    assert staff_client(org, "editor").get("/admin/pixee_auth/apikey/").status_code == 403


def test_unlock_action_clears_a_lockout(superuser_client):
    locked = UserFactory(locked_until=timezone.now() + timedelta(minutes=10))

    superuser_client.post("/admin/tenancy/user/", {"action": "unlock_accounts", "_selected_action": [locked.pk]})

    locked.refresh_from_db()
    assert locked.locked_until is None


def test_superuser_creates_a_user_with_an_email_login(superuser_client):
    response = superuser_client.post(
        "/admin/tenancy/user/add/",
        {"email": "New@Example.com", "full_name": "New", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase",
         "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )

    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(email="new@example.com").check_password("a-long-pass-phrase")
