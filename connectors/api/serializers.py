"""Request and response shapes of ``/api/v1/connectors/`` (seed 003, contract §9)."""

from rest_framework import serializers

from connectors.models import Connector, Platform, SyncJob
from pixeepim.api.formats import iso_utc

MAX_PRODUCT_IDS = 10_000


class ConnectorInputSerializer(serializers.Serializer):
    """Fields a caller may set. ``credentials`` is write-only: stored encrypted, never shown again."""

    name = serializers.CharField(max_length=200)
    platform = serializers.ChoiceField(choices=Platform.choices)
    base_url = serializers.URLField(max_length=500, help_text="e.g. https://acme.myshopify.com or "
                                                               "https://api.bigcommerce.com")
    settings = serializers.DictField(required=False, help_text="shopify: location_id (optional); bigcommerce: "
                                                                "store_hash (required), location_id (optional); "
                                                                "any platform: warehouse_codes (stock from these).")
    credentials = serializers.DictField(child=serializers.CharField(max_length=500), required=False,
                                        write_only=True, help_text="shopify and bigcommerce: access_token.")
    channel = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                    help_text="Sales channel whose price list supplies prices (default: platform).")
    status = serializers.ChoiceField(choices=Connector.Status.choices, required=False)
    sync_interval_minutes = serializers.IntegerField(min_value=5, max_value=7 * 24 * 60, required=False,
                                                     allow_null=True)
    scheduled_kinds = serializers.ListField(child=serializers.ChoiceField(choices=SyncJob.Kind.choices),
                                            required=False, allow_empty=False)


class ConnectorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    platform = serializers.CharField()
    status = serializers.CharField()
    base_url = serializers.CharField()
    settings = serializers.DictField()
    channel = serializers.CharField()
    has_credentials = serializers.BooleanField()
    sync_interval_minutes = serializers.IntegerField(allow_null=True)
    scheduled_kinds = serializers.ListField(child=serializers.CharField())
    next_sync_at = serializers.DateTimeField(allow_null=True)
    sync_stats = serializers.DictField()
    last_sync_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def connector_json(connector):
    stats = connector.sync_stats or {}
    return {
        "id": str(connector.id),
        "name": connector.name,
        "platform": connector.platform,
        "status": connector.status,
        "base_url": connector.base_url,
        "settings": connector.settings,
        "channel": connector.price_channel,
        "has_credentials": bool(connector.credentials),
        "sync_interval_minutes": connector.sync_interval_minutes,
        "scheduled_kinds": connector.scheduled_kinds or ([SyncJob.Kind.PUSH_PRODUCTS.value]
                                                         if connector.sync_interval_minutes else []),
        "next_sync_at": iso_utc(connector.next_sync_at),
        "sync_stats": {"products_synced": stats.get("products_synced", 0),
                       "products_pending": stats.get("products_pending", 0),
                       "last_error": stats.get("last_error")},
        "last_sync_at": iso_utc(connector.last_sync_at),
        "created_at": iso_utc(connector.created_at),
        "updated_at": iso_utc(connector.updated_at),
    }


class PushProductsSerializer(serializers.Serializer):
    product_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_empty=False, max_length=MAX_PRODUCT_IDS,
        help_text="Products to push (published ones are sent, others reported). Omitted: every published, "
                  "active product.",
    )


class SyncQueuedSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    status = serializers.CharField()
    products_queued = serializers.IntegerField(required=False, help_text="push-products only.")


class ConnectionTestSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    platform = serializers.CharField()
    latency_ms = serializers.IntegerField()
    message = serializers.CharField()


class SyncJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    connector_id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    trigger = serializers.CharField()
    total = serializers.IntegerField()
    processed = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    created = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField(), help_text="Per item: product_id or remote_id, "
                                                                             "ean, message (first 1,000).")
    error = serializers.CharField(allow_null=True, help_text="Why the whole job failed.")
    attempts = serializers.IntegerField()
    timings = serializers.DictField(help_text="duration_ms, platform_ms (waiting for the platform), overhead_ms.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def job_json(job):
    duration_ms = None
    if job.started_at:
        end = job.finished_at
        duration_ms = round((end - job.started_at).total_seconds() * 1000) if end else None
    return {
        "id": str(job.id),
        "connector_id": str(job.connector_id),
        "kind": job.kind,
        "status": job.status,
        "trigger": job.trigger,
        "total": job.total,
        "processed": job.processed,
        "succeeded": job.succeeded,
        "created": job.created,
        "skipped": job.skipped,
        "failed": job.failed,
        "errors": job.errors,
        "error": job.error or None,
        "attempts": job.attempts,
        "timings": {"duration_ms": duration_ms, "platform_ms": job.platform_ms,
                    "overhead_ms": duration_ms - job.platform_ms if duration_ms is not None else None},
        "created_at": iso_utc(job.created_at),
        "started_at": iso_utc(job.started_at),
        "finished_at": iso_utc(job.finished_at),
    }
