"""OpenAPI descriptions of our authentication classes (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "pixeepim.auth.authentication.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from POST /api/v1/auth/login (valid 15 minutes).",
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "pixeepim.auth.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "Organization API key (pm_live_… or pm_test_…) with the scopes the endpoint needs.",
        }


class ErrorSerializer(serializers.Serializer):
    """The body of every error of the public surfaces (contract §4)."""

    detail = serializers.CharField(help_text="What went wrong, as a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors by field (dotted paths for nested fields).",
    )
