"""The sync engine: runs a ``SyncJob`` through its connector's platform adapter.

- Work goes in chunks of 100 products. After each chunk, in one transaction, the engine saves the
  chunk's results (remote ids, content hashes, per-item errors, counts) and the job's checkpoint —
  the last product id done, or the platform's page cursor for pulls. A worker killed mid-chunk
  leaves the job at its last checkpoint: the redelivered message resumes there, and the chunk it
  repeats is re-sent idempotently (adapters upsert by our product id or look up by SKU first).
- A product whose payload hashes the same as the last one pushed is skipped.
- An item the platform refuses is recorded and the job goes on; a refusal of the whole operation
  (``PlatformError``: bad credentials, throttling through every retry, a blocked address) ends the
  job as failed. Anything else is a bug or an outage of our own: it propagates, so the broker
  retries the message and the job resumes from its checkpoint.
"""

import hashlib
import json
import logging

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from connectors import selectors
from connectors.http import BlockedDestination
from connectors.models import Connector, RemoteProduct, SyncJob
from connectors.platforms import adapter_for
from connectors.sync_base.adapter import PlatformError, PriceLine, PushItem, StockLine
from pixeepim.auth.actors import Actor
from products.models import Product, ProductStock
from products.services import products as product_services

logger = logging.getLogger(__name__)

CHUNK_SIZE = 100
MAX_RECORDED_ERRORS = 1000  # per job; ``failed`` still counts them all


def content_hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def run_job(job_id, *, progress=None):
    """Runs (or resumes) a job; ``progress(job)`` is called after each chunk (command's bar)."""
    job = SyncJob.objects.select_related("connector__organization").filter(pk=job_id).first()
    if job is None:  # its connector was deleted since the job was queued
        logger.info("sync job %s no longer exists; nothing to run", job_id)
        return None
    if job.is_finished:
        return job
    SyncJob.objects.filter(pk=job.pk).update(
        status=SyncJob.Status.RUNNING, started_at=Coalesce(F("started_at"), timezone.now()),
        attempts=F("attempts") + 1,
    )
    job.refresh_from_db()
    adapter = adapter_for(job.connector)
    run = _Run(job, adapter, progress)
    try:
        RUNNERS[job.kind](run)
    except (PlatformError, BlockedDestination) as exc:
        run.finish(SyncJob.Status.FAILED, error=str(exc))
    else:
        run.finish(SyncJob.Status.SUCCEEDED)
    finally:
        adapter.transport.close()
    return job


def mark_failed(job_id, message):
    """The job's message failed for good (its retries are spent)."""
    job = SyncJob.objects.select_related("connector__organization").filter(pk=job_id).first()
    if job is not None and not job.is_finished:
        _Run(job, None, None).finish(SyncJob.Status.FAILED, error=message)


class _Run:
    """One execution of a job: its adapter, its transport's wait time, and how it records chunks."""

    def __init__(self, job, adapter, progress):
        self.job = job
        self.connector = job.connector
        self.adapter = adapter
        self.progress = progress
        self.platform_ms_before = job.platform_ms

    def platform_ms(self):
        waited = self.adapter.transport.waited if self.adapter else 0
        return self.platform_ms_before + int(waited * 1000)

    def record(self, *, processed, succeeded=0, created=0, skipped=0, errors=(), checkpoint):
        """Saves one chunk's counts and the checkpoint (called inside the chunk's transaction)."""
        job = self.job
        job.processed += processed
        job.succeeded += succeeded
        job.created += created
        job.skipped += skipped
        job.failed += len(errors)
        room = MAX_RECORDED_ERRORS - len(job.errors)
        if room > 0:
            job.errors.extend(errors[:room])
        job.checkpoint = checkpoint
        job.platform_ms = self.platform_ms()
        job.save(update_fields=["processed", "succeeded", "created", "skipped", "failed", "errors", "checkpoint",
                                "platform_ms", "total"])
        if self.progress:
            self.progress(job)

    def finish(self, status, error=""):
        job = self.job
        now = timezone.now()
        job.status, job.error, job.finished_at = status, error, now
        job.platform_ms = self.platform_ms()
        job.save(update_fields=["status", "error", "finished_at", "platform_ms"])
        connector = self.connector
        connector.last_sync_at = now
        connector.sync_stats = selectors.sync_stats(connector, last_error=error or None)
        fields = ["last_sync_at", "sync_stats"]
        if connector.status != Connector.Status.PAUSED:
            connector.status = Connector.Status.ERROR if error else Connector.Status.ACTIVE
            fields.append("status")
        connector.save(update_fields=fields)
        logger.info("sync job %s (%s) %s: %s processed, %s failed", job.id, job.kind, status, job.processed,
                    job.failed)


