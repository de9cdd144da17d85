"""Syncs with Shopify, against a fake Shopify speaking the Admin GraphQL API over real HTTP."""

from decimal import Decimal

import pytest

from connectors import services
from connectors.models import Connector, RemoteProduct
from connectors.sync_base import engine
from pixeepim.auth.actors import SYSTEM
from products.models import PriceList, Product, ProductPrice, ProductStock, Variant, Warehouse
from tests.connectors.syncing import published, sync
from tests.products.factories import BrandFactory, ProductFactory

pytestmark = pytest.mark.django_db


def remote(shopify, product):
    return shopify.product_by_custom_id("pim", "product_id", str(product.id))


def test_push_sends_published_active_products_as_product_set_upserts(org, shopify, shopify_connector):
    brand = BrandFactory(organization=org, name="Acme")
    first = published(org, name="Blue tee", brand=brand, price="19.90", description="<p>Soft</p>")
    second = published(org)
    published(org, status="inactive")
    ProductFactory(organization=org, workflow_state="approved")

    job = sync(shopify_connector, "push_products")

    assert (job.status, job.total, job.processed, job.succeeded, job.created, job.failed) == (
        "succeeded", 2, 2, 2, 2, 0)
    assert len(shopify.products) == 2
    sent = remote(shopify, first)
    assert sent["title"] == "Blue tee" and sent["vendor"] == "Acme" and sent["descriptionHtml"] == "<p>Soft</p>"
    assert sent["status"] == "ACTIVE"
    (variant,) = sent["variants"]
    assert (variant["sku"], variant["barcode"], variant["price"]) == (first.reference, first.ean, "19.90")
    mapping = RemoteProduct.objects.get(connector=shopify_connector, product=first)
    assert mapping.remote_id == sent["id"]
    assert mapping.remote_variants[first.reference]["inventory_item_id"] == variant["inventoryItem"]["id"]
    assert remote(shopify, second) is not None
    shopify_connector.refresh_from_db()
    assert shopify_connector.last_sync_at is not None
    assert shopify_connector.sync_stats == {"products_synced": 2, "products_pending": 0, "last_error": None}


def test_unchanged_products_are_not_sent_again(org, shopify, shopify_connector):
    products = [published(org) for _ in range(3)]
    sync(shopify_connector, "push_products")
    requests_before = len(shopify.received)

    job = sync(shopify_connector, "push_products")
    assert (job.processed, job.skipped, job.succeeded) == (3, 3, 0)
    assert len(shopify.received) == requests_before

    products[1].name = "Renamed"
    products[1].save()
    job = sync(shopify_connector, "push_products")
    assert (job.skipped, job.succeeded, job.created) == (2, 1, 0)
    assert remote(shopify, products[1])["title"] == "Renamed"
    assert len(shopify.products) == 3


def test_named_products_that_are_not_published_are_skipped_and_reported(org, shopify, shopify_connector):
    ready, draft = published(org, status="inactive"), ProductFactory(organization=org)
    missing = "00000000-0000-0000-0000-000000000001"

    job = sync(shopify_connector, "push_products", product_ids=[ready.id, draft.id, missing])

    assert (job.status, job.total, job.processed, job.succeeded, job.skipped) == ("succeeded", 3, 3, 1, 2)
    assert remote(shopify, ready)["status"] == "DRAFT"  # named explicitly, so sent although inactive
    reasons = {error["product_id"]: error["message"] for error in job.errors}
    assert "Not published" in reasons[str(draft.id)] and "No product" in reasons[missing]
    assert remote(shopify, draft) is None


def test_variants_are_sent_as_shopify_variants(org, shopify, shopify_connector):
    product = published(org, price="30.00")
    Variant.objects.create(organization=org, product=product, sku="TEE-S", barcode="4006381333931", price="28.00")
    Variant.objects.create(organization=org, product=product, sku="TEE-M", barcode="")

    sync(shopify_connector, "push_products")

    variants = {v["sku"]: v for v in remote(shopify, product)["variants"]}
    assert variants["TEE-S"]["price"] == "28.00" and variants["TEE-S"]["barcode"] == "4006381333931"
    assert variants["TEE-M"]["price"] == "30.00"
    assert set(RemoteProduct.objects.get(product=product).remote_variants) == {"TEE-S", "TEE-M"}


