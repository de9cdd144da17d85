"""`POST /products/bulk` and `PATCH /products/bulk`: per-item results, never a half-written item,
and a constant number of queries whatever the batch size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.models import AuditEvent, Product, Supplier, ValidationIssue
from tests.products.factories import ProductFactory, ean13

pytestmark = pytest.mark.django_db

BULK = "/api/v1/products/bulk"


@pytest.fixture
def editor(member_client, org):
    return member_client(org, "editor")


def items(count, start=0, **extra):
    return [{"ean": ean13(start + i), "name": f"Item {start + i}", "price": 10.0 + i, **extra} for i in range(count)]


def test_bulk_create_creates_every_item_and_reports_each(editor, org):
    response = editor.post(BULK, {"products": items(3)}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["skipped"], body["errors"], body["dry_run"]) == (3, 0, 0, False)
    assert [r["status"] for r in body["results"]] == ["created"] * 3
    assert {r["id"] for r in body["results"]} == {str(i) for i in Product.objects.values_list("id", flat=True)}
    assert AuditEvent.objects.filter(action="product.created").count() == 3


def test_existing_ean_is_reported_per_item_and_the_others_still_apply(editor, org):
    ProductFactory(organization=org, ean=ean13(1))

    body = editor.post(BULK, {"products": items(3)}, format="json").json()

    assert (body["created"], body["skipped"], body["errors"]) == (2, 0, 1)
    assert body["results"][1] == {"ean": ean13(1), "status": "error",
                                  "errors": {"ean": ["A product with this EAN already exists."]}}


def test_skip_duplicates_skips_existing_eans(editor, org):
    ProductFactory(organization=org, ean=ean13(1))

    body = editor.post(BULK, {"products": items(3), "skip_duplicates": True}, format="json").json()

    assert (body["created"], body["skipped"], body["errors"]) == (2, 1, 0)
    assert body["results"][1] == {"ean": ean13(1), "status": "skipped"}


def test_an_invalid_item_is_reported_with_its_fields_and_never_half_written(editor):
    payload = items(3)
    payload[1]["price"] = -3
    payload[1]["name"] = ""

    body = editor.post(BULK, {"products": payload}, format="json").json()

    assert body["results"][1]["errors"] == {"name": ["Must not be empty."], "price": ["Must be between 0 and 999999.99."]}
    assert Product.objects.count() == 2
    assert not Product.objects.filter(ean=ean13(1)).exists()


def test_the_same_ean_twice_in_one_request_keeps_the_first(editor):
    payload = items(2) + [{"ean": ean13(0), "name": "Twin"}]

    body = editor.post(BULK, {"products": payload}, format="json").json()

    assert body["results"][2]["errors"] == {"ean": ["Duplicate EAN in this request."]}
    assert Product.objects.get(ean=ean13(0)).name == "Item 0"


def test_dry_run_validates_without_writing(editor):
    body = editor.post(BULK, {"products": items(2) + [{"ean": "1"}], "dry_run": True}, format="json").json()

    assert (body["created"], body["errors"], body["dry_run"]) == (2, 1, True)
    assert Product.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_supplier_code_is_associated_with_every_product(editor, org):
    editor.post(BULK, {"products": items(2), "supplier_code": "KIMEX"}, format="json")

    supplier = Supplier.objects.get(organization=org, code="KIMEX")
    assert Product.objects.filter(supplier=supplier).count() == 2


def test_more_than_1000_items_is_a_400(editor):
    response = editor.post(BULK, {"products": [{}] * 1001}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["products"]


def test_empty_or_missing_products_is_a_400(editor):
    assert editor.post(BULK, {"products": []}, format="json").status_code == 400
    assert editor.post(BULK, {}, format="json").status_code == 400


def test_wrong_check_digits_become_validation_issues(editor):
    editor.post(BULK, {"products": [{"ean": "3760000000001", "name": "A"}, {"ean": ean13(5), "name": "B"}]}, format="json")

    assert list(ValidationIssue.objects.values_list("product__ean", "code")) == [("3760000000001", "ean_check_digit")]


def test_bulk_update_matches_by_ean(editor, org):
    ProductFactory(organization=org, ean=ean13(0), price="1.00")
    ProductFactory(organization=org, ean=ean13(1))

    body = editor.patch(BULK, {"products": [{"ean": ean13(0), "price": 9.99}, {"ean": ean13(1), "is_active": False}]},
                        format="json").json()

    assert (body["updated"], body["skipped"], body["errors"]) == (2, 0, 0)
    assert str(Product.objects.get(ean=ean13(0)).price) == "9.99"
    assert Product.objects.get(ean=ean13(1)).status == "inactive"


def test_bulk_update_reports_or_skips_unknown_eans(editor, org):
    ProductFactory(organization=org, ean=ean13(0))
    payload = {"products": [{"ean": ean13(0), "name": "N"}, {"ean": ean13(9), "name": "M"}, {"name": "no ean"}]}

    body = editor.patch(BULK, payload, format="json").json()
    assert (body["updated"], body["errors"]) == (1, 2)
    assert body["results"][1]["errors"] == {"ean": ["No product with this EAN."]}
    assert body["results"][2]["errors"] == {"ean": ["Required to find the product to update."]}

    skipped = editor.patch(BULK, {**payload, "skip_not_found": True}, format="json").json()
    assert (skipped["updated"], skipped["skipped"], skipped["errors"]) == (1, 1, 1)


def test_bulk_update_never_touches_another_organization(editor, other_org):
    ProductFactory(organization=other_org, ean=ean13(0), name="Theirs")

    body = editor.patch(BULK, {"products": [{"ean": ean13(0), "name": "Hijacked"}]}, format="json").json()

    assert body["errors"] == 1
    assert Product.objects.get(ean=ean13(0)).name == "Theirs"


def test_bulk_update_dry_run_writes_nothing(editor, org):
    ProductFactory(organization=org, ean=ean13(0), name="Before")

    body = editor.patch(BULK, {"products": [{"ean": ean13(0), "name": "After"}], "dry_run": True}, format="json").json()

    assert body["updated"] == 1
    assert Product.objects.get(ean=ean13(0)).name == "Before"


def queries_for(request):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite splits statements at 999 parameters; the count is asserted on PostgreSQL.")
    with CaptureQueriesContext(connection) as context:
        response = request()
    assert response.status_code == 200
    return len(context)


def test_bulk_create_runs_in_a_constant_number_of_queries(editor):
    def create(start, size):
        return lambda: editor.post(BULK, {"products": items(size, start, brand_name="Kimex"), "supplier_code": "KIMEX"},
                                   format="json")

    create(0, 1)()  # the brand and supplier now exist: creating them is not part of the comparison
    small, large = queries_for(create(1, 10)), queries_for(create(11, 1000))

    # Session, membership, references, existing rows, lock and times, per table written a staging
    # table, its COPY and one INSERT, then completeness: about thirty statements for 10 or 1,000.
    assert small == large <= 32
    assert Product.objects.count() == 1011


def test_bulk_update_runs_in_a_constant_number_of_queries(editor):
    editor.post(BULK, {"products": items(1000)}, format="json")
    editor.post(BULK, {"products": items(10, 1000)}, format="json")

    def update(start, size):
        changes = [{"ean": ean13(i), "price": 5.5, "name": f"Renamed {i}"} for i in range(start, start + size)]
        return lambda: editor.patch(BULK, {"products": changes}, format="json")

    small, large = queries_for(update(0, 10)), queries_for(update(10, 1000))

    assert small == large <= 32
    assert Product.objects.filter(name__startswith="Renamed").count() == 1010
