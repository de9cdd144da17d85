"""Delivery by a real `rundramatiq` worker process: its periodic look finds what the outbox holds."""

import uuid

import pytest
from dramatiq.brokers.redis import RedisBroker

from pixeepim.auth.actors import SYSTEM
from products.services import products as product_services
from tests.processes import child_env, manage, running, wait_until
from webhooks import services
from webhooks.models import WebhookDelivery


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_delivers_what_the_outbox_holds(org, receiver, redis_url, tmp_path):
    namespace = f"pixee-test-{uuid.uuid4().hex}"
    subscription, _ = services.create_subscription(
        organization=org, data={"url": receiver.url, "events": ["product.created"]}, actor=SYSTEM)
    product = product_services.create_product(organization=org, data={"ean": "4006381333931", "name": "x"},
                                              actor=SYSTEM)
    env = child_env(DRAMATIQ_BROKER_URL=redis_url, DRAMATIQ_NAMESPACE=namespace, PIXEE_SSRF_ALLOW="127.0.0.1",
                    PIXEE_WEBHOOK_POLL_SECONDS="0.2")
    try:
        with running(manage("rundramatiq", "--processes", "1", "--threads", "1"), env, tmp_path / "worker.log"):
            # The receiver has the body before the worker records the answer: wait for both.
            wait_until(lambda: receiver.received and WebhookDelivery.objects.filter(
                subscription=subscription, status=WebhookDelivery.Status.DELIVERED).exists(),
                timeout=60, message=f"the delivery (log: {tmp_path})")
    finally:
        client = RedisBroker(url=redis_url, namespace=namespace).client
        client.delete(*client.keys(f"{namespace}:*") or [f"{namespace}:none"])

    ((_, _, body),) = receiver.received
    assert body["event"] == "product.created" and body["data"]["id"] == str(product.id)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempt_log.get().status_code) == ("delivered", 200)
