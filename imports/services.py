"""Imports: preview a file, run it as a job in batches (pause, resume, cancel between batches),
keep each row's errors, save mappings, and fetch recurring imports from a URL.

A job reads its file as a stream and upserts products by EAN through the same product service as
every other surface, 500 rows at a time. Each batch — its products, its row errors, its counts and
the job's position in the file — commits in one transaction, so a paused, interrupted or retried
job goes on exactly after the last committed row.
"""

import logging
import tempfile
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from connectors.http import BlockedDestination, check_url, outbound_session
from imports import mapping as mappings
from imports import readers
from imports.models import ImportAutomation, ImportJob, ImportRowError, MappingProfile
from pixeepim.api.errors import Conflict
from pixeepim.auth.actors import Actor
from products.models import Attribute, Product
from products.services import catalog
from products.services import products as product_services
from products.services.audit import event_row, record
from products.services.rows import refresh_statistics

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
PREVIEW_ROWS = 10
DOWNLOAD_CHUNK = 256 * 1024


def _attributes(organization):
    return {a.code: a for a in Attribute.objects.for_org(organization)}


def check_mapping(organization, mapping, columns=None):
    """Raises ValidationError unless ``mapping`` names known fields and attributes (and, when
    ``columns`` are given, columns of the file)."""
    errors = mappings.check(mapping, set(_attributes(organization)))
    if columns is not None and not errors:
        unknown = [column for column in mapping if mapping[column] and column not in columns]
        if unknown:
            errors = {"mapping": [f"Not columns of the file: {', '.join(unknown)}."]}
    if errors:
        raise ValidationError(errors)


def _table(handle, file_format):
    try:
        return readers.open_table(handle, file_format)
    except readers.UnreadableFile as exc:
        raise ValidationError({"file": [str(exc)]}) from None


# --- preview ----------------------------------------------------------------------------------------


def preview(*, organization, upload, file_format=None, mapping=None, actor):
    """Columns, a proposed (or the given) mapping, and the first rows checked — nothing written."""
    try:
        file_format = readers.format_of(upload.name, file_format)
    except readers.UnreadableFile as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    columns, rows = _table(upload, file_format)
    attributes = _attributes(organization)
    proposed = mappings.propose(columns, set(attributes))
    used = mapping if mapping is not None else proposed
    try:
        sample = list(islice(rows, PREVIEW_ROWS))
    except readers.UnreadableFile as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    problems = mappings.check(used, set(attributes)).get("mapping", [])
    checked = []
    if not problems:
        outcomes = _check_rows(organization, used, sample, attributes, actor)
        checked = [{"row": number, "values": values, "status": outcome["status"], "errors": outcome["errors"]}
                   for (number, values), outcome in zip(sample, outcomes)]
    return {"file_format": file_format, "columns": columns, "proposed_mapping": proposed, "mapping": used,
            "mapping_errors": problems, "rows": checked}


def _check_rows(organization, mapping, sample, attributes, actor):
    payloads, outcomes = [], []
    for _, values in sample:
        payload, raw_attributes = mappings.apply(mapping, values)
        errors = _attribute_errors(organization, raw_attributes, attributes)[1]
        if not payload.get("ean"):
            errors["ean"] = ["An EAN is required: rows are matched by EAN."]
        payloads.append(payload)
        outcomes.append({"status": "error" if errors else None, "errors": errors})
    results = product_services.save_products(organization=organization, payloads=payloads, actor=actor,
                                             mode=product_services.UPSERT, ignore_nulls=True, dry_run=True)
    for outcome, result in zip(outcomes, results):
        outcome["errors"] = {**result.errors, **outcome["errors"]}
        outcome["status"] = "error" if outcome["errors"] else ("update" if result.status in ("update", "updated") else "create")
    return outcomes


