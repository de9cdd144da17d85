"""The catalog manager's day in the admin: list, search, filter, add, edit with inlines and typed
attributes, bulk actions, history — and only their organization's rows."""

import pytest
from django.test import Client

from products.models import AttributeValue, AuditEvent, Product, Variant
from tests.factories import MembershipFactory, UserFactory
from tests.products.factories import (
    AttributeFactory,
    AttributeGroupFactory,
    BrandFactory,
    CategoryFactory,
    MediaFactory,
    ProductFactory,
    TemplateAttributeFactory,
    TemplateFactory,
    ValidationIssueFactory,
    ean13,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/products/product/"
# The product page's inline formsets (the workflow app adds its read-only history).
INLINES = ["variants", "media", "stock", "channel_prices", "workflow_transitions"]


def staff(organization, role="editor"):
    membership = MembershipFactory(organization=organization, role=role, user=UserFactory(is_staff=True))
    client = Client()
    client.force_login(membership.user)
    client.user = membership.user
    return client


def form_data(**fields):
    data = {"status": "active", "unit_of_measure": "", **fields}
    for prefix in INLINES:
        data.setdefault(f"{prefix}-TOTAL_FORMS", "0")
        data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    return data


def change_data(product, **fields):
    values = {name: getattr(product, name) or "" for name in [
        "name", "ean", "reference", "description", "short_description", "barcode", "gtin", "upc", "asin",
        "external_id", "url_slug", "price", "cost_price", "weight", "width", "height", "depth", "unit_of_measure"]}
    values.update({name: getattr(product, f"{name}_id") or "" for name in ["brand", "category", "supplier", "template"]})
    values["status"] = product.status
    return form_data(**{**values, **fields})


# --- List --------------------------------------------------------------------------------------


def test_list_shows_thumbnail_ean_brand_category_state_and_completeness(org):
    brand, category = BrandFactory(organization=org, name="Kimex"), CategoryFactory(organization=org, name="TV mounts")
    product = ProductFactory(organization=org, name="Support TV", brand=brand, category=category, completeness=80)
    MediaFactory(organization=org, product=product, url="https://cdn.example.com/front.jpg")

    page = staff(org).get(LIST).content.decode()

    for text in ["Support TV", product.ean, "Kimex", "TV mounts", "draft", 'title="80%"',
                 "https://cdn.example.com/front.jpg"]:
        assert text in page


def test_list_shows_only_the_users_organizations_products(org, other_org):
    ProductFactory(organization=org, name="Ours")
    theirs = ProductFactory(organization=other_org, name="Theirs")
    client = staff(org)

    page = client.get(LIST).content.decode()

    assert "Ours" in page and "Theirs" not in page
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code == 302  # "does not exist" redirect


def test_list_hides_deleted_products(org):
    ProductFactory(organization=org, name="Gone", deleted_at="2026-01-01T00:00:00Z")

    assert "Gone" not in staff(org).get(LIST).content.decode()


def test_search_by_ean_name_or_reference(org):
    ProductFactory(organization=org, name="Support TV", ean=ean13(1), reference="KX-100")
    ProductFactory(organization=org, name="Câble", ean=ean13(2), reference="CB-7")
    client = staff(org)

    def found(term):
        page = client.get(LIST, {"q": term}).content.decode()
        return sorted(name for name in ("Support TV", "Câble") if name in page)

    assert found("support") == ["Support TV"]
    assert found(ean13(2)) == ["Câble"]
    assert found("kx-1") == ["Support TV"]


def test_filters_by_brand_completeness_and_validation_issues(org):
    brand = BrandFactory(organization=org, name="Kimex")
    ProductFactory(organization=org, name="Complete one", brand=brand, completeness=100)
    flawed = ProductFactory(organization=org, name="Flawed one", completeness=30)
    ValidationIssueFactory(organization=org, product=flawed)
    client = staff(org)

    def names(params):
        page = client.get(LIST, params).content.decode()
        return [name for name in ("Complete one", "Flawed one") if name in page]

    assert names({"brand_id": str(brand.pk)}) == ["Complete one"]
    assert names({"completeness": "100"}) == ["Complete one"]
    assert names({"completeness": "25-49"}) == ["Flawed one"]
    assert names({"has_issues": "yes"}) == ["Flawed one"]
    assert names({"has_issues": "no"}) == ["Complete one"]


def test_brand_filter_offers_only_the_users_brands(org, other_org):
    BrandFactory(organization=org, name="OurBrand")
    BrandFactory(organization=other_org, name="TheirBrand")

    page = staff(org).get(LIST).content.decode()

    assert "OurBrand" in page and "TheirBrand" not in page


# --- Add and change ------------------------------------------------------------------------------


def test_add_a_product(org):
    client = staff(org)
    brand = BrandFactory(organization=org)

    response = client.post(f"{LIST}add/", form_data(organization=org.pk, name="New product", ean=ean13(7),
                                                     brand=brand.pk, price="12.50"))

    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(ean=ean13(7))
    assert (product.name, product.brand, str(product.price), product.organization) == ("New product", brand, "12.50", org)
    assert AuditEvent.objects.get(action="product.created").actor_user == client.user


def test_add_refuses_bad_ean_duplicate_ean_and_another_orgs_brand(org, other_org):
    ProductFactory(organization=org, ean=ean13(1))
    client = staff(org)

    bad = client.post(f"{LIST}add/", form_data(organization=org.pk, name="A", ean="123"))
    duplicate = client.post(f"{LIST}add/", form_data(organization=org.pk, name="A", ean=ean13(1)))
    foreign = client.post(f"{LIST}add/", form_data(organization=org.pk, name="A",
                                                   brand=BrandFactory(organization=other_org).pk))

    assert "EAN must be 8, 12, 13 or 14 digits." in bad.content.decode()
    assert duplicate.status_code == 200 and Product.objects.count() == 1
    assert foreign.status_code == 200
    assert Product.objects.count() == 1


def test_change_a_product_and_add_a_variant_inline(org):
    product = ProductFactory(organization=org, name="Before")
    client = staff(org)

    response = client.post(f"{LIST}{product.pk}/change/", change_data(
        product, name="After", **{"variants-TOTAL_FORMS": "1", "variants-0-sku": "RED-M", "variants-0-price": "9.90",
                                   "variants-0-currency": "EUR", "variants-0-barcode": ""}))

    assert response.status_code == 302, response.content.decode()[:3000]
    product.refresh_from_db()
    assert product.name == "After"
    variant = Variant.objects.get(product=product)
    assert (variant.sku, variant.organization) == ("RED-M", org)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"product.updated", "product.variant_added"} <= actions