def test_prices_come_from_the_channel_price_list_when_there_is_one(org, shopify, shopify_connector):
    product, other = published(org, price="19.90"), published(org, price="5.00")
    price_list = PriceList.objects.create(organization=org, name="Shopify FR", channel="shopify")
    ProductPrice.objects.create(organization=org, price_list=price_list, product=product, price="17.50")

    sync(shopify_connector, "push_products")

    assert remote(shopify, product)["variants"][0]["price"] == "17.50"
    assert remote(shopify, other)["variants"][0]["price"] == "5.00"


def test_push_prices_updates_variant_prices_only(org, shopify, shopify_connector):
    product = published(org, price="19.90")
    sync(shopify_connector, "push_products")
    product.price = Decimal("14.00")
    product.save()
    before = len(shopify.received)

    job = sync(shopify_connector, "push_prices")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    assert remote(shopify, product)["variants"][0]["price"] == "14.00"
    assert [ops for ops in shopify.operations()[before:]] == [["productVariantsBulkUpdate"]]


def test_push_stock_sends_the_quantity_summed_over_warehouses(org, shopify, shopify_connector):
    product = published(org)
    sync(shopify_connector, "push_products")
    for code, quantity in (("PAR", 4), ("LYO", 3)):
        warehouse = Warehouse.objects.create(organization=org, code=code, name=code)
        ProductStock.objects.create(organization=org, product=product, warehouse=warehouse, quantity=quantity)

    job = sync(shopify_connector, "push_stock")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    item = RemoteProduct.objects.get(product=product).remote_variants[product.reference]["inventory_item_id"]
    assert shopify.inventory_level(item, "gid://shopify/Location/1") == 7
    (request,) = [r for r in shopify.received if "inventorySetQuantities" in (r.json or {}).get("query", "")]
    (quantity,) = request.json["variables"]["input"]["quantities"]
    assert set(quantity) == {"inventoryItemId", "locationId", "quantity", "changeFromQuantity"}


def test_throttled_requests_wait_for_the_bucket_and_succeed(org, shopify, shopify_connector):
    products = [published(org) for _ in range(3)]
    shopify.throttle_next(times=2)

    job = sync(shopify_connector, "push_products")

    assert (job.status, job.succeeded) == ("succeeded", 3)
    assert all(remote(shopify, p) for p in products)


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 502}, {"status": 429, "headers": {"Retry-After": "0.05"}}])
def test_transient_platform_errors_are_retried(org, shopify, shopify_connector, fault):
    product = published(org)
    shopify.fail_next(**fault, times=2)

    job = sync(shopify_connector, "push_products")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    assert remote(shopify, product) is not None


def test_a_platform_that_keeps_failing_fails_the_job_with_its_reason(org, shopify, shopify_connector, settings):
    settings.PIXEE_CONNECTOR_MAX_ATTEMPTS = 3
    published(org)
    shopify.fail_next(status=503, times=3)

    job = sync(shopify_connector, "push_products")

    assert job.status == "failed" and "3 attempts" in job.error and "HTTP 503" in job.error
    shopify_connector.refresh_from_db()
    assert shopify_connector.status == Connector.Status.ERROR
    assert shopify_connector.sync_stats["last_error"] == job.error
    assert shopify_connector.sync_stats["products_pending"] == 1


def test_a_refused_token_fails_the_job(org, shopify, shopify_connector):
    published(org)
    shopify_connector.credentials = {"access_token": "wrong"}
    shopify_connector.save()

    job = sync(shopify_connector, "push_products")

    assert job.status == "failed" and "refused the access token" in job.error
    assert shopify.products == {}


