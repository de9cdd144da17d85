from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pixeepim.api"
    label = "pixee_api"
    verbose_name = "API conventions"

    def ready(self):
        from pixeepim import lookups  # noqa: F401  (registers field__any)
        from pixeepim.api import checks  # noqa: F401  (registers the org-scoping system check)
        from pixeepim.api import schema  # noqa: F401  (OpenAPI descriptions of our auth classes)
