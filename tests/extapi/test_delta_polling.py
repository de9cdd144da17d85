"""The External API documentation's polling loop, run as written against a live server: it ends,
and it sees every product — after 500-product batches written in one transaction each, and while
other writes go on (contract §6)."""

import itertools
import threading

import httpx
import pytest
from django.db import connection

from pixeepim.auth.actors import SYSTEM
from products.models import Product
from products.services import products as product_services
from tests.factories import OrganizationFactory, make_api_key
from tests.products.factories import ean13

# The loop of the External API documentation ("Delta sync › Polling loop (Python)"), verbatim.
SEED_POLLING_LOOP = """
while True:
    r = httpx.get(
        f"{BASE}/products/delta",
        params={"since": last_sync, "page_size": 500},
        headers={"X-API-Key": API_KEY},
    )
    body = r.json()
    products = body["data"]
    last_sync = body["meta"]["updated_at"]

    process(products)      # your integration logic
    if len(products) < 500:
        break              # no more pages
"""
MAX_POLLS = 200  # a loop that does not end is a failure, not a hung test


def run_seed_loop(base, api_key, last_sync):
    """Runs the loop; returns ``({product id: latest updated_at seen}, last_sync, polls)``."""
    seen, polls = {}, itertools.count(1)

    def process(products):
        if next(polls) > MAX_POLLS:
            raise AssertionError("the polling loop did not end")
        for product in products:
            seen[product["id"]] = max(seen.get(product["id"], ""), product["updated_at"])

    scope = {"httpx": httpx, "BASE": f"{base}/api/v1/ext", "API_KEY": api_key, "last_sync": last_sync,
             "process": process}
    exec(SEED_POLLING_LOOP, scope)
    return seen, scope["last_sync"], next(polls) - 1


def write_batch(organization, start, size, *, name="Produit"):
    """One batch of upserts in one transaction, as POST /ext/products/batch writes it."""
    results = product_services.save_products(
        organization=organization, actor=SYSTEM, mode=product_services.UPSERT,
        payloads=[{"ean": ean13(n), "name": f"{name} {n}", "brand_name": "KIMEX"} for n in range(start, start + size)])
    assert all(r.status in ("created", "updated") for r in results)


def db_versions(organization):
    from pixeepim.api.formats import iso_utc

    return {str(pid): iso_utc(updated_at) for pid, updated_at in
            Product.objects.for_org(organization).live().values_list("id", "updated_at")}


@pytest.fixture
def organization(transactional_db):
    return OrganizationFactory()


@pytest.fixture
def api_key(organization):
    return make_api_key(organization, ["ext:products:read"])[1]


def test_the_loop_ends_and_sees_every_product_of_500_product_batches(live_server, organization, api_key):
    for start in range(0, 1600, 500):  # 500, 500, 500, 100: each batch one transaction
        write_batch(organization, start, min(500, 1600 - start))

    seen, _, polls = run_seed_loop(live_server.url, api_key, "2026-01-01T00:00:00Z")

    assert seen == db_versions(organization)
    assert len(seen) == 1600
    assert polls == 4  # 500 new per page; each page repeats only the previous page's last item


def test_the_loop_misses_nothing_while_other_writes_go_on(live_server, organization, api_key):
    write_batch(organization, 0, 1200)
    # The key's first use records it (a write): done now, so that on SQLite, which has one writer
    # at a time, the loop's first call does not queue behind the batches below.
    httpx.get(f"{live_server.url}/api/v1/ext/status", headers={"X-API-Key": api_key}).raise_for_status()
    stop = threading.Event()
    written = []

    def writer(offset):
        try:
            for round_number in range(12):
                if stop.is_set():
                    break
                # New products and updates of existing ones, 500 per transaction.
                write_batch(organization, offset + round_number * 250, 500, name=f"Round {round_number}")
                written.append((offset, round_number))
        finally:
            connection.close()

    # Two writers at once: a transaction that took its timestamps first may commit last.
    threads = [threading.Thread(target=writer, args=(offset,)) for offset in (1000, 100_000)]
    for thread in threads:
        thread.start()
    try:
        seen, last_sync, _ = run_seed_loop(live_server.url, api_key, "2026-01-01T00:00:00Z")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert written, "the writers wrote nothing while the loop ran"

    # The next sync, from where the first stopped, completes the picture: every product, each at
    # its latest version.
    later, _, _ = run_seed_loop(live_server.url, api_key, last_sync)
    for product_id, updated_at in later.items():
        seen[product_id] = max(seen.get(product_id, ""), updated_at)
    assert seen == db_versions(organization)
