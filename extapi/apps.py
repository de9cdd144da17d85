from django.apps import AppConfig


class ExtApiConfig(AppConfig):
    name = "extapi"
    verbose_name = "External API"
