"""Every error of the public surfaces has a `detail` sentence; validation errors add `errors`."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.platform.probe_urls")]

PROBE = "/api/v1/probe"


def test_400_malformed_json_has_a_detail(member_client, org):
    response = member_client(org).post(PROBE, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_400_validation_lists_each_field(api_client):
    response = api_client.post("/api/v1/auth/login", {"email": "nope"}, format="json")

    body = response.json()
    assert response.status_code == 400
    assert body["errors"] == {"email": ["Enter a valid email address."], "password": ["This field is required."]}
    assert body["detail"] == "Invalid input: email: Enter a valid email address. password: This field is required."


def test_401_without_credentials(api_client):
    response = api_client.get(PROBE)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_401_with_a_bad_token(api_client):
    response = api_client.get(PROBE, HTTP_AUTHORIZATION="Bearer not.a.jwt")

    assert response.status_code == 401
    assert response.json() == {"detail": "Access token is invalid or expired."}


def test_403_for_a_role_without_the_permission(member_client, org):
    response = member_client(org, "viewer").post(PROBE, {}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role (viewer) does not grant EDIT_PRODUCTS in this organization."}


def test_404_for_an_unknown_api_path_is_json(member_client, org):
    response = member_client(org).get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_404_for_an_unknown_row(member_client, org):
    response = member_client(org).get("/api/v1/api-keys/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert response.json() == {"detail": "No ApiKey matches the given query."}


def test_405_names_the_method(member_client, org):
    response = member_client(org).delete(PROBE)

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_429_after_the_tier_limit_with_retry_after(member_client, org, settings):
    settings.PIXEE_RATE_LIMITS = {**settings.PIXEE_RATE_LIMITS, "READ_STANDARD": 3}
    client = member_client(org)

    statuses = [client.get(PROBE).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get(PROBE)
    assert response.json()["detail"].startswith("Request was throttled.")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_read_and_write_tiers_are_counted_apart(member_client, org, settings):
    settings.PIXEE_RATE_LIMITS = {**settings.PIXEE_RATE_LIMITS, "READ_STANDARD": 1, "WRITE_STANDARD": 1}
    client = member_client(org)

    assert client.get(PROBE).status_code == 200
    assert client.post(PROBE, {}, format="json").status_code == 201
    assert client.get(PROBE).status_code == 429


def test_login_is_limited_per_client_address(api_client, settings):
    settings.PIXEE_RATE_LIMITS = {**settings.PIXEE_RATE_LIMITS, "AUTH": 2}
    attempt = {"email": "someone@example.com", "password": "x"}

    statuses = [api_client.post("/api/v1/auth/login", attempt, format="json").status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


def test_graphql_is_gone_and_points_to_the_external_api(api_client):
    for method in ("get", "post"):
        response = getattr(api_client, method)("/api/v1/graphql")
        assert response.status_code == 410
        assert "/api/v1/ext/" in response.json()["detail"]