def _error(product_id, message, ean=None):
    return {"product_id": str(product_id), "ean": ean, "message": message}


def _chunks(queryset, run, key="id"):
    """The queryset in chunks of CHUNK_SIZE, ordered by ``key``, from after the job's checkpoint."""
    while True:
        after = run.job.checkpoint.get("after")
        page = queryset.filter(**{f"{key}__gt": after}) if after else queryset
        chunk = list(page.order_by(key)[:CHUNK_SIZE])
        if not chunk:
            return
        yield chunk


# --- push products ------------------------------------------------------------------------------


def _push_products(run):
    job, connector, adapter = run.job, run.connector, run.adapter
    candidates = selectors.push_candidates(connector, job.product_ids)
    if "after" not in job.checkpoint:
        _start_push(run, candidates)
    price_list = selectors.price_list_for(connector)
    for products in _chunks(candidates.select_related("brand", "category"), run):
        snapshots = selectors.product_snapshots(products, price_list)
        known = {m.product_id: m for m in RemoteProduct.objects.filter(connector=connector,
                                                                       product_id__in=[p.id for p in products])}
        items, hashes, unchanged = [], {}, 0
        for snapshot in snapshots:
            payload = adapter.product_payload(snapshot)
            hashes[snapshot.id] = content_hash(payload)
            mapping = known.get(snapshot.id)
            if mapping and mapping.content_hash == hashes[snapshot.id]:
                unchanged += 1
                continue
            items.append(PushItem(snapshot, payload, mapping.remote_id if mapping else None,
                                  mapping.remote_variants if mapping else {}))
        outcomes = adapter.push_products(items) if items else []
        eans = {s.id: s.ean for s in snapshots}
        pushed = [o for o in outcomes if o.error is None]
        now = timezone.now()
        with transaction.atomic():
            RemoteProduct.objects.bulk_create(
                [RemoteProduct(connector=connector, product_id=o.product_id, remote_id=o.remote_id,
                               remote_variants=o.remote_variants, content_hash=hashes[o.product_id], pushed_at=now)
                 for o in pushed],
                update_conflicts=True, unique_fields=["connector", "product"],
                update_fields=["remote_id", "remote_variants", "content_hash", "pushed_at"],
            )
            run.record(
                processed=len(products), succeeded=len(pushed), created=sum(o.created for o in pushed),
                skipped=unchanged,
                errors=[_error(o.product_id, o.error, eans.get(o.product_id)) for o in outcomes if o.error],
                checkpoint={"after": str(products[-1].id)},
            )


def _start_push(run, candidates):
    """First run of a push: counts the work, and reports named products that will not be sent."""
    job = run.job
    skipped_errors = []
    if job.product_ids is not None:
        named = selectors.named_products(run.connector, job.product_ids)
        eligible = {str(pk) for pk in candidates.values_list("id", flat=True)}
        for product_id in job.product_ids:
            state = named.get(product_id)
            if state is None:
                skipped_errors.append(_error(product_id, "No product with this id."))
            elif product_id not in eligible:
                skipped_errors.append(_error(product_id, f"Not published (workflow state: {state}); not sent."))
        job.total = len(job.product_ids)
    else:
        job.total = candidates.count()
    with transaction.atomic():
        # Reported as skipped, not failed: leaving unpublished products out is the rule working.
        job.errors.extend(skipped_errors)
        run.record(processed=len(skipped_errors), skipped=len(skipped_errors), checkpoint={"after": None})


# --- push stock and prices ----------------------------------------------------------------------


def _push_stock(run):
    job, connector, adapter = run.job, run.connector, run.adapter
    mappings = selectors.mapped_products(connector)
    if "after" not in job.checkpoint:
        job.total = mappings.count()
    warehouses = connector.settings.get("warehouse_codes") or None
    for chunk in _chunks(mappings, run, key="product_id"):
        stock = ProductStock.objects.filter(product_id__in=[m.product_id for m in chunk])
        if warehouses:
            stock = stock.filter(warehouse__code__in=warehouses)
        quantities = dict(stock.values("product_id").annotate(total=Sum("quantity")).values_list("product_id", "total"))
        lines = [StockLine(m.product_id, m.remote_id, m.remote_variants, quantities.get(m.product_id, 0)) for m in chunk]
        _record_item_outcomes(run, chunk, adapter.push_stock(lines))


