"""Webhooks: subscriptions, the outbox, signed delivery with retries, the attempt log, test pings.

Changes reach partners in three steps:
1. Every audited change (``audit.recorded``) adds one ``WebhookDelivery`` row per interested
   active subscription, in the transaction of the change: a rolled-back change sends nothing, and
   a committed one is not lost if the broker is down.
2. After the commit, a message wakes a worker; each worker process also looks for due deliveries
   every ``PIXEE_WEBHOOK_POLL_SECONDS`` (so nothing waits for a lost message).
3. ``deliver_due`` claims due rows (``SKIP LOCKED``, with a lease), POSTs each signed body, logs the
   attempt, and marks the row delivered or schedules the next try with exponential back-off; after
   ``PIXEE_WEBHOOK_MAX_ATTEMPTS`` it is failed (a manual retry gives it one more).

Signature: ``X-Pixee-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"{X-Pixee-Timestamp}." + body``
with the subscription's secret.
"""

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from connectors.http import BlockedDestination, check_url, outbound_session
from pixeepim.api.errors import Conflict
from pixeepim.api.formats import iso_utc
from webhooks import events as catalog
from webhooks import tasks
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)  # a claimed delivery is sent again after this if its worker died
CLAIM_BATCH = 100
EXCERPT = 500


def new_secret():
    return f"whsec_{secrets.token_urlsafe(32)}"


def sign(secret, timestamp, body):
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


# --- subscriptions ----------------------------------------------------------------------------------


def _validate(data):
    errors = {}
    if "url" in data:
        try:
            check_url(data["url"])
        except BlockedDestination as exc:
            errors["url"] = [str(exc)]
    unknown = [event for event in data.get("events", []) if event not in catalog.EVENTS]
    if unknown:
        errors["events"] = [f"Unknown events: {', '.join(unknown)}; see GET /api/v1/webhooks/events."]
    if errors:
        raise ValidationError(errors)


def create_subscription(*, organization, data, actor):
    """Returns the subscription and its secret (given, or generated): the only time it is shown."""
    _validate(data)
    secret = data.get("secret") or new_secret()
    subscription = WebhookSubscription.objects.create(
        organization=organization, url=data["url"], events=sorted(set(data["events"])), secret=secret,
        description=data.get("description", ""), is_active=data.get("is_active", True), created_by=actor.user,
    )
    return subscription, secret


def update_subscription(*, subscription, data):
    _validate(data)
    for field, value in data.items():
        setattr(subscription, field, sorted(set(value)) if field == "events" else value)
    subscription.updated_at = timezone.now()
    subscription.save()
    return subscription


# --- the outbox -------------------------------------------------------------------------------------


def on_audit_recorded(rows):
    """Adds the deliveries of audited changes (subscribed to ``audit.recorded``). Subscriptions
    are looked up first: an organization without any pays one query, not a pass over the rows."""
    subscribers = defaultdict(list)
    for subscription in WebhookSubscription.objects.filter(
        organization_id__in={row["organization_id"] for row in rows}, is_active=True
    ).only("id", "organization_id", "events"):
        subscribers[subscription.organization_id].append(subscription)
    if not subscribers:
        return
    outgoing = []
    for row in rows:
        matched = row["organization_id"] in subscribers and catalog.from_audit_row(row)
        if matched:
            outgoing.append((row["organization_id"], row["created_at"], *matched))
    now = timezone.now()
    deliveries = [
        WebhookDelivery(subscription_id=subscription.id, event=event, next_attempt_at=now, created_at=now,
                        payload={"event": event, "occurred_at": iso_utc(at), "organization_id": str(org), "data": data})
        for org, at, event, data in outgoing
        for subscription in subscribers[org] if event in subscription.events
    ]
    if deliveries:
        WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000)
        transaction.on_commit(tasks.wake_deliverer)


# --- delivery ---------------------------------------------------------------------------------------


@dataclass
class AttemptResult:
    success: bool
    status_code: int | None
    latency_ms: int
    response_excerpt: str = ""
    error: str = ""


