"""Importing a 100,000-row supplier CSV on PostgreSQL, as the imports worker does (target: at
least 5,000 rows/s, memory flat). The file is written first (half the rows update products that
exist, half create new ones; --existing changes the share); the import then runs in a fresh process, which reports its rows/s
and its largest resident memory seen after a batch — flat: the same for 10,000 and 100,000 rows.

    python bench/imports_csv.py [--rows 100000]
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import account, ean13, in_a_fresh_process, setup_django  # noqa: E402


def write_file(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["EAN", "Title", "Brand", "Supplier", "Prix", "Poids", "Description"])
        for n in range(rows):
            writer.writerow([ean13(n), f"Produit {n}", f"Marque {n % 20}", "KIMEX", f"{10 + n % 50},90", "0,25",
                             f"Description du produit {n}"])


def existing_products(organization, count):
    from products.models import Product

    Product.objects.bulk_create([Product(organization=organization, name=f"Ancien {n}", ean=ean13(n))
                                 for n in range(count)], batch_size=5000)


def resident_mb():
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 1e6


def run_import(pipe, job_id):
    import django

    django.setup()
    from imports import services

    samples = []
    started = time.perf_counter()
    job = services.run_import(job_id, progress=lambda _: samples.append(resident_mb()))
    seconds = time.perf_counter() - started
    pipe.send((job.status, job.processed, job.created, job.updated, job.failed, seconds, max(samples)))


def import_in_a_worker_process(organization, path):
    from django.core.files import File

    from imports import services
    from pixeepim.auth.actors import SYSTEM

    with open(path, "rb") as handle:
        job = services.start_import(organization=organization, file=File(handle, name="bench.csv"),
                                    file_name="bench.csv", actor=SYSTEM, enqueue=False)
    return in_a_fresh_process(run_import, str(job.id))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--existing", type=float, default=0.5, help="Share of the rows whose product exists.")
    args = parser.parse_args()
    os.environ["PIXEE_IN_PROCESS_WORKER"] = "0"  # the benchmark runs the job itself, as a worker would
    setup_django("pixeepim_bench_imports")
    from django.db import connection

    from products.models import Product

    organization, _, _ = account(["products:write"])
    for rows in (args.rows // 10, args.rows):
        Product.objects.all().delete()
        existing_products(organization, int(rows * args.existing))
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "kimex.csv"
            write_file(path, rows)
            size = path.stat().st_size
            status, processed, created, updated, failed, seconds, peak_mb = import_in_a_worker_process(
                organization, path)
        print(f"import {processed:,} rows ({size / 1e6:.1f} MB CSV): {status}, {created:,} created, "
              f"{updated:,} updated, {failed} failed in {seconds:.1f}s = {processed / seconds:,.0f} rows/s; "
              f"worker memory at most {peak_mb:.0f} MB")
    print("target: at least 5,000 rows/s; the same peak memory for both sizes")


if __name__ == "__main__":
    main()