def test_chunks_of_100_are_checkpointed_and_a_resumed_job_sends_only_the_rest(org, shopify, shopify_connector):
    products = sorted((published(org) for _ in range(150)), key=lambda p: p.id)
    job = services.start_sync(connector=shopify_connector, kind="push_products", actor=SYSTEM)
    seen = []
    engine.run_job(job.id, progress=lambda j: seen.append(j.processed))
    assert seen == [0, 100, 150]  # the start, then one save per chunk

    # A worker killed after the first chunk leaves the job running at its checkpoint.
    shopify.products.clear()
    RemoteProduct.objects.all().delete()
    job = services.start_sync(connector=shopify_connector, kind="push_products", actor=SYSTEM)
    job.status, job.checkpoint, job.processed, job.total = "running", {"after": str(products[99].id)}, 100, 150
    job.save()
    engine.run_job(job.id)
    job.refresh_from_db()

    assert (job.status, job.processed, job.succeeded) == ("succeeded", 150, 50)
    assert {p["metafields"][("pim", "product_id")] for p in shopify.products.values()} == {str(p.id) for p in products[100:]}


def test_pull_matches_by_remote_id_then_ean_and_creates_the_rest(org, shopify, shopify_connector):
    existing = ProductFactory(organization=org, ean="4006381333931", name="Old name")
    shopify.add_product(title="Matched by EAN", vendor="Acme", variants=[{"sku": "A-1", "barcode": "4006381333931",
                                                                         "price": "12.00"}])
    shopify.add_product(title="New one", status="DRAFT", variants=[{"sku": "B-1", "barcode": "", "price": "8.50"}])

    job = sync(shopify_connector, "pull_products")

    assert (job.status, job.processed, job.created, job.succeeded, job.failed) == ("succeeded", 2, 1, 2, 0)
    existing.refresh_from_db()
    assert existing.name == "Matched by EAN" and existing.price == Decimal("12.00") and existing.brand.name == "Acme"
    new = RemoteProduct.objects.exclude(product=existing).get().product
    assert (new.name, new.reference, new.status, new.ean) == ("New one", "B-1", "inactive", None)

    job = sync(shopify_connector, "pull_products")  # matched by remote id now: nothing new
    assert (job.created, job.succeeded) == (0, 2)
    assert RemoteProduct.objects.count() == 2


def test_a_platform_that_times_out_is_retried(org, shopify, shopify_connector, settings):
    settings.PIXEE_CONNECTOR_TIMEOUT = 0.3
    product = published(org)
    shopify.delay_next(1.0)

    job = sync(shopify_connector, "push_products")

    assert (job.status, job.succeeded) == ("succeeded", 1)
    assert remote(shopify, product) is not None


def test_the_connection_test_reports_success_and_latency(member_client, org, shopify, shopify_connector):
    response = member_client(org, "admin").post(f"/api/v1/connectors/{shopify_connector.id}/test")

    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True and body["platform"] == "shopify" and body["latency_ms"] >= 0
    assert "Fake shop" in body["message"]
    assert shopify.operations() == [["shop"]] and shopify.products == {}


def test_the_connection_test_reports_a_refused_token(member_client, org, shopify, shopify_connector):
    shopify_connector.credentials = {"access_token": "revoked"}
    shopify_connector.save()

    body = member_client(org, "admin").post(f"/api/v1/connectors/{shopify_connector.id}/test").json()

    assert body["success"] is False and "refused the access token (HTTP 401)" in body["message"]


def test_the_connection_test_never_reaches_a_forbidden_address(member_client, org, shopify, shopify_connector,
                                                                settings):
    settings.PIXEE_SSRF_ALLOW = []  # the fake on 127.0.0.1 is no longer an allowed destination

    body = member_client(org, "admin").post(f"/api/v1/connectors/{shopify_connector.id}/test").json()

    assert body["success"] is False and "must use https" in body["message"]
    assert shopify.received == []


def test_each_chunk_costs_the_same_number_of_queries_whatever_its_size(org, shopify, shopify_connector):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_push(count):
        RemoteProduct.objects.all().delete()
        Product.objects.all().delete()
        for _ in range(count):
            published(org)
        job = services.start_sync(connector=shopify_connector, kind="push_products", actor=SYSTEM)
        with CaptureQueriesContext(connection) as queries:
            engine.run_job(job.id)
        return len(queries)

    assert queries_to_push(5) == queries_to_push(100)


def test_a_job_whose_connector_was_deleted_ends_quietly(org, shopify, shopify_connector):
    job = services.start_sync(connector=shopify_connector, kind="push_products", actor=SYSTEM)
    shopify_connector.delete()

    assert engine.run_job(job.id) is None
    assert shopify.received == []
