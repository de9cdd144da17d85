"""Delta sync of a 200,000-product catalog through GET /api/v1/ext/products/delta with
page_size=500, running the documentation's own polling loop against gunicorn on PostgreSQL.
Prints products read per second (target: at least 20,000/s).

    python bench/extapi_delta.py [--products 200000]
"""

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.support import account, ean13, gunicorn, setup_django  # noqa: E402

BATCH = 1000



def populate(organization, count):
    from pixeepim.auth.actors import SYSTEM
    from products.services import products as product_services

    for start in range(0, count, BATCH):
        product_services.save_products(
            organization=organization, actor=SYSTEM, mode=product_services.CREATE,
            payloads=[{"ean": ean13(n), "name": f"Produit {n}", "brand_name": f"Brand {n % 40}",
                       "supplier_code": f"SUP{n % 7}", "reference": f"REF-{n}", "weight": 0.5,
                       "description": "Support TV mural fixe, acier, VESA 600x400."}
                      for n in range(start, min(start + BATCH, count))])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=200_000)
    args = parser.parse_args()
    setup_django("pixeepim_bench_ext_delta")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    organization, _, key = account(["ext:products:read"])
    print(f"populating {args.products} products…", flush=True)
    populate(organization, args.products)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with gunicorn(workers=2) as base:
        API_KEY, BASE, last_sync = key, f"{base}/api/v1/ext", "2026-01-01T00:00:00Z"  # noqa: N806
        seen, pages, started = set(), 0, time.perf_counter()
        # The documentation's polling loop, with one kept-alive client: a bare httpx.get() builds a new
        # client (and TLS context) per call, ~35 ms here, which would measure httpx rather than the API.
        client = httpx.Client()
        while True:
            r = client.get(f"{BASE}/products/delta", params={"since": last_sync, "page_size": 500},
                           headers={"X-API-Key": API_KEY})
            body = r.json()
            products = body["data"]
            last_sync = body["meta"]["updated_at"]
            seen.update(p["id"] for p in products)
            pages += 1
            if len(products) < 500:
                break
        seconds = time.perf_counter() - started
    assert len(seen) == args.products, (len(seen), args.products)
    print(f"delta sync: {len(seen)} products in {pages} pages, {seconds:.1f}s, {len(seen) / seconds:,.0f} products/s, "
          f"{seconds / pages * 1000:.1f} ms/page")


if __name__ == "__main__":
    main()
