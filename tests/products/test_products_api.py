"""`/api/v1/products`: list, get, create, patch, soft delete (seed 002, contract §5)."""

import pytest

from products.api.serializers import ProductSerializer
from products.models import AuditEvent, Product, ValidationIssue
from tests.products.factories import BrandFactory, ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products"


@pytest.fixture
def editor(member_client, org):
    return member_client(org, "editor")


def test_create_answers_201_with_the_product(editor, org):
    response = editor.post(PRODUCTS, {"ean": "3760000000001", "name": "Produit exemple", "price": 29.99,
                                      "cost_price": 18.00, "weight": 0.5}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["ean"] == "3760000000001"
    assert body["name"] == "Produit exemple"
    assert body["barcode"] == "3760000000001"  # defaults to the EAN
    assert (body["price"], body["cost_price"], body["weight"]) == (29.99, 18.0, 0.5)
    assert body["is_active"] is True and body["status"] == "active"
    assert body["workflow_state"] == "draft"
    assert body["created_at"].endswith("Z")
    product = Product.objects.get(pk=body["id"])
    assert product.organization == org


def test_every_product_field_is_rendered_as_documented(editor):
    body = editor.post(PRODUCTS, {"ean": "3760000000001", "name": "A"}, format="json").json()

    assert set(body) == set(ProductSerializer().fields)


def test_create_records_an_audit_event_with_the_actor(editor):
    body = editor.post(PRODUCTS, {"ean": "3760000000001", "name": "A"}, format="json").json()

    event = AuditEvent.objects.get(entity_id=body["id"])
    assert event.action == "product.created"
    assert event.actor_user == editor.user
    assert event.after["name"] == "A"


def test_wrong_check_digit_is_accepted_and_reported_as_a_validation_issue(editor):
    body = editor.post(PRODUCTS, {"ean": "3760000000001", "name": "A"}, format="json").json()

    issue = ValidationIssue.objects.get(product_id=body["id"])
    assert issue.code == "ean_check_digit" and issue.field == "ean"


def test_issues_follow_the_fields_they_come_from(editor):
    body = editor.post(PRODUCTS, {"ean": "3760000000001", "name": "A", "reference": "REF 1"}, format="json").json()
    url = f"{PRODUCTS}/{body['id']}"

    # A change to fields no issue depends on keeps them; fixing the reference clears its own.
    assert editor.patch(url, {"name": "B", "price": 10}, format="json").status_code == 200
    assert set(ValidationIssue.objects.values_list("code", "field")) == {("ean_check_digit", "ean"),
                                                                       ("invalid_sku", "reference")}
    assert editor.patch(url, {"reference": "REF-1"}, format="json").status_code == 200
    assert list(ValidationIssue.objects.values_list("code", "field")) == [("ean_check_digit", "ean")]


@pytest.mark.parametrize(
    "payload, field, message",
    [
        ({"name": "A", "ean": "12345"}, "ean", "EAN must be 8, 12, 13 or 14 digits."),
        ({"name": "A", "ean": "37600000000AB"}, "ean", "EAN must be 8, 12, 13 or 14 digits."),
        ({"name": "", "ean": "3760000000001"}, "name", "Must not be empty."),
        ({"name": "x" * 256, "ean": "3760000000001"}, "name", "At most 255 characters (got 256)."),
        ({"name": "A", "ean": "3760000000001", "price": -1}, "price", "Must be between 0 and 999999.99."),
        ({"name": "A", "ean": "3760000000001", "price": 1000000}, "price", "Must be between 0 and 999999.99."),
        ({"name": "A", "ean": "3760000000001", "price": "abc"}, "price", "Must be a number."),
        ({"name": "A", "ean": "3760000000001", "price": 1.999}, "price", "At most 2 decimal places."),
        ({"name": "A", "ean": "3760000000001", "weight": 100000}, "weight", "Must be between 0 and 99999.99."),
        ({"name": "A", "ean": "3760000000001", "is_active": "yes"}, "is_active", "Must be true or false."),
        ({"name": "A", "ean": "3760000000001", "status": "gone"}, "status", "Must be one of: active, inactive, archived."),
        ({"name": "A", "ean": "3760000000001", "colour": "red"}, "colour", "Unknown field."),
        ({"name": "A"}, "ean", "Required to create a product."),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(editor, payload, field, message):
    response = editor.post(PRODUCTS, payload, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert Product.objects.count() == 0


def test_non_object_body_is_a_400(editor):
    response = editor.post(PRODUCTS, ["not", "an", "object"], format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["Each product must be a JSON object."]}


def test_duplicate_ean_is_a_409(editor, org):
    ProductFactory(organization=org, ean="3760000000001")

    response = editor.post(PRODUCTS, {"ean": "3760000000001", "name": "Again"}, format="json")

    assert response.status_code == 409
    assert response.json() == {"detail": "A product with this EAN already exists."}


def test_the_same_ean_in_another_organization_is_fine(editor, other_org):
    ProductFactory(organization=other_org, ean="3760000000001")

    assert editor.post(PRODUCTS, {"ean": "3760000000001", "name": "Ours"}, format="json").status_code == 201


def test_unknown_supplier_brand_or_category_id_is_a_400(editor, other_org):
    foreign_brand = BrandFactory(organization=other_org)

    response = editor.post(PRODUCTS, {"ean": "3760000000001", "name": "A", "brand_id": str(foreign_brand.id)}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"brand_id": ["No brand with this id in your organization."]}


def test_get_returns_the_product(editor, org):
    product = ProductFactory(organization=org)

    body = editor.get(f"{PRODUCTS}/{product.id}").json()

    assert body["id"] == str(product.id) and body["ean"] == product.ean


def test_another_organizations_product_is_404_for_every_method(editor, other_org):
    product = ProductFactory(organization=other_org)
    url = f"{PRODUCTS}/{product.id}"

    assert editor.get(url).status_code == 404
    assert editor.patch(url, {"name": "hijack"}, format="json").status_code == 404
    assert editor.delete(url).status_code == 404
    product.refresh_from_db()
    assert product.name != "hijack" and product.deleted_at is None


def test_patch_changes_only_the_given_fields(editor, org):
    product = ProductFactory(organization=org, name="Before", price="10.00")

    response = editor.patch(f"{PRODUCTS}/{product.id}", {"price": 24.99, "is_active": False}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["price"], body["is_active"], body["status"], body["name"]) == (24.99, False, "inactive", "Before")
    event = AuditEvent.objects.get(action="product.updated")
    assert event.before == {"price": "10.00", "status": "active"}
    assert event.after == {"price": "24.99", "status": "inactive"}


def test_patch_moves_updated_at_forward(editor, org):
    product = ProductFactory(organization=org)

    body = editor.patch(f"{PRODUCTS}/{product.id}", {"name": "New"}, format="json").json()

    assert body["updated_at"] > product.updated_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_patch_with_bad_values_changes_nothing(editor, org):
    product = ProductFactory(organization=org, name="Before")

    response = editor.patch(f"{PRODUCTS}/{product.id}", {"name": "After", "price": -5}, format="json")

    assert response.status_code == 400
    product.refresh_from_db()
    assert product.name == "Before"


def test_patch_to_an_ean_another_product_has_is_409(editor, org):
    ProductFactory(organization=org, ean="3760000000001")
    product = ProductFactory(organization=org)

    response = editor.patch(f"{PRODUCTS}/{product.id}", {"ean": "3760000000001"}, format="json")

    assert response.status_code == 409


def test_delete_is_soft_answers_empty_object_and_frees_the_ean(editor, org):
    product = ProductFactory(organization=org, ean="3760000000001")

    response = editor.delete(f"{PRODUCTS}/{product.id}")

    assert response.status_code == 200 and response.json() == {}
    assert editor.get(f"{PRODUCTS}/{product.id}").status_code == 404
    assert editor.get(PRODUCTS).json()["meta"]["total"] == 0
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert AuditEvent.objects.filter(action="product.deleted", entity_id=str(product.id)).exists()
    assert editor.post(PRODUCTS, {"ean": "3760000000001", "name": "Reborn"}, format="json").status_code == 201


def test_viewer_reads_but_cannot_write(member_client, org):
    viewer = member_client(org, "viewer")
    product = ProductFactory(organization=org)

    assert viewer.get(PRODUCTS).status_code == 200
    assert viewer.post(PRODUCTS, {"ean": "3760000000001", "name": "A"}, format="json").status_code == 403
    assert viewer.delete(f"{PRODUCTS}/{product.id}").status_code == 403


def test_api_key_needs_products_scopes(key_client, org):
    reader = key_client(org, ["products:read"])

    assert reader.get(PRODUCTS).status_code == 200
    assert reader.post(PRODUCTS, {"ean": "3760000000001", "name": "A"}, format="json").status_code == 403
    writer = key_client(org, ["products:read", "products:write"])
    created = writer.post(PRODUCTS, {"ean": "3760000000001", "name": "A"}, format="json")
    assert created.status_code == 201
    assert AuditEvent.objects.get().actor_api_key == writer.api_key


# --- List -------------------------------------------------------------------------------------


def names(response):
    return [item["name"] for item in response.json()["items"]]


def test_list_is_paginated_newest_first(editor, org, other_org):
    for index in range(3):
        ProductFactory(organization=org, name=f"P{index}")
    ProductFactory(organization=other_org)

    response = editor.get(PRODUCTS, {"per_page": 2})

    assert names(response) == ["P2", "P1"]
    assert response.json()["meta"] == {"total": 3, "page": 1, "per_page": 2, "total_pages": 2,
                                       "has_next": True, "has_previous": False}


def test_search_matches_name_ean_and_reference(editor, org):
    ProductFactory(organization=org, name="Support TV mural", ean="3760000000101", reference="KX-1")
    ProductFactory(organization=org, name="Câble HDMI", ean="3760000000202", reference="TVX-9")
    ProductFactory(organization=org, name="Other", ean="4000000000303", reference="Z")

    assert names(editor.get(PRODUCTS, {"search": "support tv"})) == ["Support TV mural"]
    assert names(editor.get(PRODUCTS, {"search": "0000000202"})) == ["Câble HDMI"]
    assert sorted(names(editor.get(PRODUCTS, {"search": "tv"}))) == ["Câble HDMI", "Support TV mural"]


def test_filters_by_is_active_and_supplier(editor, org):
    supplier = SupplierFactory(organization=org)
    ProductFactory(organization=org, name="on", supplier=supplier)
    ProductFactory(organization=org, name="off", status="inactive", supplier=supplier)
    ProductFactory(organization=org, name="other")

    assert names(editor.get(PRODUCTS, {"is_active": "false"})) == ["off"]
    assert sorted(names(editor.get(PRODUCTS, {"is_active": "true", "supplier_id": str(supplier.id)}))) == ["on"]


def test_sorts_by_price_and_name(editor, org):
    ProductFactory(organization=org, name="b", price="5.00")
    ProductFactory(organization=org, name="a", price="50.00")
    ProductFactory(organization=org, name="c", price="1.00")

    assert names(editor.get(PRODUCTS, {"sort_by": "price", "sort_order": "asc"})) == ["c", "b", "a"]
    assert names(editor.get(PRODUCTS, {"sort_by": "name", "sort_order": "desc"})) == ["c", "b", "a"]


@pytest.mark.parametrize("params, field", [
    ({"sort_by": "ean"}, "sort_by"), ({"sort_order": "up"}, "sort_order"),
    ({"is_active": "maybe"}, "is_active"), ({"supplier_id": "x"}, "supplier_id"),
])
def test_bad_list_parameters_are_400(editor, params, field):
    response = editor.get(PRODUCTS, params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
