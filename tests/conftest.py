import os
import shutil

import pytest
import redis
from rest_framework.test import APIClient
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, make_api_key

REDIS_URL = os.environ.get("PIXEE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets an empty local-memory cache, so rate-limit counters never leak between tests."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _uncollected_static_files(settings):
    # Production serves hashed files after collectstatic; tests read them from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_in_process_worker(settings):
    # Tests run jobs explicitly (a stub worker, or a real worker process in integration tests).
    settings.PIXEE_IN_PROCESS_WORKER = False
    yield
    # Messages a test enqueued but did not run must not reach a later test's worker.
    import dramatiq

    dramatiq.get_broker().flush_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production hashing is deliberately slow; the suite logs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def org(db):
    return OrganizationFactory()


@pytest.fixture
def other_org(db):
    """An organization of another tenant: nothing of it may ever be visible from ``org``."""
    return OrganizationFactory()


def login(client, email, password=PASSWORD):
    response = client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return response


@pytest.fixture
def member_client(db):
    """``member_client(org, role)`` → an APIClient logged in as a new member with that role."""

    def make(organization, role="owner"):
        membership = MembershipFactory(organization=organization, role=role)
        client = APIClient()
        login(client, membership.user.email)
        client.user = membership.user
        return client

    return make


@pytest.fixture
def key_client(db):
    """``key_client(org, scopes)`` → an APIClient sending a new API key of that organization."""

    def make(organization, scopes):
        api_key, raw = make_api_key(organization, scopes)
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=raw)
        client.api_key = api_key
        return client

    return make


@pytest.fixture(scope="session")
def redis_url():
    """The Redis of the integration tests; they are skipped without one, except in CI."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}; CI must provide it.")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def pim_client(member_client, key_client):
    """``pim_client(org, role=…)`` or ``pim_client(org, scopes=[…])`` → a client sending the tenant PIM headers."""

    def make(organization, role="editor", scopes=None):
        client = key_client(organization, scopes) if scopes is not None else member_client(organization, role)
        client.credentials(**client._credentials, HTTP_X_TENANT_ID=str(organization.tenant_id),
                           HTTP_X_ORG_ID=str(organization.id))
        return client

    return make


@pytest.fixture
def run_jobs(transactional_db):
    """Runs queued Dramatiq jobs with a stub-broker worker: call ``run_jobs()`` to drain every queue."""
    import dramatiq

    broker = dramatiq.get_broker()
    broker.flush_all()
    worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=1)
    worker.start()

    def drain():
        for queue in list(broker.queues):
            broker.join(queue, fail_fast=True, timeout=30_000)
        worker.join()

    yield drain
    worker.stop()


CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser():
    """Headless Debian Chromium driven by Selenium (the admin tests that check what people see)."""
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("chromium and chromedriver must be installed in CI (.ci/run installs them).")
        pytest.skip("chromium and chromedriver are not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
