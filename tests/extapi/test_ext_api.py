"""`/api/v1/ext/*`: the seed's 8 endpoints, envelope, scopes, validation (seed 001, contract §6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pixeepim.api.formats import iso_utc
from products.models import Brand, Product, Supplier
from tests.factories import make_api_key
from tests.products.factories import BrandFactory, CategoryFactory, ProductFactory, SupplierFactory, ean13

pytestmark = pytest.mark.django_db

EXT = "/api/v1/ext"
RW = ["ext:products:read", "ext:products:write"]


@pytest.fixture
def client(key_client, org):
    return key_client(org, RW)


def assert_envelope(body, *, success=True):
    assert set(body) == {"success", "data", "meta", "errors"}
    assert body["success"] is success
    assert set(body["meta"]) == {"total", "page", "page_size", "updated_at"}
    assert body["meta"]["updated_at"].endswith("Z")


# --- Auth and envelope -------------------------------------------------------------------------


def test_status_names_the_key_and_its_scopes(client):
    response = client.get(f"{EXT}/status")

    assert response.status_code == 200
    body = response.json()
    assert_envelope(body)
    assert body["data"]["status"] == "ok" and body["data"]["version"] == "1.0"
    assert body["data"]["api_key_name"] == "Test key"
    assert body["data"]["api_key_scopes"] == RW
    assert body["meta"] == {**body["meta"], "total": 1, "page": 1, "page_size": 1}
    assert body["errors"] == []


def test_errors_use_the_envelope(api_client):
    response = api_client.get(f"{EXT}/status")

    assert response.status_code == 401
    body = response.json()
    assert_envelope(body, success=False)
    assert body["data"] is None
    assert body["meta"]["total"] == 0 and body["meta"]["page_size"] == 0
    assert body["errors"] == ["Authentication credentials were not provided."]


def test_a_user_token_or_a_key_sent_as_bearer_is_refused(member_client, org):
    assert member_client(org).get(f"{EXT}/status").status_code == 401
    _, raw = make_api_key(org, RW)
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert bearer.get(f"{EXT}/status").status_code == 401


def test_read_scope_is_needed_to_read_and_write_scope_to_write(key_client, org):
    writer_only = key_client(org, ["ext:products:write"])
    reader = key_client(org, ["ext:products:read"])

    assert writer_only.get(f"{EXT}/products").status_code == 403
    denied = reader.post(f"{EXT}/products", {"ean": ean13(1), "name": "A"}, format="json")
    assert denied.status_code == 403
    assert denied.json()["errors"] == ["This API key lacks the 'ext:products:write' scope."]
    assert key_client(org, ["products:read"]).get(f"{EXT}/status").status_code == 403


def test_keys_of_another_organization_see_nothing(key_client, org, other_org):
    ProductFactory(organization=other_org, ean=ean13(1))
    client = key_client(org, RW)

    assert client.get(f"{EXT}/products").json()["meta"]["total"] == 0
    assert client.get(f"{EXT}/products/{ean13(1)}").status_code == 404
    assert client.patch(f"{EXT}/products/{ean13(1)}", {"weight": 1}, format="json").status_code == 404
    assert client.put(f"{EXT}/products/{ean13(1)}", {"name": "x"}, format="json").status_code == 404


# --- Reads -------------------------------------------------------------------------------------


def test_get_by_ean_returns_the_seed_fields(client, org):
    brand = BrandFactory(organization=org, name="KIMEX")
    product = ProductFactory(organization=org, ean="3760000000001", name="Support TV mural fixe", brand=brand,
                             weight="1.50")
    Product.objects.filter(pk=product.pk).update(created_at="2026-06-18T23:59:58Z")
    product.refresh_from_db()

    body = client.get(f"{EXT}/products/3760000000001").json()

    assert_envelope(body)
    data = body["data"]
    assert {k: data[k] for k in ("ean", "title", "brand_name", "status", "is_active", "weight")} == {
        "ean": "3760000000001", "title": "Support TV mural fixe", "brand_name": "KIMEX", "status": "active",
        "is_active": True, "weight": 1.5}
    # The times the database formats read exactly as the rest of the API writes them.
    assert data["created_at"] == "2026-06-18T23:59:58.000000Z"
    assert data["updated_at"] == iso_utc(product.updated_at) and product.updated_at.microsecond


def test_unknown_ean_is_404_in_the_envelope(client):
    response = client.get(f"{EXT}/products/123")

    assert response.status_code == 404
    assert response.json()["errors"] == ["Product with EAN '123' not found."]


def test_list_paginates_and_filters_by_supplier_and_updated_since(client, org):
    kimex = SupplierFactory(organization=org, code="KIMEX")
    first = ProductFactory(organization=org, supplier=kimex)
    ProductFactory(organization=org, supplier=SupplierFactory(organization=org, code="INGRAM"))
    third = ProductFactory(organization=org, supplier=kimex)
    Product.objects.filter(pk=first.pk).update(updated_at="2026-01-01T00:00:00Z")

    by_supplier = client.get(f"{EXT}/products", {"supplier_code": "KIMEX"}).json()
    assert {p["id"] for p in by_supplier["data"]} == {str(first.id), str(third.id)}
    assert by_supplier["meta"]["total"] == 2 and by_supplier["meta"]["page_size"] == 50
    recent = client.get(f"{EXT}/products", {"updated_since": "2026-06-01T00:00:00Z", "supplier_code": "KIMEX"}).json()
    assert [p["id"] for p in recent["data"]] == [str(third.id)]
    paged = client.get(f"{EXT}/products", {"page": 2, "page_size": 2}).json()
    assert len(paged["data"]) == 1 and paged["meta"]["page"] == 2 and paged["meta"]["page_size"] == 2


def test_page_size_is_capped_at_500_and_bad_values_are_400(client):
    assert client.get(f"{EXT}/products", {"page_size": 900}).json()["meta"]["page_size"] == 500
    bad = client.get(f"{EXT}/products", {"page_size": "x"})
    assert bad.status_code == 400 and bad.json()["errors"] == ["page_size: page_size must be an integer."]
    assert client.get(f"{EXT}/products", {"updated_since": "yesterday"}).status_code == 400


def test_delta_requires_since_and_is_inclusive_in_update_order(client, org):
    products = [ProductFactory(organization=org) for _ in range(3)]
    for index, product in enumerate(products):
        Product.objects.filter(pk=product.pk).update(updated_at=f"2026-06-1{index}T00:00:00Z")

    missing = client.get(f"{EXT}/products/delta")
    assert missing.status_code == 400
    assert missing.json()["errors"] == ["since: This parameter is required (ISO 8601, e.g. 2026-06-18T00:00:00Z)."]
    body = client.get(f"{EXT}/products/delta", {"since": "2026-06-11T00:00:00Z"}).json()
    assert [p["id"] for p in body["data"]] == [str(products[1].id), str(products[2].id)]
    assert body["meta"]["updated_at"] == "2026-06-12T00:00:00.000000Z"
    assert body["meta"]["page_size"] == 100 and body["meta"]["total"] == 2
    empty = client.get(f"{EXT}/products/delta", {"since": "2027-01-01T00:00:00Z"}).json()
    assert empty["data"] == [] and empty["meta"]["updated_at"] == "2027-01-01T00:00:00.000000Z"


# --- Writes ------------------------------------------------------------------------------------


def test_post_creates_then_updates_non_null_fields(client, org):
    created = client.post(f"{EXT}/products", {"ean": "3760000000001", "name": "Support TV mural fixe 37-75 pouces",
                                              "brand_name": "KIMEX", "supplier_code": "KIMEX", "weight": 1.5,
                                              "status": "active"}, format="json")

    assert created.status_code == 201
    data = created.json()["data"]
    assert data["created"] is True and data["ean"] == "3760000000001"
    assert data["product"]["brand_name"] == "KIMEX" and data["product"]["supplier_code"] == "KIMEX"
    updated = client.post(f"{EXT}/products", {"ean": "3760000000001", "weight": 1.6, "description": None},
                          format="json")
    assert updated.status_code == 200
    assert updated.json()["data"]["created"] is False
    product = Product.objects.get(ean="3760000000001")
    assert (str(product.weight), product.name) == ("1.60", "Support TV mural fixe 37-75 pouces")


def test_brand_name_matches_case_insensitively_or_creates(client, org):
    BrandFactory(organization=org, name="Kimex")

    client.post(f"{EXT}/products", {"ean": ean13(1), "name": "A", "brand_name": "KIMEX"}, format="json")
    client.post(f"{EXT}/products", {"ean": ean13(2), "name": "B", "brand_name": "Acme"}, format="json")

    assert sorted(Brand.objects.filter(organization=org).values_list("name", flat=True)) == ["Acme", "Kimex"]
    assert Product.objects.get(ean=ean13(1)).brand.name == "Kimex"


def test_post_without_ean_or_name_is_400(client):
    assert client.post(f"{EXT}/products", {"name": "A"}, format="json").json()["errors"] == ["ean: This field is required."]
    assert client.post(f"{EXT}/products", {"ean": ean13(1)}, format="json").json()["errors"] == [
        "name: Required to create a product."]


@pytest.mark.parametrize("payload, message", [
    ({"status": "deleted"}, "status: Must be one of: active, inactive, archived."),
    ({"weight": "heavy"}, "weight: Must be a number."),
    ({"name": "x" * 256}, "name: At most 255 characters (got 256)."),
    ({"category_id": "not-a-uuid"}, "category_id: Must be a UUID."),
    ({"unit_of_measure": "barrel"}, "unit_of_measure: Must be one of: unit, pack, box, pair, set, m, m2, m3, cm, kg, g, l, ml."),
    ({"asin": "B0"}, "asin: ASIN must be 10 letters or digits."),
    ({"price": 10}, "price: Unknown field."),
    ({"is_active": "yes"}, "is_active: Must be true or false."),
])
def test_every_bad_field_is_reported_by_name(client, payload, message):
    response = client.post(f"{EXT}/products", {"ean": ean13(1), "name": "A", **payload}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [message]
    assert Product.objects.count() == 0


def test_category_of_another_organization_is_refused(client, other_org):
    foreign = CategoryFactory(organization=other_org)

    response = client.post(f"{EXT}/products", {"ean": ean13(1), "name": "A", "category_id": str(foreign.id)},
                           format="json")

    assert response.json()["errors"] == ["category_id: No category with this id in your organization."]


def test_put_replaces_and_omitted_fields_become_null(client, org):
    ProductFactory(organization=org, ean="3760000000001", name="Old", description="Long text", reference="R1",
                   weight="1.00", brand=BrandFactory(organization=org, name="Old brand"))

    response = client.put(f"{EXT}/products/3760000000001", {"ean": "3760000000001", "name": "Support TV — édition 2026",
                                                            "brand_name": "KIMEX", "weight": 1.6, "status": "active"},
                          format="json")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["title"], data["brand_name"], data["weight"]) == ("Support TV — édition 2026", "KIMEX", 1.6)
    assert (data["description"], data["reference"], data["supplier_code"]) == (None, None, None)


def test_put_and_patch_of_an_unknown_ean_are_404_and_create_nothing(client):
    assert client.put(f"{EXT}/products/3760000000001", {"name": "A"}, format="json").status_code == 404
    assert client.patch(f"{EXT}/products/3760000000001", {"name": "A"}, format="json").status_code == 404
    assert Product.objects.count() == 0


def test_patch_changes_only_given_fields_and_ignores_nulls(client, org):
    ProductFactory(organization=org, ean="3760000000001", name="Keep", weight="1.00", description="Keep too")

    response = client.patch(f"{EXT}/products/3760000000001", {"status": "inactive", "weight": 1.6, "description": None},
                            format="json")

    data = response.json()["data"]
    assert (data["status"], data["is_active"], data["weight"], data["title"], data["description"]) == (
        "inactive", False, 1.6, "Keep", "Keep too")


def test_body_ean_must_match_the_url(client, org):
    ProductFactory(organization=org, ean="3760000000001")

    response = client.patch(f"{EXT}/products/3760000000001", {"ean": "3760000000002"}, format="json")

    assert response.status_code == 400 and response.json()["errors"] == ["ean: Must match the EAN in the URL."]


# --- Batch -------------------------------------------------------------------------------------


def test_batch_upserts_each_item_on_its_own(client, org):
    ProductFactory(organization=org, ean="3760000000002", name="Old B")

    response = client.post(f"{EXT}/products/batch", {"products": [
        {"ean": "3760000000001", "name": "Produit A", "brand_name": "KIMEX"},
        {"ean": "3760000000002", "name": "Produit B", "brand_name": "KIMEX"},
        {"ean": "3760000000003", "weight": -1},
    ]}, format="json")

    body = response.json()
    assert response.status_code == 200 and body["success"] is True
    data = body["data"]
    assert (data["total"], data["created"], data["updated"], data["errors"]) == (3, 1, 1, 1)
    assert data["results"][0]["status"] == "created" and data["results"][1]["status"] == "updated"
    assert data["results"][2] == {"ean": "3760000000003", "status": "error",
                                  "errors": ["weight: Must be between 0 and 99999.99."]}
    assert body["meta"]["total"] == 3 and body["meta"]["page_size"] == 3
    assert Product.objects.get(ean="3760000000002").name == "Produit B"
    assert not Product.objects.filter(ean="3760000000003").exists()


def test_batch_limits(client):
    too_many = client.post(f"{EXT}/products/batch", {"products": [{"ean": ean13(i), "name": "x"} for i in range(501)]},
                           format="json")
    assert too_many.status_code == 400
    assert too_many.json()["errors"] == ["products: At most 500 products per batch (got 501)."]
    assert client.post(f"{EXT}/products/batch", {"products": []}, format="json").status_code == 400
    assert client.post(f"{EXT}/products/batch", {"products": "nope"}, format="json").status_code == 400


def test_batch_item_without_ean_is_an_item_error(client):
    data = client.post(f"{EXT}/products/batch", {"products": [{"name": "No EAN"}]}, format="json").json()["data"]

    assert data["results"] == [{"ean": None, "status": "error", "errors": ["ean: Required to create a product."]}]


def test_batch_runs_in_a_constant_number_of_queries(client, org):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite splits statements at 999 parameters; the count is asserted on PostgreSQL.")

    def batch(start, size):
        return {"products": [{"ean": ean13(i), "name": f"P{i}", "brand_name": "KIMEX", "supplier_code": "KIMEX"}
                             for i in range(start, start + size)]}

    client.post(f"{EXT}/products/batch", batch(0, 1), format="json")
    counts = []
    for start, size in ((1, 5), (6, 500), (0, 506 - 6)):  # creates, creates, then updates
        with CaptureQueriesContext(connection) as queries:
            assert client.post(f"{EXT}/products/batch", batch(start, size), format="json").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1] and counts[2] <= counts[1] + 4
    assert Supplier.objects.filter(code="KIMEX").count() == 1