def _attribute_errors(organization, raw, attributes):
    if not raw:
        return {}, {}
    typed = {}
    for code, value in raw.items():
        attribute = attributes.get(code)
        if attribute is not None and attribute.data_type == Attribute.DataType.BOOLEAN:
            value = mappings.BOOLEANS.get(value.lower(), value)
        typed[code] = value
    return catalog.parse_attribute_values(organization=organization, raw=typed)


# --- jobs -------------------------------------------------------------------------------------------


def start_import(*, organization, file, file_name, file_format=None, mapping=None, supplier_code="", actor,
                 automation=None, enqueue=True):
    """Stores the file, checks the mapping (proposed from the columns when none is given), and
    queues a job on the imports queue (``enqueue=False``: the caller runs it)."""
    from imports import tasks

    try:
        file_format = readers.format_of(file_name, file_format)
    except readers.UnreadableFile as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    job = ImportJob(organization=organization, file_name=file_name[:255], file_format=file_format,
                    supplier_code=supplier_code, created_by=actor.user, automation=automation)
    job.file.save(f"{organization.id}/{timezone.now():%Y%m%d-%H%M%S}-{file_name[-100:]}", File(file), save=False)
    try:
        with job.file.open("rb") as handle:
            columns, _ = _table(handle, file_format)
        if mapping is None:
            mapping = mappings.propose(columns, set(_attributes(organization)))
        check_mapping(organization, mapping, columns)
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.mapping = mapping
    job.save()
    if enqueue:
        transaction.on_commit(lambda: tasks.enqueue(job.id))
    return job


def _actor(job):
    return Actor.of(job.created_by) if job.created_by else Actor(label=f"import:{job.file_name}")


def _audit(job, action, after):
    record([event_row(organization=job.organization, actor=_actor(job), action=action, entity_type="import",
                      entity_id=job.id, after=after)])


def run_import(job_id, *, progress=None):
    """Runs (or resumes) a job; ``progress(job)`` is called after each batch."""
    job = ImportJob.objects.select_related("organization", "created_by").get(pk=job_id)
    if job.is_finished or job.status == ImportJob.Status.PAUSED:
        return job
    first_run = job.started_at is None
    job.status, job.started_at = ImportJob.Status.RUNNING, job.started_at or timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "started_at"])
        if first_run:
            _audit(job, "import.started", {"file_name": job.file_name, "file_format": job.file_format})
    attributes = _attributes(job.organization)
    growth = _TableGrowth()
    try:
        with job.file.open("rb") as handle:
            _, rows = readers.open_table(handle, job.file_format)
            rows = islice(rows, job.processed, None)  # resume after the last committed row
            while batch := list(islice(rows, BATCH_SIZE)):
                created_before = job.created
                _import_batch(job, batch, attributes)
                growth.add(job.created - created_before)
                if progress:
                    progress(job)
                if _stopped_on_request(job):
                    return job
    except readers.UnreadableFile as exc:
        return _finish(job, ImportJob.Status.FAILED, error=f"After row {job.processed}: {exc}")
    return _finish(job, ImportJob.Status.SUCCEEDED)


