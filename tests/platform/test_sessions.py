"""Login, access tokens, refresh rotation and reuse, logout, lockout (contract §3)."""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from pixeepim.auth.models import RefreshFamily, RefreshToken
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def post_login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


@pytest.fixture
def member():
    return MembershipFactory(role="editor").user


def test_login_returns_a_15_minute_bearer_token_and_a_refresh_cookie(api_client, member):
    response = post_login(api_client, member.email)

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    claims = jwt.decode(body["access_token"], settings.SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == str(member.id)
    assert claims["exp"] - claims["iat"] == 900
    assert response.cookies["refresh_token"].value


def test_refresh_cookie_is_httponly_strict_and_scoped_to_auth(api_client, member):
    cookie = post_login(api_client, member.email).cookies["refresh_token"]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/v1/auth"
    assert cookie["secure"] is True  # DEBUG is off in the test suite


def test_refresh_cookie_is_not_secure_in_debug(api_client, member, settings):
    settings.PIXEE_REFRESH_COOKIE_SECURE = False  # what DEBUG sets, for http://127.0.0.1 development
    cookie = post_login(api_client, member.email).cookies["refresh_token"]

    assert cookie["secure"] == ""


def test_only_a_hash_of_the_refresh_token_is_stored(api_client, member):
    raw = post_login(api_client, member.email).cookies["refresh_token"].value

    stored = RefreshToken.objects.get()
    assert stored.token_hash != raw
    assert raw not in stored.token_hash


def test_login_email_is_case_insensitive(api_client):
    user = UserFactory(email="mixed@example.com")
    MembershipFactory(user=user)

    assert post_login(api_client, "Mixed@Example.COM").status_code == 200


def test_wrong_password_and_unknown_email_answer_the_same_401(api_client, member):
    wrong = post_login(api_client, member.email, "nope")
    unknown = post_login(api_client, "nobody@example.com")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Invalid email or password."}


def test_login_without_fields_is_a_400_with_field_errors(api_client):
    response = api_client.post(LOGIN, {"email": "not-an-email"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "password"}


def test_access_token_opens_the_api(api_client, member):
    token = post_login(api_client, member.email).json()["access_token"]

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["email"] == member.email


def test_access_token_is_refused_after_its_15_minutes(api_client, member):
    issued = post_login(api_client, member.email).json()["access_token"]
    claims = jwt.decode(issued, settings.SECRET_KEY, algorithms=["HS256"])
    sixteen_minutes = 16 * 60
    claims["iat"] -= sixteen_minutes
    claims["exp"] -= sixteen_minutes
    token = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")

    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response.json()["detail"] == "Access token is invalid or expired."


def test_refresh_reads_the_cookie_returns_a_new_token_and_rotates_the_cookie(api_client, member):
    first = post_login(api_client, member.email).cookies["refresh_token"].value

    response = api_client.post(REFRESH)

    assert response.status_code == 200
    assert response.json()["access_token"]
    second = response.cookies["refresh_token"].value
    assert second and second != first
    assert RefreshToken.objects.filter(rotated_at__isnull=False).count() == 1


def test_refresh_ignores_a_bearer_header(member):
    client = APIClient()
    token = post_login(client, member.email).json()["access_token"]
    cookieless = APIClient()

    response = cookieless.post(REFRESH, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401


def test_replayed_refresh_token_revokes_the_family(member):
    client = APIClient()
    stolen = post_login(client, member.email).cookies["refresh_token"].value
    assert client.post(REFRESH).status_code == 200  # the owner rotates; `stolen` is now spent
    current_access = client.post(REFRESH).json()["access_token"]

    attacker = APIClient()
    attacker.cookies["refresh_token"] = stolen
    replay = attacker.post(REFRESH)

    assert replay.status_code == 401
    family = RefreshFamily.objects.get()
    assert family.revoked_at is not None and family.revoked_reason == "reuse"
    # Every descendant of that login is dead: the owner's newest cookie and access token too.
    assert client.post(REFRESH).status_code == 401
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {current_access}").status_code == 401


def test_reuse_revokes_only_that_login(member):
    laptop, phone = APIClient(), APIClient()
    spent = post_login(laptop, member.email).cookies["refresh_token"].value
    post_login(phone, member.email)
    laptop.post(REFRESH)

    replay = APIClient()
    replay.cookies["refresh_token"] = spent
    replay.post(REFRESH)

    assert phone.post(REFRESH).status_code == 200


def test_refresh_with_an_unknown_cookie_is_401(api_client):
    api_client.cookies["refresh_token"] = "made-up"

    response = api_client.post(REFRESH)

    assert response.status_code == 401
    assert "log in again" in response.json()["detail"]


def test_expired_session_cannot_refresh(api_client, member):
    post_login(api_client, member.email)
    RefreshFamily.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api_client.post(REFRESH).status_code == 401


def test_logout_revokes_the_session_and_clears_the_cookie(member):
    client = APIClient()
    access = post_login(client, member.email).json()["access_token"]

    response = client.post(LOGOUT)

    assert response.status_code == 200
    assert response.json() == {}
    assert response.cookies["refresh_token"].value == ""
    assert response.cookies["refresh_token"]["max-age"] == 0
    assert RefreshFamily.objects.get().revoked_reason == "logout"
    assert client.get(ME, HTTP_AUTHORIZATION=f"Bearer {access}").status_code == 401


def test_refresh_after_logout_is_refused(member):
    client = APIClient()
    cookie = post_login(client, member.email).cookies["refresh_token"].value
    client.post(LOGOUT)
    client.cookies["refresh_token"] = cookie

    assert client.post(REFRESH).status_code == 401


def test_five_failures_lock_the_account_with_423_even_for_the_right_password(api_client, member):
    for _ in range(5):
        assert post_login(api_client, member.email, "wrong").status_code == 401

    response = post_login(api_client, member.email)

    assert response.status_code == 423
    assert "locked" in response.json()["detail"]
    assert 0 < int(response["Retry-After"]) <= 900


def test_lock_lifts_after_15_minutes(api_client, member):
    for _ in range(5):
        post_login(api_client, member.email, "wrong")
    member.refresh_from_db()
    member.locked_until = timezone.now() - timedelta(seconds=1)
    member.save()

    assert post_login(api_client, member.email).status_code == 200


def test_failures_older_than_the_window_do_not_count(api_client, member):
    for _ in range(4):
        post_login(api_client, member.email, "wrong")
    member.refresh_from_db()
    member.first_failed_login_at = timezone.now() - timedelta(minutes=16)
    member.save()

    assert post_login(api_client, member.email, "wrong").status_code == 401
    assert post_login(api_client, member.email).status_code == 200


def test_successful_login_resets_the_failure_count(api_client, member):
    for _ in range(4):
        post_login(api_client, member.email, "wrong")
    post_login(api_client, member.email)
    for _ in range(4):
        post_login(api_client, member.email, "wrong")

    assert post_login(api_client, member.email).status_code == 200


def test_inactive_user_cannot_log_in(api_client, member):
    member.is_active = False
    member.save()

    assert post_login(api_client, member.email).status_code == 401


def test_me_lists_memberships_and_the_permissions_of_the_current_org(member_client, org, other_org):
    client = member_client(org, "reviewer")
    MembershipFactory(user=client.user, organization=other_org, role="viewer", is_default=False)

    body = client.get(ME).json()

    assert body["organization_id"] == str(org.id)
    assert body["permissions"] == ["PUBLISH_PRODUCTS", "REVIEW_PRODUCTS", "VIEW_PRODUCTS"]
    assert {(m["organization_id"], m["role"]) for m in body["memberships"]} == {
        (str(org.id), "reviewer"),
        (str(other_org.id), "viewer"),
    }
    switched = client.get(ME, HTTP_X_ORG_ID=str(other_org.id)).json()
    assert switched["organization_id"] == str(other_org.id)
    assert switched["permissions"] == ["VIEW_PRODUCTS"]
