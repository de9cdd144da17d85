"""Exports: create a job, write its file in a worker, hand out short-lived download links.

The file is written row by row to a temporary file (products read 2,000 at a time), then handed
to Django's storage, so memory stays flat whatever the catalog's size. A download link is a
signed, organization-bound token valid ``DOWNLOAD_LINK_SECONDS``: it names one job's file and
carries no credential of the caller.
"""

import csv
import io
import json
import tempfile
import zipfile

from django.core import signing
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from exports.models import ExportJob
from pixeepim.api.errors import Conflict
from pixeepim.auth.actors import Actor
from products.models import Media
from products.representation import EXPORT_COLUMNS, export_rows
from products.selectors import product_list
from products.services.audit import event_row, record

DOWNLOAD_LINK_SECONDS = 5 * 60
_SIGNING_SALT = "pixeepim.exports.download"
MEDIA_COLUMNS = ["product_id", "ean", "url", "alt", "position"]
READ_CHUNK = 2000


class DownloadRefused(Exception):
    """An expired, tampered or unusable download link (answered 403)."""


def start_export(*, organization, export_format, filters, actor):
    """Creates a queued export of the products ``filters`` select; a worker writes it."""
    from exports import tasks

    job = ExportJob.objects.create(organization=organization, format=export_format, filters=filters,
                                   created_by=actor.user)
    transaction.on_commit(lambda: tasks.run_export.send_with_options(args=(str(job.id),),
                                                                     on_failure=tasks.mark_export_failed))
    return job


def _products(job):
    return product_list(organization=job.organization, **job.filters)


def _text_rows(job):
    return export_rows(_products(job), chunk_size=READ_CHUNK)


def _write_csv(job, handle):
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in _text_rows(job):
        writer.writerow(row)
        count += 1
    text.flush()
    text.detach()
    return count


def _write_json(job, handle):
    count = 0
    handle.write(b"[")
    for row in _text_rows(job):
        handle.write((",\n" if count else "\n").encode())
        handle.write(json.dumps(dict(zip(EXPORT_COLUMNS, row)), ensure_ascii=False).encode())
        count += 1
    handle.write(b"\n]\n")
    return count


def _write_excel(job, handle):
    workbook = Workbook(write_only=True)  # rows go to disk as they come
    sheet = workbook.create_sheet("Products")
    sheet.append(EXPORT_COLUMNS)
    count = 0
    for row in _text_rows(job):
        sheet.append(row)
        count += 1
    workbook.save(handle)
    return count


def _write_zip(job, handle):
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("products.csv", "w", force_zip64=True) as member:
            count = _write_csv(job, member)
        with archive.open("media.csv", "w", force_zip64=True) as member:
            text = io.TextIOWrapper(member, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(MEDIA_COLUMNS)
            media = (Media.objects.filter(product__in=_products(job).order_by().values("id"))
                     .order_by("product_id", "position", "id").values_list("product_id", "product__ean", "url", "alt",
                                                                           "position"))
            for row in media.iterator(chunk_size=READ_CHUNK):
                writer.writerow(["" if value is None else value for value in row])
            text.flush()
            text.detach()
    return count


WRITERS = {
    ExportJob.Format.CSV: (_write_csv, "csv"),
    ExportJob.Format.JSON: (_write_json, "json"),
    ExportJob.Format.EXCEL: (_write_excel, "xlsx"),
    ExportJob.Format.ZIP: (_write_zip, "zip"),
}


def run_export(job_id):
    job = ExportJob.objects.select_related("organization", "created_by").get(pk=job_id)
    if job.status in (ExportJob.Status.SUCCEEDED, ExportJob.Status.FAILED):
        return job
    job.status, job.started_at = ExportJob.Status.RUNNING, timezone.now()
    job.save(update_fields=["status", "started_at"])
    write, extension = WRITERS[job.format]
    with tempfile.TemporaryFile() as handle:
        count = write(job, handle)
        job.size = handle.tell()
        handle.seek(0)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        job.file.save(f"{job.organization_id}/products-{stamp}-{job.id}.{extension}", File(handle), save=False)
    job.rows, job.status, job.finished_at = count, ExportJob.Status.SUCCEEDED, timezone.now()
    with transaction.atomic():
        job.save(update_fields=["rows", "size", "file", "status", "finished_at"])
        record([event_row(organization=job.organization, actor=_actor(job), action="export.completed",
                          entity_type="export", entity_id=job.id,
                          after={"format": job.format, "rows": count, "size": job.size, "filters": job.filters})])
    return job


def _actor(job):
    return Actor.of(job.created_by) if job.created_by else Actor(label=f"export:{job.id}")


def mark_failed(job_id, message):
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.SUCCEEDED).update(
        status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now())


def download_token(job):
    if job.status != ExportJob.Status.SUCCEEDED:
        raise Conflict(f"This export is {job.status}; its file can be downloaded once it has succeeded.")
    return signing.dumps({"job": str(job.id), "org": str(job.organization_id)}, salt=_SIGNING_SALT, compress=True)


def job_for_download(token):
    """The job a download link names, if the link is intact and younger than 5 minutes."""
    try:
        claims = signing.loads(token, salt=_SIGNING_SALT, max_age=DOWNLOAD_LINK_SECONDS)
    except signing.SignatureExpired:
        raise DownloadRefused("This download link has expired; ask for a new one.") from None
    except signing.BadSignature:
        raise DownloadRefused("This download link is not valid.") from None
    job = ExportJob.objects.filter(pk=claims["job"], organization_id=claims["org"],
                                   status=ExportJob.Status.SUCCEEDED).first()
    if job is None or not job.file:
        raise DownloadRefused("This download link names no file.")
    return job