class _TableGrowth:
    """Refreshes the product table's statistics when an import has grown it by a quarter (and at
    least ``ANALYZE_AFTER`` rows) since they were last taken: lookups by EAN then keep using the
    EAN index instead of plans made for a much smaller table."""

    ANALYZE_AFTER = 5000

    def __init__(self):
        self.rows = Product.objects.count()
        self.added = 0

    def add(self, created):
        self.added += created
        if self.added >= max(self.ANALYZE_AFTER, self.rows // 4):
            refresh_statistics(Product)
            self.rows += self.added
            self.added = 0


def _import_batch(job, batch, attributes):
    organization, actor = job.organization, _actor(job)
    payloads, row_errors, pending_attributes, numbers, skipped = [], [], [], [], 0
    for number, values in batch:
        payload, raw_attributes = mappings.apply(job.mapping, values)
        if not payload and not raw_attributes:
            skipped += 1
            continue
        typed, attribute_errors = _attribute_errors(organization, raw_attributes, attributes)
        if not payload.get("ean"):
            attribute_errors["ean"] = ["An EAN is required: rows are matched by EAN."]
        if attribute_errors:
            row_errors += [(number, field, message) for field, messages in attribute_errors.items()
                           for message in messages]
            continue
        payloads.append(payload)
        numbers.append(number)
        pending_attributes.append(typed)
    with transaction.atomic():
        results = product_services.save_products(
            organization=organization, payloads=payloads, actor=actor, mode=product_services.UPSERT,
            ignore_nulls=True, defaults={"supplier_code": job.supplier_code} if job.supplier_code else None,
        ) if payloads else []
        counts = {"created": 0, "updated": 0}
        written = []
        for number, result, typed in zip(numbers, results, pending_attributes):
            if result.status == "error":
                row_errors += [(number, field, message) for field, messages in result.errors.items()
                               for message in messages]
            else:
                counts[result.status] += 1
                if typed:
                    written.append((result.product_id, typed))
        _set_attributes(organization, written, actor)
        ImportRowError.objects.bulk_create([ImportRowError(job=job, row=number, field=field[:100], message=message[:500])
                                            for number, field, message in row_errors])
        job.processed += len(batch)
        job.created += counts["created"]
        job.updated += counts["updated"]
        job.skipped += skipped
        job.failed += len({number for number, _, _ in row_errors})
        job.save(update_fields=["processed", "created", "updated", "skipped", "failed"])


def _set_attributes(organization, written, actor):
    if not written:
        return
    products = Product.objects.in_bulk([product_id for product_id, _ in written])
    for product_id, typed in written:
        catalog.set_attribute_values(product=products[product_id], values=typed, actor=actor)


def _stopped_on_request(job):
    requested = ImportJob.objects.filter(pk=job.pk).values_list("requested", flat=True).first()
    if requested == ImportJob.Request.PAUSE:
        job.status, job.requested = ImportJob.Status.PAUSED, ""
        job.save(update_fields=["status", "requested"])
        return True
    if requested == ImportJob.Request.CANCEL:
        _finish(job, ImportJob.Status.CANCELLED)
        return True
    return False


def _finish(job, status, error=""):
    job.status, job.error, job.requested, job.finished_at = status, error, "", timezone.now()
    if status == ImportJob.Status.SUCCEEDED:
        job.total_rows = job.processed
    with transaction.atomic():
        job.save(update_fields=["status", "error", "requested", "finished_at", "total_rows"])
        _audit(job, "import.completed", {"status": status, "rows": job.processed, "created": job.created,
                                         "updated": job.updated, "skipped": job.skipped, "failed": job.failed})
    return job


def mark_failed(job_id, message):
    job = ImportJob.objects.select_related("organization", "created_by").get(pk=job_id)
    if not job.is_finished:
        _finish(job, ImportJob.Status.FAILED, error=message)


def pause(*, job):
    if job.status == ImportJob.Status.QUEUED:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PAUSED)
    elif job.status == ImportJob.Status.RUNNING:
        ImportJob.objects.filter(pk=job.pk).update(requested=ImportJob.Request.PAUSE)
    else:
        raise Conflict(f"A {job.status} import cannot be paused.")
    job.refresh_from_db()
    return job


def resume(*, job):
    from imports import tasks

    if job.status != ImportJob.Status.PAUSED:
        raise Conflict(f"Only a paused import resumes; this one is {job.status}.")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, requested="")
    transaction.on_commit(lambda: tasks.enqueue(job.id))
    job.refresh_from_db()
    return job


def cancel(*, job):
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.PAUSED):
        _finish(job, ImportJob.Status.CANCELLED)
    elif job.status == ImportJob.Status.RUNNING:
        ImportJob.objects.filter(pk=job.pk).update(requested=ImportJob.Request.CANCEL)
    else:
        raise Conflict(f"A {job.status} import cannot be cancelled.")
    job.refresh_from_db()
    return job


