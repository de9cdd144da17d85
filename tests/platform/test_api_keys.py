"""API keys: format, hashing at rest, X-API-Key only, scopes, revocation, expiry (contract §3)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pixeepim.auth.models import ApiKey
from tests.factories import make_api_key

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/api-keys"
ME = "/api/v1/auth/me"


def test_created_key_has_the_documented_format_and_only_its_hash_is_stored(org):
    live, raw_live = make_api_key(org, ["ext:products:read"])
    test, raw_test = make_api_key(org, ["ext:products:read"], test=True)

    assert re.fullmatch(r"pm_live_[A-Za-z0-9_-]{32,}", raw_live)
    assert re.fullmatch(r"pm_test_[A-Za-z0-9_-]{32,}", raw_test)
    stored = ApiKey.objects.get(pk=live.pk)
    assert raw_live not in str(stored.__dict__)
    assert len(stored.key_hash) == 64
    assert stored.display_prefix == raw_live[:12]


def test_owner_creates_a_key_and_sees_it_once(member_client, org):
    client = member_client(org, "owner")

    created = client.post(KEYS, {"name": "ERP", "scopes": ["ext:products:read"]}, format="json")

    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith("pm_live_")
    listed = client.get(KEYS).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "key" not in listed[0]
    assert "key" not in client.get(f"{KEYS}/{body['id']}").json()


def test_key_creation_rejects_unknown_scopes(member_client, org):
    client = member_client(org, "admin")

    response = client.post(KEYS, {"name": "ERP", "scopes": ["everything"]}, format="json")

    assert response.status_code == 400
    assert "scopes.0" in response.json()["errors"]


def test_editor_may_not_manage_keys(member_client, org):
    response = member_client(org, "editor").get(KEYS)

    assert response.status_code == 403
    assert response.json()["detail"] == "Your role (editor) does not grant MANAGE_API_KEYS in this organization."


def test_a_key_authenticates_through_x_api_key_and_records_last_use(api_client, org):
    api_key, raw = make_api_key(org, ["products:read"])

    response = api_client.get(KEYS, HTTP_X_API_KEY=raw)

    # Keys never manage keys, but the key itself was accepted (403, not 401).
    assert response.status_code == 403
    assert response.json()["detail"] == "API keys cannot use this endpoint; use a user session."
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_a_key_sent_as_bearer_is_refused_with_401(api_client, org):
    _, raw = make_api_key(org, ["products:read"])

    response = api_client.get(KEYS, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 401
    assert "X-API-Key" in response.json()["detail"]


def test_unknown_and_malformed_keys_are_401(api_client):
    assert api_client.get(KEYS, HTTP_X_API_KEY="pm_live_" + "x" * 43).status_code == 401
    assert api_client.get(KEYS, HTTP_X_API_KEY="sk_something").status_code == 401


def test_revoked_key_is_401(member_client, org):
    owner = member_client(org, "owner")
    api_key, raw = make_api_key(org, ["products:read"])

    revoked = owner.delete(f"{KEYS}/{api_key.id}")

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    response = APIClient().get(ME, HTTP_X_API_KEY=raw)
    assert response.status_code == 401
    assert response.json()["detail"] == "This API key has been revoked."


def test_expired_key_is_401(api_client, org):
    api_key, raw = make_api_key(org, ["products:read"])
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = api_client.get(ME, HTTP_X_API_KEY=raw)

    assert response.status_code == 401
    assert response.json()["detail"] == "This API key has expired."


@pytest.mark.urls("tests.platform.probe_urls")
def test_key_without_the_needed_scope_is_403(key_client, org):
    reader = key_client(org, ["products:read"])

    assert reader.get("/api/v1/probe").status_code == 200
    response = reader.post("/api/v1/probe", {}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "This API key lacks the 'products:write' scope."}


@pytest.mark.urls("tests.platform.probe_urls")
def test_key_acts_for_its_own_organization(key_client, org):
    writer = key_client(org, ["products:write"])

    assert writer.post("/api/v1/probe", {}, format="json").json()["organization_id"] == str(org.id)


def test_keys_of_another_organization_are_404(member_client, org, other_org):
    foreign, _ = make_api_key(other_org, ["products:read"])
    client = member_client(org, "owner")

    assert client.get(f"{KEYS}/{foreign.id}").status_code == 404
    assert client.delete(f"{KEYS}/{foreign.id}").status_code == 404
    assert client.get(KEYS).json()["meta"]["total"] == 0
    foreign.refresh_from_db()
    assert foreign.revoked_at is None
