"""Webhooks: subscriptions, the outbox written with each change, signed delivery, retries, the log."""

import hashlib
import hmac
import json
import logging

import pytest
from django.db import transaction
from dramatiq.brokers.redis import RedisBroker

from pixeepim.auth.actors import SYSTEM
from products.services import products as product_services
from tests.workflow.test_workflow_api import complete_product
from webhooks import services, tasks
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

URL = "/api/v1/webhooks"


@pytest.fixture
def owner(member_client, org):
    return member_client(org, "owner")


def subscribe(org, receiver, events, **fields):
    subscription, secret = services.create_subscription(
        organization=org, data={"url": receiver.url, "events": events, **fields}, actor=SYSTEM)
    return subscription, secret


def signature_ok(secret, headers, raw):
    expected = hmac.new(secret.encode(), f"{headers['x-pixee-timestamp']}.".encode() + raw, hashlib.sha256)
    return hmac.compare_digest(headers["x-pixee-signature"], f"sha256={expected.hexdigest()}")


@pytest.mark.django_db
def test_a_subscription_shows_its_secret_only_when_created(owner, receiver):
    response = owner.post(URL, {"url": receiver.url, "events": ["product.created", "product.updated"]},
                          format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["product.created", "product.updated"]
    assert "secret" not in owner.get(f"{URL}/{body['id']}").json()
    assert [item["id"] for item in owner.get(URL).json()["items"]] == [body["id"]]
    assert WebhookSubscription.objects.get().secret == body["secret"]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "field", "message"), [
    ({"events": ["product.exploded"]}, "events", "Unknown events: product.exploded"),
    ({"events": []}, "events", ""),
    ({"url": "http://10.0.0.7/hooks"}, "url", ""),
    ({"url": "https://169.254.169.254/latest"}, "url", "link-local"),
    ({"url": "not a url"}, "url", ""),
    ({"secret": "short"}, "secret", ""),
])
def test_invalid_subscriptions_are_refused_with_the_field(owner, receiver, change, field, message):
    response = owner.post(URL, {"url": receiver.url, "events": ["product.created"], **change}, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_only_settings_managers_reach_webhooks(member_client, key_client, org, other_org, receiver):
    subscription, _ = subscribe(org, receiver, ["product.created"])
    assert member_client(org, "editor").get(URL).status_code == 403
    assert key_client(org, ["products:write"]).get(URL).status_code == 403
    stranger = member_client(other_org, "owner")
    assert stranger.get(URL).json()["items"] == []
    for method, path in [("get", ""), ("patch", ""), ("delete", ""), ("post", "/test"), ("get", "/logs")]:
        assert getattr(stranger, method)(f"{URL}/{subscription.id}{path}", {}, format="json").status_code == 404


@pytest.mark.django_db
def test_the_event_list_names_every_event(owner):
    items = owner.get(f"{URL}/events").json()["items"]
    assert {item["event"] for item in items} == {"product.created", "product.updated", "product.deleted",
                                                 "product.published", "supplier.created", "supplier.updated",
                                                 "export.completed", "import.started", "import.completed"}


@pytest.mark.django_db
def test_a_product_write_is_delivered_signed_and_logged(owner, org, receiver):
    subscription, secret = subscribe(org, receiver, ["product.created"])
    product_id = owner.post("/api/v1/products", {"ean": "4006381333931", "name": "Blue tee"},
                            format="json").json()["id"]
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.status == "pending" and receiver.received == []  # in the outbox, not sent yet

    assert services.deliver_due() == 1

    ((headers, raw, body),) = receiver.received
    assert signature_ok(secret, headers, raw)
    assert headers["x-pixee-event"] == "product.created" and headers["x-pixee-delivery"] == str(delivery.id)
    assert body["id"] == str(delivery.id) and body["event"] == "product.created"
    assert body["organization_id"] == str(org.id) and body["occurred_at"].endswith("Z")
    assert body["data"]["id"] == product_id and body["data"]["after"]["name"] == "Blue tee"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    (log,) = owner.get(f"{URL}/{subscription.id}/logs").json()["items"]
    assert (log["success"], log["status_code"], log["delivery_status"], log["event"]) == (
        True, 200, "delivered", "product.created")
    assert log["latency_ms"] >= 0 and '"ok"' in log["response_excerpt"]


@pytest.mark.django_db
def test_each_kind_of_change_becomes_its_event(owner, org, receiver):
    subscribe(org, receiver, ["product.updated", "product.deleted", "supplier.created", "product.published"])
    product = complete_product(org)
    owner.patch(f"/api/v1/products/{product.id}", {"name": "Renamed", "supplier_code": "KIMEX"}, format="json")
    for action in ("submit", "approve", "publish"):
        assert owner.post(f"/api/v1/workflow/products/{product.id}/{action}", {}, format="json").status_code == 200
    owner.delete(f"/api/v1/products/{product.id}")

    services.deliver_due()

    events = [(body["event"], body["data"]) for _, _, body in receiver.received]
    assert [event for event, _ in events] == ["supplier.created", "product.updated", "product.published",
                                              "product.deleted"]
    by_event = {event: data for event, data in events}
    assert by_event["supplier.created"]["after"]["code"] == "KIMEX"
    assert by_event["product.published"] == {"id": str(product.id), "from": "approved", "comment": ""}
    assert by_event["product.deleted"]["before"]["name"] == "Renamed"


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing(org, receiver):
    subscribe(org, receiver, ["product.created"])
    with pytest.raises(RuntimeError), transaction.atomic():
        product_services.create_product(organization=org, data={"ean": "4006381333931", "name": "x"}, actor=SYSTEM)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the change fails after the write")
    assert not WebhookDelivery.objects.exists()
    assert services.deliver_due() == 0 and receiver.received == []


@pytest.mark.django_db
def test_inactive_subscriptions_and_other_events_get_nothing(org, receiver):
    subscribe(org, receiver, ["product.created"], is_active=False)
    subscribe(org, receiver, ["product.deleted"])
    product_services.create_product(organization=org, data={"ean": "4006381333931", "name": "x"}, actor=SYSTEM)
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_failed_attempts_are_retried_with_backoff_until_delivered(org, receiver):
    subscribe(org, receiver, ["product.created"])
    product_services.create_product(organization=org, data={"ean": "4006381333931", "name": "x"}, actor=SYSTEM)
    receiver.statuses.extend([500, 503])

    services.deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    attempts = list(WebhookAttempt.objects.order_by("attempt").values_list("attempt", "status_code", "success"))
    assert attempts == [(1, 500, False), (2, 503, False), (3, 200, True)]
    assert len({raw for _, raw, _ in receiver.received}) == 1  # the same body each time


@pytest.mark.django_db
def test_the_delay_between_tries_doubles(settings):
    settings.PIXEE_WEBHOOK_RETRY_BASE = 30
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


@pytest.mark.django_db
def test_a_delivery_that_keeps_failing_fails_and_a_logged_retry_sends_it_again(owner, org, receiver, settings):
    settings.PIXEE_WEBHOOK_MAX_ATTEMPTS = 3
    subscription, _ = subscribe(org, receiver, ["product.created"])
    product_services.create_product(organization=org, data={"ean": "4006381333931", "name": "x"}, actor=SYSTEM)
    receiver.statuses.extend([500, 500, 500])

    services.deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    logs = owner.get(f"{URL}/{subscription.id}/logs?success=false").json()["items"]
    assert len(logs) == 3 and logs[0]["response_excerpt"] == "receiver is down"

    response = owner.post(f"{URL}/{subscription.id}/logs/{logs[0]['id']}/retry")
    assert response.status_code == 202 and response.json() == {"delivery_id": delivery.id, "status": "queued"}
    services.deliver_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 4)
    assert owner.post(f"{URL}/{subscription.id}/logs/999999/retry").status_code == 404


