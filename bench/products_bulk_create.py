"""POST /api/v1/products/bulk with 1,000 products per request, end-to-end over HTTP to gunicorn on
PostgreSQL. Prints products/s (target: at least 5,000/s).

    python bench/products_bulk_create.py [--requests 20]
"""

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.support import account, ean13, gunicorn, setup_django, timed  # noqa: E402

BATCH = 1000



def batch(start):
    return {
        "supplier_code": "KIMEX",
        "products": [
            {"ean": ean13(start + i), "name": f"Produit {start + i}", "price": 10 + (i % 90) + 0.99,
             "cost_price": 6.5, "weight": 0.5, "brand_name": ("Kimex", "Ingram", "Acme")[i % 3],
             "description": "Support TV mural fixe, acier, VESA 600x400.", "reference": f"REF-{start + i}"}
            for i in range(BATCH)
        ],
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    setup_django("pixeepim_bench_bulk")
    _, _, key = account(["products:read", "products:write"])
    session = requests.Session()
    session.headers["X-API-Key"] = key
    with gunicorn(workers=2) as base:
        session.post(f"{base}/api/v1/products/bulk", json=batch(10_000_000)).raise_for_status()  # warm-up
        # Bodies are encoded before the clock starts: the figure is the server's, over HTTP.
        bodies = [json.dumps(batch(i * BATCH)) for i in range(args.requests)]
        durations = []
        for body in bodies:
            seconds, response = timed(lambda: session.post(f"{base}/api/v1/products/bulk", data=body,
                                                           headers={"Content-Type": "application/json"}))
            response.raise_for_status()
            assert response.json()["created"] == BATCH, response.json()
            durations.append(seconds)
    created, total = BATCH * args.requests, sum(durations)
    median = statistics.median(durations)
    print(f"bulk create: {created} products in {args.requests} requests of {BATCH}: "
          f"{created / total:,.0f} products/s overall, median request {median * 1000:.0f} ms "
          f"({BATCH / median:,.0f} products/s)")


if __name__ == "__main__":
    main()
