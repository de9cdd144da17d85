"""POST /api/v1/ext/products/batch with 500 products per request, end-to-end over HTTP to gunicorn
on PostgreSQL, for creates and for updates — against a raw-SQL baseline measured in the same run
(one INSERT … ON CONFLICT DO UPDATE statement per 500 rows into the same table). Prints both and
their ratio (target: at least 7,500 products/s, and 25% of the baseline or more).

    python bench/extapi_batch.py [--batches 20]
"""

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.support import account, ean13, gunicorn, setup_django, timed  # noqa: E402

BATCH = 500


def items(start, suffix=""):
    return [{"ean": ean13(n), "name": f"Produit {n}{suffix}", "brand_name": ("KIMEX", "INGRAM", "ACME")[n % 3],
             "supplier_code": "KIMEX", "reference": f"REF-{n}", "weight": 1.5, "status": "active",
             "description": f"Support TV mural fixe {suffix}"} for n in range(start, start + BATCH)]


# The baseline's columns and their PostgreSQL types (what a product row needs, as the API writes it).
RAW_COLUMNS = [
    ("id", "uuid"), ("organization_id", "uuid"), ("ean", "text"), ("name", "text"), ("barcode", "text"),
    ("description", "text"), ("short_description", "text"), ("reference", "text"), ("asin", "text"), ("upc", "text"),
    ("gtin", "text"), ("status", "text"), ("unit_of_measure", "text"), ("external_id", "text"),
    ("workflow_state", "text"), ("completeness", "int"), ("weight", "numeric"), ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"),
]


def raw_sql_rows_per_second(database_url, organization, batches, start):
    """The physical limit: the same rows into the same table, one INSERT … ON CONFLICT DO UPDATE per
    500 rows, straight through psycopg, no application at all. The rows travel as one array per
    column (unnest): twice as fast here as a VALUES list of 9,500 parameters, so the figure is the
    ceiling rather than a slow way of reaching it."""
    import psycopg
    from django.utils import timezone

    sql = (f"INSERT INTO products_product ({', '.join(name for name, _ in RAW_COLUMNS)}) "
           f"SELECT * FROM unnest({', '.join(f'%s::{kind}[]' for _, kind in RAW_COLUMNS)}) "
           "ON CONFLICT (organization_id, ean) WHERE deleted_at IS NULL AND ean IS NOT NULL DO UPDATE SET "
           "name = EXCLUDED.name, description = EXCLUDED.description, weight = EXCLUDED.weight, "
           "updated_at = EXCLUDED.updated_at")

    def run(connection, suffix):
        durations = []
        for b in range(batches):
            now = timezone.now()
            rows = [[uuid.uuid4(), organization.id, item["ean"], item["name"], item["ean"], item["description"], "",
                     item["reference"], "", "", "", "active", "", "", "draft", 0, item["weight"], now, now]
                    for item in items(start + b * BATCH, suffix)]
            began = time.perf_counter()
            with connection.transaction():
                connection.execute(sql, [list(column) for column in zip(*rows)])
            durations.append(time.perf_counter() - began)
        return BATCH * batches / sum(durations)

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as connection:
        return run(connection, ""), run(connection, " v2")


def api_products_per_second(base, key, batches, start, suffix):
    session = requests.Session()
    session.headers.update({"X-API-Key": key, "Content-Type": "application/json"})
    bodies = [json.dumps({"products": items(start + b * BATCH, suffix)}) for b in range(batches)]
    durations = []
    for body in bodies:
        seconds, response = timed(lambda: session.post(f"{base}/api/v1/ext/products/batch", data=body))
        response.raise_for_status()
        data = response.json()["data"]
        assert data["errors"] == 0, data["results"][:3]
        durations.append(seconds)
    return BATCH * batches / sum(durations), statistics.median(durations)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args()
    database_url = setup_django("pixeepim_bench_ext_batch")
    organization, _, key = account(["ext:products:read", "ext:products:write"])
    raw_create, raw_update = raw_sql_rows_per_second(database_url, organization, args.batches, start=5_000_000)
    with gunicorn(workers=2) as base:
        api_products_per_second(base, key, 2, 9_000_000, "")  # warm-up (brands, supplier, connections)
        api_create, create_median = api_products_per_second(base, key, args.batches, 0, "")
        api_update, update_median = api_products_per_second(base, key, args.batches, 0, " v2")
    print(f"raw SQL baseline: creates {raw_create:,.0f} rows/s, updates {raw_update:,.0f} rows/s")
    print(f"API batch creates: {api_create:,.0f} products/s (median request {create_median * 1000:.0f} ms), "
          f"ratio {api_create / raw_create:.0%}")
    print(f"API batch updates: {api_update:,.0f} products/s (median request {update_median * 1000:.0f} ms), "
          f"ratio {api_update / raw_update:.0%}")


if __name__ == "__main__":
    main()
