"""Pushing 10,000 products to a fake Shopify through the sync engine, as a worker runs a push job.

The fake Shopify runs in its own process (so its work never competes with ours for the GIL), with a
cost bucket large enough never to throttle. Prints the job's wall time, the time spent waiting for
the fake (requests and their answers), and what is left: the framework's own overhead — reading
the catalog, building and hashing payloads, recording progress — per product (target: under 1 ms).
A second push of the unchanged catalog shows the cost of skipping by content hash.

    python bench/connector_push.py [--products 10000]
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import account, ean13, setup_django  # noqa: E402


def serve_fake_shopify(pipe):
    from tests.connectors.fakes.shopify import FakeShopify

    with FakeShopify(bucket_size=10**9, restore_rate=10**9) as shop:
        pipe.send(shop.base_url)
        pipe.recv()  # until the benchmark is done
        pipe.send(len(shop.products))


def populate(organization, count):
    """Published, active products with brand and category; one in ten has three variants."""
    from products.models import Brand, Category, Product, Variant

    brand = Brand.objects.create(organization=organization, name="Kimex")
    category = Category.objects.create(organization=organization, name="T-shirts", slug="t-shirts")
    products = [
        Product(organization=organization, name=f"Produit {n}", ean=ean13(n), reference=f"REF-{n}", brand=brand,
                category=category, price=10 + n % 50, weight=1, description=f"<p>Texte {n}</p>",
                workflow_state="published", completeness=100)
        for n in range(count)
    ]
    Product.objects.bulk_create(products, batch_size=5000)
    Variant.objects.bulk_create([
        Variant(organization=organization, product=product, sku=f"{product.reference}-{size}", price=12)
        for product in products[::10] for size in ("S", "M", "L")
    ], batch_size=5000)


def push(connector):
    from connectors import services
    from connectors.sync_base import engine
    from pixeepim.auth.actors import SYSTEM

    job = services.start_sync(connector=connector, kind="push_products", actor=SYSTEM)
    started = time.perf_counter()
    engine.run_job(job.id)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    return job, seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=10_000)
    args = parser.parse_args()

    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    fake = multiprocessing.get_context("spawn").Process(target=serve_fake_shopify, args=(theirs,), daemon=True)
    fake.start()
    base_url = ours.recv()

    # The benchmark runs the job itself, as a worker would: no in-process worker may race it.
    os.environ.update(PIXEE_SSRF_ALLOW="127.0.0.1", PIXEE_IN_PROCESS_WORKER="0")
    setup_django("pixeepim_bench_connectors")
    organization, _, _ = account(["connectors:write"])
    populate(organization, args.products)
    from django.db import connection

    from connectors.models import Connector

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connector = Connector.objects.create(organization=organization, name="Bench shop", platform="shopify",
                                         base_url=base_url, credentials={"access_token": "shpat_test"})

    job, seconds = push(connector)
    waited = job.platform_ms / 1000
    overhead_ms = (seconds - waited) * 1000 / job.processed
    print(f"push products: {job.succeeded:,} of {job.total:,} sent in {seconds:.1f}s "
          f"({job.succeeded / seconds:,.0f} products/s, status {job.status}, {job.failed} failed)")
    print(f"  waiting for the fake Shopify: {waited:.1f}s; framework overhead: {seconds - waited:.1f}s "
          f"= {overhead_ms:.2f} ms per product (target < 1 ms)")

    job, seconds = push(connector)
    print(f"push again, nothing changed: {job.skipped:,} skipped in {seconds:.1f}s "
          f"({seconds * 1000 / job.processed:.2f} ms per product, {job.platform_ms} ms waiting)")
    ours.send("done")
    print(f"  the fake holds {ours.recv():,} products")


if __name__ == "__main__":
    main()
