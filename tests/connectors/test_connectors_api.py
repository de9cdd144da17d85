"""``/api/v1/connectors/``: configuration, permissions, write-only credentials, and queued syncs."""

import pytest
from django.db import connection

from connectors.models import Connector, SyncJob
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/connectors/"
SHOPIFY = {"name": "My Shopify Store", "platform": "shopify", "base_url": "https://acme.myshopify.com",
           "credentials": {"access_token": "shpat_secret_123"}}


@pytest.fixture
def owner(member_client, org, public_dns):
    return member_client(org, "owner")


@pytest.fixture
def connector(org):
    return Connector.objects.create(organization=org, name="Shop", platform="shopify",
                                    base_url="https://acme.myshopify.com", credentials={"access_token": "shpat_x"})


def test_list_needs_its_trailing_slash(owner):
    assert owner.get("/api/v1/connectors").status_code == 404
    response = owner.get(URL)
    assert response.status_code == 200
    assert response.json() == {"items": [], "meta": {"total": 0, "page": 1, "per_page": 20, "total_pages": 0,
                                                      "has_next": False, "has_previous": False}}


def test_created_connector_never_shows_its_credentials(owner, org):
    response = owner.post(URL, SHOPIFY, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["platform"] == "shopify" and body["status"] == "active" and body["has_credentials"] is True
    assert "credentials" not in body and "shpat_secret_123" not in response.content.decode()
    assert body["sync_stats"] == {"products_synced": 0, "products_pending": 0, "last_error": None}
    listed = owner.get(URL).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert "shpat_secret_123" not in owner.get(f"{URL}{body['id']}").content.decode()


def test_credentials_are_encrypted_at_rest(owner):
    connector_id = owner.post(URL, SHOPIFY, format="json").json()["id"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM connectors_connector")
        (stored,) = cursor.fetchone()
    assert "shpat_secret_123" not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert Connector.objects.get(pk=connector_id).credentials == {"access_token": "shpat_secret_123"}


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"platform": "mirakl"}, "platform", "No adapter for 'mirakl' yet"),
    ({"platform": "prestashop"}, "platform", "is not a valid choice"),
    ({"base_url": "http://acme.myshopify.com"}, "base_url", "https"),
    ({"base_url": "https://acme.myshopify.com.evil.example"}, "base_url", "myshopify.com"),
    ({"base_url": "https://169.254.169.254/latest"}, "base_url", ""),
    ({"credentials": {}}, "credentials", "access_token"),
    ({"name": ""}, "name", ""),
])
def test_invalid_connectors_are_refused_with_the_field_and_reason(owner, change, field, message):
    response = owner.post(URL, {**SHOPIFY, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and field in body["errors"]
    assert message in " ".join(body["errors"][field])
    assert Connector.objects.count() == 0


def test_bigcommerce_needs_a_store_hash(owner):
    body = {"name": "BC", "platform": "bigcommerce", "base_url": "https://api.bigcommerce.com",
            "credentials": {"access_token": "t"}}
    response = owner.post(URL, body, format="json")
    assert response.status_code == 400 and "store_hash" in response.json()["errors"]["settings"][0]
    response = owner.post(URL, {**body, "settings": {"store_hash": "Not a hash!"}}, format="json")
    assert response.status_code == 400
    response = owner.post(URL, {**body, "settings": {"store_hash": "abc123"}}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_settings_managers_change_connectors(member_client, org, connector, role, public_dns):
    client = member_client(org, role)
    assert client.get(f"{URL}{connector.id}").status_code == 200
    assert client.post(URL, SHOPIFY, format="json").status_code == 403
    assert client.patch(f"{URL}{connector.id}", {"name": "x"}, format="json").status_code == 403
    assert client.post(f"{URL}{connector.id}/sync/push-stock").status_code == 403
    assert client.delete(f"{URL}{connector.id}").status_code == 403


def test_api_keys_need_the_connectors_scopes(key_client, org, connector, public_dns):
    reader = key_client(org, ["connectors:read"])
    assert reader.get(URL).status_code == 200
    assert reader.post(f"{URL}{connector.id}/sync/push-stock").status_code == 403
    writer = key_client(org, ["connectors:read", "connectors:write"])
    assert writer.post(URL, SHOPIFY, format="json").status_code == 201
    assert writer.post(f"{URL}{connector.id}/sync/push-stock").status_code == 202
    assert key_client(org, ["products:read"]).get(URL).status_code == 403


def test_another_organizations_connector_is_not_found(member_client, other_org, connector):
    stranger = member_client(other_org, "owner")
    job = SyncJob.objects.create(organization=connector.organization, connector=connector, kind="push_stock")
    assert stranger.get(URL).json()["items"] == []
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/test"),
                         ("post", "/sync/push-products"), ("post", "/sync/pull-products"), ("get", "/jobs")]:
        assert getattr(stranger, method)(f"{URL}{connector.id}{path}", {}, format="json").status_code == 404
    assert stranger.get(f"{URL}jobs/{job.id}").status_code == 404
    assert Connector.objects.filter(pk=connector.pk).exists()


def test_patch_changes_given_fields_and_replaces_credentials(owner, connector):
    response = owner.patch(f"{URL}{connector.id}", {"name": "Renamed", "credentials": {"access_token": "new"},
                                                    "sync_interval_minutes": 60}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Renamed" and body["base_url"] == "https://acme.myshopify.com"
    assert body["sync_interval_minutes"] == 60 and body["next_sync_at"] is not None
    connector.refresh_from_db()
    assert connector.credentials == {"access_token": "new"}
    assert owner.patch(f"{URL}{connector.id}", {"sync_interval_minutes": 1}, format="json").status_code == 400


def test_delete_removes_the_connector(owner, connector):
    assert owner.delete(f"{URL}{connector.id}").status_code == 204
    assert owner.get(f"{URL}{connector.id}").status_code == 404


def test_push_products_answers_202_with_the_job_and_the_count(owner, org, connector):
    first, second = ProductFactory(organization=org), ProductFactory(organization=org)
    response = owner.post(f"{URL}{connector.id}/sync/push-products",
                          {"product_ids": [str(first.id), str(second.id)]}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body == {"job_id": body["job_id"], "status": "queued", "products_queued": 2}
    job = SyncJob.objects.get(pk=body["job_id"])
    assert job.kind == "push_products" and job.product_ids == [str(first.id), str(second.id)]


def test_push_of_the_whole_catalog_counts_published_active_products(owner, org, connector):
    ProductFactory(organization=org, workflow_state="published")
    ProductFactory(organization=org, workflow_state="published", status="inactive")
    ProductFactory(organization=org, workflow_state="approved")
    response = owner.post(f"{URL}{connector.id}/sync/push-products", {}, format="json")
    assert response.status_code == 202 and response.json()["products_queued"] == 1


@pytest.mark.parametrize("body", [{"product_ids": ["not-a-uuid"]}, {"product_ids": []}, {"product_ids": "x"}])
def test_push_products_refuses_bad_product_ids(owner, connector, body):
    response = owner.post(f"{URL}{connector.id}/sync/push-products", body, format="json")
    assert response.status_code == 400
    assert [field.split(".")[0] for field in response.json()["errors"]] == ["product_ids"]
    assert not SyncJob.objects.exists()


@pytest.mark.parametrize("action", ["pull-products", "push-stock", "push-prices"])
def test_other_syncs_answer_202_with_the_seed_body(owner, connector, action):
    response = owner.post(f"{URL}{connector.id}/sync/{action}")
    assert response.status_code == 202
    assert response.json() == {"job_id": response.json()["job_id"], "status": "queued"}
    assert SyncJob.objects.get(pk=response.json()["job_id"]).kind == action.replace("-", "_")


def test_a_second_job_of_a_kind_waits_for_the_first(owner, connector):
    first = owner.post(f"{URL}{connector.id}/sync/push-stock").json()["job_id"]
    response = owner.post(f"{URL}{connector.id}/sync/push-stock")
    assert response.status_code == 409 and first in response.json()["detail"]
    assert owner.post(f"{URL}{connector.id}/sync/push-prices").status_code == 202


def test_a_paused_connector_does_not_sync(owner, connector):
    owner.patch(f"{URL}{connector.id}", {"status": "paused"}, format="json")
    response = owner.post(f"{URL}{connector.id}/sync/push-stock")
    assert response.status_code == 409 and "paused" in response.json()["detail"]


def test_job_progress_is_readable(owner, connector):
    job_id = owner.post(f"{URL}{connector.id}/sync/push-prices").json()["job_id"]
    body = owner.get(f"{URL}jobs/{job_id}").json()
    assert body["status"] == "queued" and body["kind"] == "push_prices" and body["processed"] == 0
    assert body["timings"] == {"duration_ms": None, "platform_ms": 0, "overhead_ms": None}
    assert [job["id"] for job in owner.get(f"{URL}{connector.id}/jobs").json()["items"]] == [job_id]
