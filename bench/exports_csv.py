"""Exporting 100,000 products to CSV on PostgreSQL, as the exports worker does (target: under 20 s,
memory flat). The export runs in a fresh process, as in a worker; prints the time, rows/s, the
file's size, and that process's peak resident memory — flat: the same for 10,000 and 100,000 rows.

    python bench/exports_csv.py [--products 100000]
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import account, ean13, in_a_fresh_process, setup_django  # noqa: E402


def populate(organization, count):
    from products.models import Brand, Category, Product, Supplier

    brand, _ = Brand.objects.get_or_create(organization=organization, name="Kimex")
    category, _ = Category.objects.get_or_create(organization=organization, name="T-shirts", slug="t-shirts")
    supplier, _ = Supplier.objects.get_or_create(organization=organization, code="KIMEX", name="Kimex")
    for start in range(0, count, 10_000):
        Product.objects.bulk_create([
            Product(organization=organization, name=f"Produit {n}", ean=ean13(n), reference=f"REF-{n}", brand=brand,
                    category=category, supplier=supplier, price=10 + n % 50, weight=1,
                    description=f"<p>Description du produit {n}</p>")
            for n in range(start, min(start + 10_000, count))
        ])


def run_export(pipe, job_id):
    import django

    django.setup()
    from exports import services

    started = time.perf_counter()
    job = services.run_export(job_id)
    seconds = time.perf_counter() - started
    pipe.send((job.rows, job.size, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def export_in_a_worker_process(organization, export_format):
    from exports import services
    from pixeepim.auth.actors import SYSTEM

    job = services.start_export(organization=organization, export_format=export_format, filters={}, actor=SYSTEM)
    return in_a_fresh_process(run_export, str(job.id))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--format", default="csv", choices=["csv", "json", "excel", "zip"])
    args = parser.parse_args()
    os.environ["PIXEE_IN_PROCESS_WORKER"] = "0"  # the benchmark runs the job itself, as a worker would
    setup_django("pixeepim_bench_exports")
    organization, _, _ = account(["products:read"])
    from django.db import connection

    from products.models import Product

    for count in (args.products // 10, args.products):
        Product.objects.all().delete()
        populate(organization, count)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        rows, size, seconds, peak_kb = export_in_a_worker_process(organization, args.format)
        print(f"{args.format} export: {rows:,} products in {seconds:.1f}s ({rows / seconds:,.0f} rows/s), "
              f"file {size / 1e6:.1f} MB, worker peak memory {peak_kb / 1e3:.0f} MB")
    print("target: 100,000 products under 20 s, the same peak memory for both sizes")


if __name__ == "__main__":
    main()