def _post(session, subscription, event, body, delivery_id):
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Pixee-Event": event,
        "X-Pixee-Delivery": str(delivery_id),
        "X-Pixee-Timestamp": timestamp,
        "X-Pixee-Signature": sign(subscription.secret, timestamp, body),
    }
    started = time.perf_counter()
    try:
        response = session.post(subscription.url, data=body, headers=headers, allow_redirects=False)
    except BlockedDestination as exc:
        return AttemptResult(False, None, 0, error=str(exc)[:EXCERPT])
    except requests.RequestException as exc:
        latency = round((time.perf_counter() - started) * 1000)
        return AttemptResult(False, None, latency, error=f"{type(exc).__name__}: {exc}"[:EXCERPT])
    latency = round((time.perf_counter() - started) * 1000)
    return AttemptResult(200 <= response.status_code < 300, response.status_code, latency,
                         response.text[:EXCERPT])


def _body(delivery_id, payload):
    return json.dumps({"id": str(delivery_id), **payload}, separators=(",", ":")).encode()


def _session():
    return outbound_session(timeout=settings.PIXEE_WEBHOOK_TIMEOUT, user_agent="PixeePIM-Webhooks/1.0")


def retry_delay(attempts):
    return timedelta(seconds=settings.PIXEE_WEBHOOK_RETRY_BASE * 2 ** (attempts - 1))


def deliver_due():
    """Sends every delivery that is due, in claimed batches; returns how many were attempted."""
    attempted = 0
    with _session() as session:
        while True:
            claimed = _claim()
            if not claimed:
                return attempted
            subscriptions = {s.id: s for s in WebhookSubscription.objects.filter(
                id__in={d.subscription_id for d in claimed})}
            for delivery in claimed:
                _attempt(session, delivery, subscriptions[delivery.subscription_id])
            attempted += len(claimed)


def _claim():
    now = timezone.now()
    with transaction.atomic():
        claimed = list(WebhookDelivery.objects.select_for_update(skip_locked=True)
                       .filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
                       .order_by("next_attempt_at", "id")[:CLAIM_BATCH])
        if claimed:
            WebhookDelivery.objects.filter(id__in=[d.id for d in claimed]).update(
                next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    for delivery in claimed:
        delivery.attempts += 1
    return claimed


def _attempt(session, delivery, subscription):
    if subscription.is_active:
        result = _post(session, subscription, delivery.event, _body(delivery.id, delivery.payload), delivery.id)
    else:
        result = AttemptResult(False, None, 0, error="The subscription is inactive.")
    now = timezone.now()
    WebhookAttempt.objects.create(
        subscription=subscription, delivery=delivery, event=delivery.event, attempt=delivery.attempts,
        success=result.success, status_code=result.status_code, latency_ms=result.latency_ms,
        response_excerpt=result.response_excerpt, error=result.error,
    )
    if result.success:
        changes = {"status": WebhookDelivery.Status.DELIVERED, "delivered_at": now}
    elif delivery.attempts >= settings.PIXEE_WEBHOOK_MAX_ATTEMPTS or not subscription.is_active:
        changes = {"status": WebhookDelivery.Status.FAILED}
    else:
        changes = {"next_attempt_at": now + retry_delay(delivery.attempts)}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes)


def retry(*, attempt):
    """Sends the delivery of a logged attempt again, now (``POST …/logs/{id}/retry``)."""
    if attempt.delivery_id is None:
        raise Conflict("A test ping is not retried; send a new one with POST /webhooks/{id}/test.")
    WebhookDelivery.objects.filter(pk=attempt.delivery_id).update(
        status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now())
    transaction.on_commit(tasks.wake_deliverer)
    return attempt.delivery


def ping(*, subscription):
    """Sends a signed ``ping`` now and logs it; returns the attempt."""
    ping_id = f"ping_{uuid.uuid4().hex}"
    payload = {"event": catalog.PING, "occurred_at": iso_utc(timezone.now()),
               "organization_id": str(subscription.organization_id), "data": {"subscription_id": str(subscription.id)}}
    with _session() as session:
        result = _post(session, subscription, catalog.PING, _body(ping_id, payload), ping_id)
    return WebhookAttempt.objects.create(
        subscription=subscription, event=catalog.PING, success=result.success, status_code=result.status_code,
        latency_ms=result.latency_ms, response_excerpt=result.response_excerpt, error=result.error,
    )