# --- mapping profiles and automations ---------------------------------------------------------------


def save_profile(*, profile, data):
    """Applies ``data`` (name, mapping) to a new or existing profile, checked, and saves it."""
    if "mapping" in data:
        check_mapping(profile.organization, data["mapping"])
    for field, value in data.items():
        setattr(profile, field, value)
    if MappingProfile.objects.for_org(profile.organization).filter(name=profile.name).exclude(pk=profile.pk).exists():
        raise ValidationError({"name": ["A mapping profile with this name already exists."]})
    profile.updated_at = timezone.now()
    profile.save()
    return profile


def delete_profile(*, profile):
    if ImportAutomation.objects.filter(profile=profile).exists():
        raise Conflict("Recurring imports use this mapping profile; change them first.")
    profile.delete()


def save_automation(*, automation, data):
    """Applies ``data`` to a new or existing recurring import (URL through the SSRF guard, mapping
    or profile of the organization) and schedules its next run."""
    data = dict(data)
    check_automation(data)
    if "profile_id" in data:
        profile_id = data.pop("profile_id")
        automation.profile = (MappingProfile.objects.for_org(automation.organization).filter(pk=profile_id).first()
                              if profile_id else None)
        if profile_id and automation.profile is None:
            raise ValidationError({"profile_id": ["No mapping profile with this id in your organization."]})
    if data.get("mapping"):
        check_mapping(automation.organization, data["mapping"])
    for field, value in data.items():
        setattr(automation, field, value)
    if automation.next_run_at is None or "interval_minutes" in data:
        automation.next_run_at = timezone.now() + timedelta(minutes=automation.interval_minutes)
    automation.updated_at = timezone.now()
    automation.save()
    return automation


def check_automation(data):
    if data.get("url"):
        try:
            check_url(data["url"])
        except BlockedDestination as exc:
            raise ValidationError({"url": [str(exc)]}) from None


def run_automation(*, automation):
    """Fetches the automation's file through the SSRF guard and starts its import; returns the job."""
    mapping = automation.profile.mapping if automation.profile_id else (automation.mapping or None)
    actor = Actor.of(automation.created_by) if automation.created_by else Actor(label=f"automation:{automation.name}")
    with tempfile.TemporaryFile() as handle, outbound_session(timeout=settings.PIXEE_CONNECTOR_TIMEOUT) as session:
        try:
            response = session.get(automation.url, stream=True)
            if response.status_code != 200:
                raise ValidationError({"url": [f"The file's server answered HTTP {response.status_code}."]})
            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                handle.write(chunk)
        except (BlockedDestination, OSError) as exc:
            raise ValidationError({"url": [str(exc)]}) from None
        handle.seek(0)
        name = automation.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "import"
        return start_import(organization=automation.organization, file=File(handle, name=name), file_name=name,
                            file_format=automation.file_format, mapping=mapping,
                            supplier_code=automation.supplier_code, actor=actor, automation=automation)


def run_due_automations(*, now=None):
    """Starts the imports of due automations (claimed with SKIP LOCKED, so once across machines)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(ImportAutomation.objects.select_for_update(skip_locked=True)
                   .filter(is_active=True, next_run_at__lte=now).order_by("next_run_at")[:20])
        for automation in due:
            ImportAutomation.objects.filter(pk=automation.pk).update(
                next_run_at=now + timedelta(minutes=automation.interval_minutes), last_run_at=now)
    started = []
    for automation in due:
        try:
            with transaction.atomic():
                started.append(run_automation(automation=automation))
            ImportAutomation.objects.filter(pk=automation.pk).update(last_error="")
        except ValidationError as exc:
            message = "; ".join(str(m) for messages in exc.detail.values() for m in messages)
            ImportAutomation.objects.filter(pk=automation.pk).update(last_error=message[:2000])
            logger.warning("import automation %s failed: %s", automation.pk, message)
    return started
