from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "pixeepim.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy and users"
