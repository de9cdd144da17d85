from django.apps import AppConfig
from django.conf import settings


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = "Connectors"

    def ready(self):
        from connectors import services
        from pixeepim import workers

        # Scheduled syncs: every worker process looks for due connectors (claimed without overlap).
        workers.every(settings.PIXEE_SCHEDULER_SECONDS, services.enqueue_due_syncs)
