from django.apps import AppConfig


class PixeeAuthConfig(AppConfig):
    name = "pixeepim.auth"
    # "auth" is django.contrib.auth's label.
    label = "pixee_auth"
    verbose_name = "Authentication"
