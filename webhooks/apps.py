from django.apps import AppConfig
from django.conf import settings


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from pixeepim import events, workers
        from webhooks import services

        # What is audited becomes outgoing events, in the transaction of the change (the outbox).
        events.subscribe("audit.recorded", services.on_audit_recorded)
        # Each worker process sends what is due (retries, and anything a lost message missed).
        workers.every(settings.PIXEE_WEBHOOK_POLL_SECONDS, services.deliver_due)
