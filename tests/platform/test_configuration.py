"""Configuration from the environment, production checks, and the OpenAPI schema."""

import subprocess
import sys

import pytest
import yaml
from cryptography.fernet import Fernet

from tests.processes import ROOT

PRODUCTION_ENV = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SECRET_KEY": "x7Kp2vQ9rT4mW8zL1nB6cF3hJ5sD0gY7uE2iO9aR4tV6yX8wQ1pM3kN5bH7jG2fZ",
    "PIXEE_FERNET_KEYS": Fernet.generate_key().decode(),
    "DJANGO_ALLOWED_HOSTS": "pim.example.com",
    "DATABASE_URL": "postgres://pixee@db.example.com:5432/pixee",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "DRAMATIQ_BROKER_URL": "redis://cache.example.com:6379/1",
}


def manage(env, *args):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_with_production_variables():
    result = manage(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "PIXEE_FERNET_KEYS"])
def test_outside_debug_a_missing_secret_refuses_to_start(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}

    result = manage(env, "check")

    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_DEBUG is off" in result.stderr


def test_debug_runs_with_no_configuration_at_all():
    result = manage({"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1"}, "check")

    assert result.returncode == 0, result.stderr


def test_a_broker_url_of_another_kind_is_refused():
    result = manage({**PRODUCTION_ENV, "DRAMATIQ_BROKER_URL": "kafka://somewhere"}, "check")

    assert "DRAMATIQ_BROKER_URL must start with redis:// or amqp://" in result.stderr


@pytest.mark.django_db
def test_the_openapi_schema_describes_the_platform_endpoints(api_client):
    response = api_client.get("/api/v1/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/auth/me",
            "/api/v1/api-keys", "/api/v1/api-keys/{id}", "/api/v1/graphql"} <= set(schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert schemes["apiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key",
        "description": schemes["apiKey"]["description"],
    }
    assert schemes["accessToken"]["scheme"] == "bearer"
    list_params = {p["name"] for p in schema["paths"]["/api/v1/api-keys"]["get"]["parameters"]}
    assert {"page", "per_page", "skip", "limit"} <= list_params


@pytest.mark.django_db
def test_swagger_ui_is_served_with_its_own_assets(api_client):
    page = api_client.get("/api/v1/docs/")

    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/" in page.content
