"""Catalog jobs (PIM export, bulk update, bulk delete): created by the API, run by workers.

A job's progress is saved after every chunk, and a job picked up again (a worker was killed and
the message redelivered) continues after the last saved chunk instead of starting over.
"""

import csv
import io
import tempfile
import uuid

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from pixeepim.auth.actors import Actor
from products import tasks
from products.models import CatalogJob, Product
from products.representation import EXPORT_COLUMNS, export_rows
from products.services import products as product_services

CHUNK_SIZE = 500


def start_job(*, organization, job_type, payload, actor):
    """Creates a job and enqueues it once the creating transaction commits."""
    job = CatalogJob.objects.create(
        organization=organization, job_type=job_type, payload=payload, created_by=actor.user,
        total=len(payload.get("product_ids", [])),
    )
    actor_for_type = tasks.run_export_job if job_type == CatalogJob.Type.EXPORT else tasks.run_bulk_job
    transaction.on_commit(
        lambda: actor_for_type.send_with_options(args=(str(job.id),), on_failure=tasks.mark_job_failed)
    )
    return job


def _begin(job):
    if job.status in (CatalogJob.Status.SUCCEEDED, CatalogJob.Status.FAILED):
        return False
    job.status = CatalogJob.Status.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.save(update_fields=["status", "started_at"])
    return True


def _finish(job, status=CatalogJob.Status.SUCCEEDED):
    job.status = status
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "processed", "failed", "errors", "total", "file"])


def run_bulk_job(job_id):
    job = CatalogJob.objects.select_related("organization", "created_by").get(pk=job_id)
    if not _begin(job):
        return
    actor = Actor.of(job.created_by) if job.created_by else Actor(label=f"job:{job.id}")
    product_ids = job.payload["product_ids"]
    while job.processed < len(product_ids):
        chunk = product_ids[job.processed : job.processed + CHUNK_SIZE]
        with transaction.atomic():
            if job.job_type == CatalogJob.Type.BULK_DELETE:
                deleted = set(map(str, product_services.delete_products(
                    organization=job.organization, product_ids=chunk, actor=actor)))
                failures = [(pid, {"id": ["Not found."]}) for pid in chunk if pid not in deleted]
            else:
                results = product_services.save_products(
                    organization=job.organization, payloads=[job.payload["changes"]] * len(chunk), actor=actor,
                    mode=product_services.UPDATE, match_ids=[uuid.UUID(pid) for pid in chunk],
                )
                failures = [(pid, r.errors) for pid, r in zip(chunk, results) if r.status == "error"]
            job.processed += len(chunk)
            job.failed += len(failures)
            job.errors.extend({"product_id": pid, "errors": errors} for pid, errors in failures)
            job.save(update_fields=["processed", "failed", "errors", "status"])
    _finish(job)


def run_export_job(job_id):
    """Writes the organization's live products to a CSV file in the default storage."""
    job = CatalogJob.objects.select_related("organization").get(pk=job_id)
    if not _begin(job):
        return
    queryset = Product.objects.for_org(job.organization).live().order_by("created_at", "id")
    count = 0
    with tempfile.TemporaryFile() as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(EXPORT_COLUMNS)
        for row in export_rows(queryset):
            writer.writerow(row)
            count += 1
        text.flush()
        handle.seek(0)
        job.file.save(f"{job.organization_id}/catalog-{job.id}.csv", File(handle), save=False)
        text.detach()
    job.total = job.processed = count
    _finish(job)


def mark_failed(job_id, message):
    """Called when a job's message has failed for good (its retries are spent)."""
    job = CatalogJob.objects.get(pk=job_id)
    job.errors.append({"error": message})
    _finish(job, CatalogJob.Status.FAILED)
