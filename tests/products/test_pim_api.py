"""`/api/v1/pim/*`: headers, products, variants, taxonomy, attributes, templates, media, stats,
validation, audit (seed 004, contract §7). Jobs are in test_pim_jobs.py."""

import pytest

from products.models import AuditEvent, Category, Product, TemplateAttribute, Variant
from tests.products.factories import (
    AttributeFactory,
    BrandFactory,
    CategoryFactory,
    MediaFactory,
    ProductFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

PIM = "/api/v1/pim"


@pytest.fixture
def client(pim_client, org):
    return pim_client(org)


# --- Headers and access ------------------------------------------------------------------------


@pytest.mark.parametrize("drop, header", [("HTTP_X_TENANT_ID", "X-Tenant-ID"), ("HTTP_X_ORG_ID", "X-Org-ID")])
def test_missing_tenant_or_org_header_is_400(client, drop, header):
    client.credentials(**{k: v for k, v in client._credentials.items() if k != drop})

    response = client.get(f"{PIM}/products")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [header]


def test_malformed_header_is_400(client):
    client.credentials(**{**client._credentials, "HTTP_X_TENANT_ID": "acme"})

    assert client.get(f"{PIM}/products").json()["errors"] == {"X-Tenant-ID": ["X-Tenant-ID must be a UUID."]}


def test_organization_of_another_tenant_is_403(client, other_org):
    client.credentials(**{**client._credentials, "HTTP_X_ORG_ID": str(other_org.id),
                          "HTTP_X_TENANT_ID": str(other_org.tenant_id)})

    assert client.get(f"{PIM}/products").status_code == 403


def test_tenant_that_is_not_the_organizations_is_403(client, other_org):
    client.credentials(**{**client._credentials, "HTTP_X_TENANT_ID": str(other_org.tenant_id)})

    response = client.get(f"{PIM}/products")

    assert response.status_code == 403
    assert response.json()["detail"] == "X-Org-ID does not belong to the tenant X-Tenant-ID names."


def test_api_key_with_pim_scopes_works_and_cannot_name_another_org(pim_client, org, other_org):
    reader = pim_client(org, scopes=["pim:read"])

    assert reader.get(f"{PIM}/products").status_code == 200
    assert reader.post(f"{PIM}/brands", {"name": "X"}, format="json").status_code == 403
    reader.credentials(**{**reader._credentials, "HTTP_X_ORG_ID": str(other_org.id),
                          "HTTP_X_TENANT_ID": str(other_org.tenant_id)})
    assert reader.get(f"{PIM}/products").status_code == 403


def test_without_credentials_is_401(api_client, org):
    response = api_client.get(f"{PIM}/products", HTTP_X_TENANT_ID=str(org.tenant_id), HTTP_X_ORG_ID=str(org.id))

    assert response.status_code == 401


# --- Products ----------------------------------------------------------------------------------


def test_create_a_product_from_title_description_and_category_slug(client, org):
    category = CategoryFactory(organization=org, slug="mens-outerwear")

    response = client.post(f"{PIM}/products", {"title": "Parka", "description": "Warm", "category": "mens-outerwear"},
                           format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["title"], body["description"], body["category"], body["status"]) == ("Parka", "Warm", "mens-outerwear", "ACTIVE")
    assert Product.objects.get(pk=body["id"]).category == category


def test_create_with_unknown_category_or_field_is_400(client):
    unknown_slug = client.post(f"{PIM}/products", {"title": "A", "category": "nope"}, format="json")
    unknown_field = client.post(f"{PIM}/products", {"title": "A", "colour": "red"}, format="json")
    no_title = client.post(f"{PIM}/products", {"description": "x"}, format="json")

    assert unknown_slug.json()["errors"] == {"category": ["No category with slug 'nope'."]}
    assert unknown_field.json()["errors"] == {"colour": ["Unknown field."]}
    assert no_title.json()["errors"] == {"title": ["This field is required."]}
    assert Product.objects.count() == 0


def test_list_is_a_plain_array_oldest_first_with_paging_headers(client, org, other_org):
    for index in range(3):
        ProductFactory(organization=org, name=f"P{index}")
    ProductFactory(organization=other_org)

    response = client.get(f"{PIM}/products", {"per_page": 2})

    assert [p["title"] for p in response.json()] == ["P0", "P1"]
    assert response["X-Total-Count"] == "3"
    assert 'rel="next"' in response["Link"] and "page=2" in response["Link"]
    assert [p["title"] for p in client.get(f"{PIM}/products", {"page": 2, "per_page": 2}).json()] == ["P2"]


def test_list_returns_at_most_100(client, org):
    Product.objects.bulk_create([Product(organization=org, name=f"P{i}", ean=None) for i in range(105)])

    response = client.get(f"{PIM}/products", {"per_page": 500})

    assert len(response.json()) == 100 and response["X-Total-Count"] == "105"


def test_get_put_and_delete_a_product(client, org):
    product = ProductFactory(organization=org, name="Old", description="Old text",
                             category=CategoryFactory(organization=org, slug="old"))
    CategoryFactory(organization=org, slug="new")
    url = f"{PIM}/products/{product.id}"

    assert client.get(url).json()["title"] == "Old"
    put = client.put(url, {"title": "New", "category": "new"}, format="json")
    assert put.status_code == 200
    assert (put.json()["title"], put.json()["category"], put.json()["description"]) == ("New", "new", "")
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert Product.objects.get(pk=product.pk).deleted_at is not None


def test_products_of_another_organization_are_404(client, other_org):
    product = ProductFactory(organization=other_org)

    assert client.get(f"{PIM}/products/{product.id}").status_code == 404
    assert client.put(f"{PIM}/products/{product.id}", {"title": "x"}, format="json").status_code == 404
    assert client.delete(f"{PIM}/products/{product.id}").status_code == 404


# --- Variants ----------------------------------------------------------------------------------


def test_create_and_list_variants(client, org):
    product = ProductFactory(organization=org)

    response = client.post(f"{PIM}/products/{product.id}/variants",
                           {"sku": "TSHIRT-RED-M", "barcode": "0123456789012", "price": 19.9, "currency": "usd"},
                           format="json")

    assert response.status_code == 201
    assert (response.json()["sku"], response.json()["currency"], response.json()["price"]) == ("TSHIRT-RED-M", "USD", 19.9)
    assert [v["sku"] for v in client.get(f"{PIM}/products/{product.id}/variants").json()] == ["TSHIRT-RED-M"]


def test_variant_input_errors(client, org):
    product = ProductFactory(organization=org)
    VariantFactory(organization=org, product=product, sku="TAKEN")
    url = f"{PIM}/products/{product.id}/variants"

    assert client.post(url, {"sku": "A", "currency": "EURO"}, format="json").json()["errors"] == {
        "currency": ["'EURO' is not an ISO 4217 currency code."]}
    assert client.post(url, {"sku": "B", "price": -1}, format="json").status_code == 400
    duplicate = client.post(url, {"sku": "TAKEN"}, format="json")
    assert duplicate.status_code == 409
    assert duplicate.json() == {"detail": "A variant with SKU 'TAKEN' already exists."}


def test_variant_sku_with_spaces_is_reported_as_a_validation_issue(client, org):
    product = ProductFactory(organization=org)

    client.post(f"{PIM}/products/{product.id}/variants", {"sku": "RED M"}, format="json")

    issues = client.get(f"{PIM}/validation", {"product_id": str(product.id)}).json()
    assert [(i["code"], i["field"]) for i in issues] == [("invalid_sku", "variants.sku")]


def test_variants_of_another_organizations_product_are_404(client, other_org):
    product = ProductFactory(organization=other_org)

    assert client.post(f"{PIM}/products/{product.id}/variants", {"sku": "X"}, format="json").status_code == 404
    assert client.get(f"{PIM}/products/{product.id}/variants").status_code == 404


# --- Taxonomy ----------------------------------------------------------------------------------


def test_categories_form_a_tree_with_unique_slugs(client, org, other_org):
    root = client.post(f"{PIM}/categories", {"name": "Men", "slug": "men"}, format="json").json()
    child = client.post(f"{PIM}/categories", {"name": "Outerwear", "slug": "mens-outerwear", "parent_id": root["id"]},
                        format="json")
    foreign = CategoryFactory(organization=other_org)

    assert child.status_code == 201 and child.json()["parent_id"] == root["id"]
    assert client.post(f"{PIM}/categories", {"name": "Again", "slug": "men"}, format="json").status_code == 409
    bad_parent = client.post(f"{PIM}/categories", {"name": "X", "slug": "x", "parent_id": str(foreign.id)}, format="json")
    assert list(bad_parent.json()["errors"]) == ["parent_id"]
    assert [c["slug"] for c in client.get(f"{PIM}/categories").json()] == ["men", "mens-outerwear"]
    assert Category.objects.for_org(other_org).count() == 1


def test_brands_are_unique_by_name_case_insensitively(client):
    assert client.post(f"{PIM}/brands", {"name": "Kimex", "logo_url": "https://cdn.example.com/k.png"},
                       format="json").status_code == 201
    assert client.post(f"{PIM}/brands", {"name": "KIMEX"}, format="json").status_code == 409
    assert client.post(f"{PIM}/brands", {"name": "X", "logo_url": "not a url"}, format="json").status_code == 400


def test_attributes_have_types_and_select_options(client):
    group = client.post(f"{PIM}/attribute-groups", {"name": "Look", "code": "look"}, format="json").json()

    color = client.post(f"{PIM}/attributes", {"name": "Color", "code": "color", "data_type": "SELECT",
                                              "options": ["red", "blue"], "group_id": group["id"]}, format="json")
    default = client.post(f"{PIM}/attributes", {"name": "Material", "code": "material"}, format="json")

    assert color.status_code == 201 and color.json()["options"] == ["red", "blue"]
    assert default.json()["data_type"] == "TEXT"
    assert client.post(f"{PIM}/attributes", {"name": "S", "code": "s", "data_type": "SELECT"},
                       format="json").json()["errors"] == {"options": ["A SELECT attribute needs at least one option."]}
    assert client.post(f"{PIM}/attributes", {"name": "N", "code": "n", "data_type": "DATE"}, format="json").status_code == 400
    assert client.post(f"{PIM}/attributes", {"name": "C", "code": "color"}, format="json").status_code == 409
    assert [a["code"] for a in client.get(f"{PIM}/attributes").json()] == ["color", "material"]


def test_templates_list_their_attributes_and_which_are_required(client, org, other_org):
    color = AttributeFactory(organization=org)
    size = AttributeFactory(organization=org)
    foreign = AttributeFactory(organization=other_org)

    response = client.post(f"{PIM}/templates", {"name": "T-shirt", "attributes": [
        {"attribute_id": str(color.id), "required": True}, {"attribute_id": str(size.id)}]}, format="json")

    assert response.status_code == 201
    assert response.json()["attributes"] == [{"attribute_id": str(color.id), "required": True},
                                             {"attribute_id": str(size.id), "required": False}]
    assert TemplateAttribute.objects.filter(required=True).count() == 1
    bad = client.post(f"{PIM}/templates", {"name": "Bad", "attributes": [{"attribute_id": str(foreign.id)}]}, format="json")
    assert bad.status_code == 400
    assert client.get(f"{PIM}/templates").json()[0]["name"] == "T-shirt"


# --- Media -------------------------------------------------------------------------------------


def test_media_attach_to_products_or_variants_and_filter(client, org):
    product = ProductFactory(organization=org)
    variant = VariantFactory(organization=org, product=product)
    other = ProductFactory(organization=org)

    first = client.post(f"{PIM}/media", {"url": "https://cdn.example.com/a.jpg", "product_id": str(product.id),
                                         "alt": "Front", "position": 1}, format="json")
    on_variant = client.post(f"{PIM}/media", {"url": "https://cdn.example.com/b.jpg", "variant_id": str(variant.id)},
                             format="json")
    MediaFactory(organization=org, product=other)

    assert first.status_code == 201 and on_variant.status_code == 201
    assert on_variant.json()["product_id"] == str(product.id)
    assert len(client.get(f"{PIM}/media", {"product_id": str(product.id)}).json()) == 2
    assert [m["url"] for m in client.get(f"{PIM}/media", {"variant_id": str(variant.id)}).json()] == [
        "https://cdn.example.com/b.jpg"]
    assert client.get(f"{PIM}/media", {"product_id": "x"}).status_code == 400


def test_media_needs_a_product_or_variant_of_the_organization(client, org, other_org):
    foreign = ProductFactory(organization=other_org)
    product = ProductFactory(organization=org)
    foreign_variant = VariantFactory(organization=org)

    assert client.post(f"{PIM}/media", {"url": "https://x.example/a.jpg"}, format="json").status_code == 400
    assert client.post(f"{PIM}/media", {"url": "https://x.example/a.jpg", "product_id": str(foreign.id)},
                       format="json").status_code == 400
    mismatch = client.post(f"{PIM}/media", {"url": "https://x.example/a.jpg", "product_id": str(product.id),
                                            "variant_id": str(foreign_variant.id)}, format="json")
    assert mismatch.json()["errors"] == {"variant_id": ["This variant belongs to another product."]}


# --- Stats, validation, audit ------------------------------------------------------------------


def test_stats_count_the_organizations_catalog(client, org, other_org):
    ProductFactory(organization=org, completeness=50)
    ProductFactory(organization=org, status="inactive", completeness=100)
    ProductFactory(organization=org, deleted_at="2026-01-01T00:00:00Z")
    ProductFactory(organization=other_org)
    BrandFactory(organization=org)
    VariantFactory(organization=org)

    body = client.get(f"{PIM}/stats").json()

    assert (body["products"], body["active_products"], body["brands"], body["variants"]) == (3, 2, 1, 1)
    assert body["products_by_workflow_state"]["draft"] == 3
    assert body["average_completeness"] == pytest.approx(50.0)


def test_validation_lists_issues_of_live_products(client, org):
    created = client.post(f"{PIM}/products", {"title": "A", "ean": "3760000000001"}, format="json").json()

    issues = client.get(f"{PIM}/validation").json()

    assert [(i["product_id"], i["code"]) for i in issues] == [(created["id"], "ean_check_digit")]
    client.delete(f"{PIM}/products/{created['id']}")
    assert client.get(f"{PIM}/validation").json() == []


def test_audit_lists_the_organizations_events(client, org, other_org):
    created = client.post(f"{PIM}/products", {"title": "A"}, format="json").json()
    client.put(f"{PIM}/products/{created['id']}", {"title": "B"}, format="json")
    AuditEvent.objects.create(organization=other_org, action="product.created", entity_type="product", entity_id="x")

    events = client.get(f"{PIM}/audit", {"entity_id": created["id"]}).json()

    assert [e["action"] for e in events] == ["product.created", "product.updated"]
    assert events[1]["before"] == {"name": "A"} and events[1]["after"] == {"name": "B"}
    assert len(client.get(f"{PIM}/audit").json()) == 2


def test_variants_carry_typed_attribute_values(client, org):
    product = ProductFactory(organization=org)
    AttributeFactory(organization=org, code="color", data_type="SELECT", options=["red", "blue"])
    AttributeFactory(organization=org, code="length", data_type="NUMBER")
    url = f"{PIM}/products/{product.id}/variants"

    created = client.post(url, {"sku": "RED-M", "attributes": {"color": "red", "length": 1.5}}, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["attributes"] == {"color": "red", "length": 1.5}
    assert client.get(url).json()[0]["attributes"] == {"color": "red", "length": 1.5}
    bad = client.post(url, {"sku": "X", "attributes": {"color": "green", "length": "long", "nope": 1}}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"attributes": ["color: Must be one of: red, blue.", "length: Must be a number.",
                                                   "nope: No attribute with this code in your organization."]}
    assert Variant.objects.filter(sku="X").count() == 0
