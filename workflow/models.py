from django.conf import settings
from django.db import models
from django.utils import timezone

from pixeepim.tenancy.models import OrgOwned


class WorkflowTransition(OrgOwned):
    """One transition of one product: who, when, from, to, and why."""

    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="workflow_transitions")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    actor_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor_api_key = models.ForeignKey("pixee_auth.ApiKey", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["product", "created_at"], name="transition_product_created")]

    def __str__(self):
        return f"{self.action}: {self.from_state} → {self.to_state}"
