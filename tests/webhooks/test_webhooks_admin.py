"""Webhooks in the admin: subscriptions with a write-only secret, test pings, deliveries and attempts."""

import pytest

from pixeepim.auth.actors import SYSTEM
from products.services import products as product_services
from tests.factories import staff_client
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_a_subscription_added_in_the_admin_gets_a_secret_shown_once(org, receiver):
    admin = staff_client(org, "admin")

    response = admin.post("/admin/webhooks/webhooksubscription/add/", {
        "organization": str(org.id), "url": receiver.url, "events": ["product.created", "supplier.created"],
        "description": "ERP", "is_active": "on"}, follow=True)

    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["product.created", "supplier.created"]
    assert f"Signing secret (shown only now): {subscription.secret}" in response.content.decode()
    page = admin.get(f"/admin/webhooks/webhooksubscription/{subscription.pk}/change/").content.decode()
    assert subscription.secret not in page


def test_deliveries_and_their_attempts_are_followed_and_retried(org, receiver):
    subscription, _ = services.create_subscription(
        organization=org, data={"url": receiver.url, "events": ["product.created"]}, actor=SYSTEM)
    product_services.create_product(organization=org, data={"ean": "4006381333931", "name": "x"}, actor=SYSTEM)
    receiver.statuses.append(502)
    services.deliver_due()
    delivery = WebhookDelivery.objects.get()
    admin = staff_client(org, "admin")

    listing = admin.get("/admin/webhooks/webhookdelivery/").content.decode()
    assert "product.created" in listing and "Delivered" in listing
    page = admin.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").content.decode()
    assert "502" in page and "receiver is down" in page

    response = admin.post("/admin/webhooks/webhooksubscription/", {
        "action": "send_test_ping", "_selected_action": [str(subscription.pk)]}, follow=True)
    assert "HTTP 200" in response.content.decode()


def test_editors_see_no_webhooks(org, receiver):
    services.create_subscription(organization=org, data={"url": receiver.url, "events": ["product.created"]},
                                 actor=SYSTEM)
    editor = staff_client(org, "editor")
    assert editor.get("/admin/webhooks/webhooksubscription/").status_code == 403