def test_variant_sku_taken_by_another_product_is_refused(org):
    Variant.objects.create(organization=org, product=ProductFactory(organization=org), sku="TAKEN")
    product = ProductFactory(organization=org)

    response = staff(org).post(f"{LIST}{product.pk}/change/", change_data(
        product, **{"variants-TOTAL_FORMS": "1", "variants-0-sku": "TAKEN", "variants-0-currency": "EUR"}))

    assert response.status_code == 200
    assert "Another product already has a variant with this SKU." in response.content.decode()


def test_attributes_are_grouped_by_group_with_typed_widgets_and_saved(org):
    look = AttributeGroupFactory(organization=org, name="Look")
    color = AttributeFactory(organization=org, name="Color", data_type="SELECT", options=["red", "blue"], group=look)
    length = AttributeFactory(organization=org, name="Length", data_type="NUMBER")
    template = TemplateFactory(organization=org)
    TemplateAttributeFactory(template=template, attribute=color, required=True)
    TemplateAttributeFactory(template=template, attribute=length)
    product = ProductFactory(organization=org, template=template)
    client = staff(org)

    page = client.get(f"{LIST}{product.pk}/change/").content.decode()
    assert "Attributes — Look" in page
    assert f'<select name="attribute__{color.pk}"' in page and '<option value="blue">' in page
    assert f'name="attribute__{length.pk}"' in page and 'type="number"' in page
    assert "Color *" in page

    response = client.post(f"{LIST}{product.pk}/change/", change_data(
        product, **{f"attribute__{color.pk}": "blue", f"attribute__{length.pk}": "1.5"}))

    assert response.status_code == 302, response.content.decode()[:3000]
    values = {v.attribute_id: v.value for v in AttributeValue.objects.filter(product=product).select_related("attribute")}
    assert values[color.pk] == "blue" and float(values[length.pk]) == 1.5
    assert AuditEvent.objects.filter(action="product.attributes_updated").exists()


def test_history_lists_the_products_audit_events(org):
    client = staff(org)
    client.post(f"{LIST}add/", form_data(organization=org.pk, name="Tracked", ean=ean13(3)))
    product = Product.objects.get(ean=ean13(3))
    client.post(f"{LIST}{product.pk}/change/", change_data(product, name="Tracked v2"))

    page = client.get(f"{LIST}{product.pk}/history/").content.decode()

    assert "product.created" in page and "product.updated" in page and client.user.email in page


def test_viewer_sees_but_cannot_change(org):
    product = ProductFactory(organization=org, name="Read only")
    viewer = staff(org, "viewer")

    assert viewer.get(LIST).status_code == 200
    response = viewer.post(f"{LIST}{product.pk}/change/", change_data(product, name="Changed"))
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "Read only"


# --- Bulk actions ------------------------------------------------------------------------------


def test_deactivate_and_activate_actions(org):
    products = [ProductFactory(organization=org) for _ in range(2)]
    client = staff(org)
    selected = [str(p.pk) for p in products]

    client.post(LIST, {"action": "deactivate", "_selected_action": selected})
    assert set(Product.objects.values_list("status", flat=True)) == {"inactive"}

    client.post(LIST, {"action": "activate", "_selected_action": selected})
    assert set(Product.objects.values_list("status", flat=True)) == {"active"}
    assert AuditEvent.objects.filter(action="product.updated").count() == 4


def test_assign_category_action_asks_then_moves(org):
    products = [ProductFactory(organization=org) for _ in range(2)]
    category = CategoryFactory(organization=org, name="Outerwear")
    client = staff(org)
    selected = [str(p.pk) for p in products]

    ask = client.post(LIST, {"action": "assign_category", "_selected_action": selected})
    assert "Outerwear" in ask.content.decode()

    client.post(LIST, {"action": "assign_category", "_selected_action": selected, "apply": "1",
                       "category": str(category.pk)})
    assert set(Product.objects.values_list("category", flat=True)) == {category.pk}


def test_export_selection_downloads_csv(org):
    product = ProductFactory(organization=org, name="Exported")

    response = staff(org).post(LIST, {"action": "export_selection", "_selected_action": [str(product.pk)]})

    content = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv"
    assert content.splitlines()[0].startswith("id,ean,name")
    assert "Exported" in content


def test_the_product_list_runs_a_constant_number_of_queries(org, django_assert_max_num_queries):
    client = staff(org)
    brand = BrandFactory(organization=org)
    for _ in range(5):
        MediaFactory(organization=org, product=ProductFactory(organization=org, brand=brand))
    with django_assert_max_num_queries(30) as few:
        client.get(LIST)
    for _ in range(30):
        MediaFactory(organization=org, product=ProductFactory(organization=org, brand=BrandFactory(organization=org)))

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)
