"""Syncs with BigCommerce, against a fake BigCommerce speaking the Catalog API v3 over real HTTP."""

from decimal import Decimal

import pytest

from connectors.models import RemoteProduct
from products.models import ProductStock, Warehouse
from tests.connectors.syncing import published, sync

pytestmark = pytest.mark.django_db


def requests_to(fake, method, path_end):
    return [r for r in fake.received if r.method == method and r.path.endswith(path_end)]


def test_push_creates_new_products_and_links_ones_found_by_sku(org, bigcommerce, bigcommerce_connector):
    new = published(org, name="Blue tee", price="19.90", weight="0.20")
    known = published(org, name="Red tee", reference="TEE-RED")
    remote_id = bigcommerce.add_product(name="Red tee (shop)", sku="TEE-RED", price=10, weight=1, type="physical")

    job = sync(bigcommerce_connector, "push_products")

    assert (job.status, job.succeeded, job.created, job.failed) == ("succeeded", 2, 1, 0)
    created = bigcommerce.product_by_sku(new.reference)
    assert (created["name"], created["price"], created["weight"], created["gtin"]) == ("Blue tee", 19.9, 0.2, new.ean)
    assert created["type"] == "physical" and created["is_visible"] is True
    assert RemoteProduct.objects.get(product=known).remote_id == str(remote_id)
    assert bigcommerce.products[remote_id]["name"] == "Red tee"  # updated, not duplicated
    assert len(bigcommerce.products) == 2


def test_updates_go_in_batches_of_ten(org, bigcommerce, bigcommerce_connector):
    products = [published(org) for _ in range(25)]
    sync(bigcommerce_connector, "push_products")
    for product in products:
        product.name += " v2"
        product.save()
    before = len(bigcommerce.received)

    job = sync(bigcommerce_connector, "push_products")

    assert (job.succeeded, job.created) == (25, 0)
    batches = [r for r in bigcommerce.received[before:] if r.method == "PUT"]
    assert [len(r.json) for r in batches] == [10, 10, 5]
    assert all(bigcommerce.product_by_sku(p.reference)["name"].endswith(" v2") for p in products)


def test_a_refused_product_is_reported_and_the_others_are_sent(org, bigcommerce, bigcommerce_connector):
    bigcommerce.add_product(name="Taken name", sku="OTHER-SKU", price=1, weight=1, type="physical")
    refused = published(org, name="Taken name")  # BigCommerce product names are unique
    accepted = published(org)

    job = sync(bigcommerce_connector, "push_products")

    assert (job.status, job.succeeded, job.failed) == ("succeeded", 1, 1)
    (error,) = job.errors
    assert error["product_id"] == str(refused.id) and error["ean"] == refused.ean and error["message"]
    assert bigcommerce.product_by_sku(accepted.reference) is not None


def test_rate_limited_requests_wait_for_the_window_reset(org, bigcommerce, bigcommerce_connector):
    product = published(org)
    bigcommerce.rate_limit_next(reset_ms=50, times=2)

    job = sync(bigcommerce_connector, "push_products")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    assert bigcommerce.product_by_sku(product.reference) is not None
    assert sum(1 for r in bigcommerce.received if r.status == 429) == 2


def test_push_stock_sets_absolute_quantities(org, bigcommerce, bigcommerce_connector):
    product = published(org)
    sync(bigcommerce_connector, "push_products")
    warehouse = Warehouse.objects.create(organization=org, code="MAIN", name="Main")
    ProductStock.objects.create(organization=org, product=product, warehouse=warehouse, quantity=12)

    job = sync(bigcommerce_connector, "push_stock")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    remote_id = int(RemoteProduct.objects.get(product=product).remote_id)
    (request,) = requests_to(bigcommerce, "PUT", "/v3/inventory/adjustments/absolute")
    assert request.json["items"] == [{"location_id": 1, "product_id": remote_id, "quantity": 12}]
    assert bigcommerce.inventory_level(location_id=1, product_id=remote_id) == 12


def test_push_prices_updates_product_prices(org, bigcommerce, bigcommerce_connector):
    product = published(org, price="19.90")
    sync(bigcommerce_connector, "push_products")
    product.price = Decimal("9.90")
    product.save()

    job = sync(bigcommerce_connector, "push_prices")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    assert bigcommerce.product_by_sku(product.reference)["price"] == 9.9


def test_pull_pages_through_the_catalog(org, bigcommerce, bigcommerce_connector):
    for n in range(260):
        bigcommerce.add_product(name=f"Remote {n}", sku=f"R-{n}", price=n + 1, weight=1, type="physical")

    job = sync(bigcommerce_connector, "pull_products")

    assert (job.status, job.processed, job.created) == ("succeeded", 260, 260)
    assert len(requests_to(bigcommerce, "GET", "/v3/catalog/products")) == 2
    assert RemoteProduct.objects.filter(connector=bigcommerce_connector).count() == 260


def test_server_errors_and_timeouts_are_retried(org, bigcommerce, bigcommerce_connector, settings):
    settings.PIXEE_CONNECTOR_TIMEOUT = 0.3
    product = published(org)
    bigcommerce.fail_next(500)
    bigcommerce.delay_next(1.0)

    job = sync(bigcommerce_connector, "push_products")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    assert bigcommerce.product_by_sku(product.reference) is not None
    assert [r.status for r in bigcommerce.received][:1] == [500]


def test_a_refused_token_fails_the_job_and_the_connection_test(org, bigcommerce, bigcommerce_connector):
    published(org)
    bigcommerce_connector.credentials = {"access_token": "revoked"}
    bigcommerce_connector.save()

    job = sync(bigcommerce_connector, "push_products")

    assert job.status == "failed" and "refused the access token (HTTP 401)" in job.error
    assert bigcommerce.products == {}