def _push_prices(run):
    job, connector, adapter = run.job, run.connector, run.adapter
    mappings = selectors.mapped_products(connector)
    if "after" not in job.checkpoint:
        job.total = mappings.count()
    price_list = selectors.price_list_for(connector)
    for chunk in _chunks(mappings, run, key="product_id"):
        products = Product.objects.filter(id__in=[m.product_id for m in chunk]).select_related("brand", "category")
        prices = {s.id: s for s in selectors.product_snapshots(products, price_list)}
        lines = [
            PriceLine(m.product_id, m.remote_id, m.remote_variants, prices[m.product_id].price,
                      {v.sku: v.price for v in prices[m.product_id].variants})
            for m in chunk
        ]
        _record_item_outcomes(run, chunk, adapter.push_prices(lines))


def _record_item_outcomes(run, chunk, outcomes):
    failed = [o for o in outcomes if o.error]
    with transaction.atomic():
        run.record(processed=len(chunk), succeeded=len(outcomes) - len(failed),
                   errors=[_error(o.product_id, o.error) for o in failed],
                   checkpoint={"after": str(chunk[-1].product_id)})


# --- pull products ------------------------------------------------------------------------------


def _pull_products(run):
    job, connector, adapter = run.job, run.connector, run.adapter
    actor = Actor.of(job.created_by) if job.created_by else Actor(label=f"connector:{connector.name}")
    if "cursor" not in job.checkpoint:
        job.checkpoint = {"cursor": None}
    while True:
        page = adapter.pull_products(job.checkpoint["cursor"])
        with transaction.atomic():
            created, updated, errors = _apply_pulled(connector, page.products, actor)
            job.total = job.processed + len(page.products)
            run.record(processed=len(page.products), succeeded=created + updated, created=created, errors=errors,
                       checkpoint={"cursor": page.next_cursor, "done": page.next_cursor is None})
        if page.next_cursor is None:
            return


def _apply_pulled(connector, pulled, actor):
    """Matches pulled products by remote id, then EAN; updates those found, creates the others."""
    organization = connector.organization
    known = dict(RemoteProduct.objects.filter(connector=connector, remote_id__in=[p.remote_id for p in pulled])
                 .values_list("remote_id", "product_id"))
    by_mapping = [p for p in pulled if p.remote_id in known]
    by_ean = [p for p in pulled if p.remote_id not in known]
    results = []
    if by_mapping:
        results += zip(by_mapping, product_services.save_products(
            organization=organization, payloads=[_pulled_payload(p) for p in by_mapping], actor=actor,
            mode=product_services.UPDATE, match_ids=[known[p.remote_id] for p in by_mapping], ignore_nulls=True,
        ))
    if by_ean:
        results += zip(by_ean, product_services.save_products(
            organization=organization, payloads=[_pulled_payload(p) for p in by_ean], actor=actor,
            mode=product_services.UPSERT, ignore_nulls=True,
        ))
    now = timezone.now()
    saved = [(p, r) for p, r in results if r.status in ("created", "updated")]
    # Two remote products may match one of ours (same EAN): the last one read is linked.
    links = {r.product_id: p for p, r in saved}
    RemoteProduct.objects.bulk_create(
        [RemoteProduct(connector=connector, product_id=product_id, remote_id=p.remote_id,
                       remote_variants=p.remote_variants, pulled_at=now) for product_id, p in links.items()],
        update_conflicts=True, unique_fields=["connector", "product"],
        update_fields=["remote_id", "remote_variants", "pulled_at"],
    )
    errors = [
        {"remote_id": p.remote_id, "ean": p.ean,
         "message": "; ".join(f"{field}: {' '.join(messages)}" for field, messages in r.errors.items())}
        for p, r in results if r.status == "error"
    ]
    created = sum(r.status == "created" for _, r in saved)
    return created, len(saved) - created, errors


def _pulled_payload(pulled):
    payload = {"name": pulled.name, "description": pulled.description or None, "ean": pulled.ean,
               "reference": pulled.reference or None, "status": pulled.status,
               "price": _text(pulled.price), "weight": _text(pulled.weight), "brand_name": pulled.brand or None}
    return {key: value for key, value in payload.items() if value is not None}


def _text(number):
    return None if number is None else str(number)


RUNNERS = {
    SyncJob.Kind.PUSH_PRODUCTS: _push_products,
    SyncJob.Kind.PULL_PRODUCTS: _pull_products,
    SyncJob.Kind.PUSH_STOCK: _push_stock,
    SyncJob.Kind.PUSH_PRICES: _push_prices,
}

