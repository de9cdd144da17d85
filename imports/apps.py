from django.apps import AppConfig
from django.conf import settings


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports"

    def ready(self):
        from imports import services
        from pixeepim import workers

        # Recurring imports: every worker process looks for due automations (claimed without overlap).
        workers.every(settings.PIXEE_SCHEDULER_SECONDS, services.run_due_automations)