@pytest.mark.django_db
def test_a_test_ping_is_sent_signed_now_and_logged(owner, org, receiver):
    subscription, secret = subscribe(org, receiver, ["product.created"])

    response = owner.post(f"{URL}/{subscription.id}/test")

    body = response.json()
    assert response.status_code == 200 and body["success"] is True and body["status_code"] == 200
    ((headers, raw, sent),) = receiver.received
    assert signature_ok(secret, headers, raw) and sent["event"] == "ping"
    assert sent["data"] == {"subscription_id": str(subscription.id)}
    assert owner.post(f"{URL}/{subscription.id}/logs/{body['id']}/retry").status_code == 409


@pytest.mark.django_db
def test_a_ping_to_an_unreachable_receiver_reports_why(owner, org, receiver):
    subscription, _ = subscribe(org, receiver, ["product.created"])
    receiver.close()

    body = owner.post(f"{URL}/{subscription.id}/test").json()

    assert body["success"] is False and body["status_code"] is None and "ConnectionError" in body["error"]


@pytest.mark.django_db(transaction=True)
def test_events_wait_in_the_outbox_while_the_broker_is_down(owner, org, receiver, caplog):
    subscribe(org, receiver, ["product.created"])
    working = tasks.deliver_due_webhooks.broker
    tasks.deliver_due_webhooks.broker = RedisBroker(url="redis://127.0.0.1:1/0")  # nothing listens there
    try:
        with caplog.at_level(logging.WARNING):
            response = owner.post("/api/v1/products", {"ean": "4006381333931", "name": "x"}, format="json")
    finally:
        tasks.deliver_due_webhooks.broker = working

    assert response.status_code == 201
    assert "could not wake the webhook deliverer" in caplog.text
    assert WebhookDelivery.objects.get().status == "pending"
    services.deliver_due()  # what each worker's periodic look does
    assert receiver.events() == ["product.created"]
    assert json.loads(receiver.received[0][1])["data"]["id"] == response.json()["id"]
