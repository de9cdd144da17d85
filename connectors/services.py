"""Writes of the connectors domain: connectors, connection tests, sync jobs, the schedule.

The API, the admin and the management commands all go through these functions.
"""

import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from connectors import tasks
from connectors.http import BlockedDestination, check_url
from connectors.models import Connector, SyncJob
from connectors.platforms import ADAPTERS, adapter_for
from connectors.sync_base.adapter import PlatformError
from pixeepim.api.errors import Conflict

ACTIVE_JOB_STATUSES = (SyncJob.Status.QUEUED, SyncJob.Status.RUNNING)


def validate_connector(*, platform, base_url, settings, credentials, require_credentials):
    """Raises ValidationError ({field: [messages]}) unless the connector can talk to its platform."""
    adapter_class = ADAPTERS.get(platform)
    if adapter_class is None:
        raise ValidationError({"platform": [
            f"No adapter for '{platform}' yet; supported platforms: {', '.join(sorted(ADAPTERS))}."
        ]})
    errors = {}
    try:
        check_url(base_url, host_patterns=adapter_class.host_patterns)
    except BlockedDestination as exc:
        errors["base_url"] = [str(exc)]
    missing = [key for key in adapter_class.required_settings if not settings.get(key)]
    if missing:
        errors.setdefault("settings", []).append(f"Required for {platform}: {', '.join(missing)}.")
    for key, messages in adapter_class.validate_settings(settings).items():
        if key not in missing:
            errors.setdefault("settings", []).extend(f"{key}: {message}" for message in messages)
    if require_credentials:
        missing = [key for key in adapter_class.required_credentials if not str(credentials.get(key) or "").strip()]
        if missing:
            errors["credentials"] = [f"Required for {platform}: {', '.join(missing)}."]
    if errors:
        raise ValidationError(errors)


def create_connector(*, organization, data):
    validate_connector(platform=data["platform"], base_url=data["base_url"], settings=data.get("settings", {}),
                       credentials=data.get("credentials", {}), require_credentials=True)
    connector = Connector(organization=organization, **data)
    reschedule(connector)
    connector.save()
    return connector


def update_connector(*, connector, data):
    """Applies the given fields; credentials, when given, replace the stored ones as a whole."""
    merged = {field: data.get(field, getattr(connector, field)) for field in ("platform", "base_url", "settings")}
    validate_connector(**merged, credentials=data.get("credentials", {}), require_credentials="credentials" in data)
    for field, value in data.items():
        setattr(connector, field, value)
    if "sync_interval_minutes" in data:
        reschedule(connector)
    connector.updated_at = timezone.now()
    connector.save()
    return connector


def reschedule(connector, *, now=None):
    """Sets when the connector's scheduled syncs run next (none without an interval)."""
    connector.next_sync_at = (
        (now or timezone.now()) + timedelta(minutes=connector.sync_interval_minutes)
        if connector.sync_interval_minutes else None
    )


def delete_connector(*, connector):
    if connector.jobs.filter(status=SyncJob.Status.RUNNING).exists():
        raise Conflict("A sync job of this connector is running; wait for it to finish, or pause the connector.")
    connector.delete()


def test_connector(*, connector):
    """Authenticates against the platform; returns (success, latency in ms, message). Writes nothing."""
    adapter = adapter_for(connector)
    started = time.perf_counter()
    try:
        message = adapter.test_connection()
        success = True
    except (PlatformError, BlockedDestination) as exc:
        message, success = str(exc), False
    finally:
        adapter.transport.close()
    return success, round((time.perf_counter() - started) * 1000), message


def start_sync(*, connector, kind, actor, product_ids=None, trigger=SyncJob.Trigger.API):
    """Creates a queued job and sends it to the connectors queue once the transaction commits.

    409 when the connector is paused or already has a job of this kind queued or running: two pushes
    of one catalog at once would race each other on the platform."""
    if connector.status == Connector.Status.PAUSED:
        raise Conflict("This connector is paused; set its status to active to sync.")
    with transaction.atomic():
        Connector.objects.select_for_update().filter(pk=connector.pk).first()  # one starter at a time
        running = connector.jobs.filter(kind=kind, status__in=ACTIVE_JOB_STATUSES).first()
        if running is not None:
            raise Conflict(f"A {running.get_kind_display().lower()} job of this connector is already "
                           f"{running.status} (job {running.id}).")
        job = SyncJob.objects.create(
            organization_id=connector.organization_id, connector=connector, kind=kind, trigger=trigger,
            product_ids=[str(pk) for pk in product_ids] if product_ids is not None else None,
            total=len(product_ids) if product_ids is not None else 0, created_by=actor.user,
        )
        transaction.on_commit(lambda: tasks.enqueue(job.id))
    return job


def enqueue_due_syncs(*, now=None):
    """Starts the scheduled syncs that are due; returns the jobs started.

    Each due connector is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and its next time moved
    forward in the same transaction, so schedulers running on several worker machines never start
    the same sync twice: the second one finds the row locked, or no longer due."""
    now = now or timezone.now()
    started = []
    with transaction.atomic():
        due = list(
            Connector.objects.select_for_update(skip_locked=True)
            .filter(sync_interval_minutes__isnull=False, next_sync_at__lte=now, status=Connector.Status.ACTIVE)
            .order_by("next_sync_at")[:100]
        )
        for connector in due:
            reschedule(connector, now=now)
            Connector.objects.filter(pk=connector.pk).update(next_sync_at=connector.next_sync_at)
            busy = set(connector.jobs.filter(status__in=ACTIVE_JOB_STATUSES).values_list("kind", flat=True))
            for kind in connector.scheduled_kinds or [SyncJob.Kind.PUSH_PRODUCTS]:
                if kind in busy:
                    continue
                job = SyncJob.objects.create(organization_id=connector.organization_id, connector=connector,
                                             kind=kind, trigger=SyncJob.Trigger.SCHEDULE)
                started.append(job)
        transaction.on_commit(lambda: [tasks.enqueue(job.id) for job in started])
    return started

