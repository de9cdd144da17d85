"""Webhook subscriptions, the outbox of deliveries, and the log of each delivery attempt."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from pixeepim.encryption import EncryptedTextField
from products.models import CatalogModel


class WebhookSubscription(CatalogModel):
    url = models.URLField(max_length=1000)
    events = models.JSONField(default=list, help_text="Event types delivered to this URL.")
    secret = EncryptedTextField(help_text="Signs every delivery (HMAC-SHA256); encrypted at rest.")
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self):
        return self.description or self.url


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row, written in the transaction of the change.

    ``pending`` rows whose ``next_attempt_at`` has come are taken by a worker; a taken row's
    ``next_attempt_at`` moves forward by a lease first, so a worker that dies mid-send leaves it to
    be sent again (at least once; receivers dedupe on the delivery id)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhook_due_idx", condition=models.Q(status="pending")),
            models.Index(fields=["subscription", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription}"


class WebhookAttempt(models.Model):
    """The log: one row per HTTP attempt of a delivery (or of a test ping)."""

    id = models.BigAutoField(primary_key=True)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="attempts")
    delivery = models.ForeignKey(WebhookDelivery, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attempt_log")
    event = models.CharField(max_length=50)
    attempt = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    success = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["subscription", "-created_at"])]

    def __str__(self):
        return f"{self.event} #{self.attempt}: {self.status_code or self.error}"
