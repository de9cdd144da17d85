"""Sync jobs through the real parts: an API call, the Redis broker, a `rundramatiq` worker process,
and a fake Shopify over HTTP — including a worker killed in the middle of a job."""

import os
import signal
import socket
import sys
import uuid
from collections import Counter
from datetime import timedelta

import pytest
import requests
from dramatiq.brokers.redis import RedisBroker

from connectors import services
from connectors.models import SyncJob
from connectors.tasks import run_sync_job
from pixeepim.auth.actors import SYSTEM
from tests.factories import make_api_key
from tests.processes import child_env, manage, running, wait_until
from tests.products.factories import ProductFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def namespace(redis_url):
    namespace = f"pixee-test-{uuid.uuid4().hex}"
    yield namespace
    client = RedisBroker(url=redis_url, namespace=namespace).client
    keys = client.keys(f"{namespace}:*")
    if keys:
        client.delete(*keys)


@pytest.fixture
def worker_env(redis_url, namespace):
    return child_env(
        DRAMATIQ_BROKER_URL=redis_url, DRAMATIQ_NAMESPACE=namespace, PIXEE_SSRF_ALLOW="127.0.0.1",
        PIXEE_CONNECTOR_BACKOFF_BASE="0.01", PIXEE_SSL_REDIRECT="0", DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # A killed worker's message goes to another worker after 2 s without heartbeat (not 60 s).
        DRAMATIQ_HEARTBEAT_TIMEOUT_MS="2000", DRAMATIQ_MAINTENANCE_CHANCE="1000000",
    )


def worker(env, log):
    return running(manage("rundramatiq", "--processes", "1", "--threads", "2"), env, log)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def product_set_count_by_id(shopify):
    """How many times each of our product ids was sent in a productSet."""
    sent = Counter()
    for request in shopify.received:
        for name, value in ((request.json or {}).get("variables") or {}).items():
            if name.startswith("id") and isinstance(value, dict) and "customId" in value:
                sent[value["customId"]["value"]] += 1
    return sent


def test_an_api_call_is_run_by_a_worker_process_that_pushes_to_shopify(org, shopify, shopify_connector,
                                                                      worker_env, tmp_path):
    products = [ProductFactory(organization=org, workflow_state="published") for _ in range(5)]
    _, key = make_api_key(org, ["connectors:read", "connectors:write"])
    port = free_port()
    web = [sys.executable, "-m", "gunicorn", "pixeepim.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    base = f"http://127.0.0.1:{port}/api/v1/connectors/{shopify_connector.id}"

    with running(web, worker_env, tmp_path / "web.log"), worker(worker_env, tmp_path / "worker.log"):
        wait_until(lambda: _answers(f"{base}/jobs", key), timeout=30, message="the web server to start")
        response = requests.post(f"{base}/sync/push-products", headers={"X-API-Key": key}, json={}, timeout=10)
        assert response.status_code == 202 and response.json()["products_queued"] == 5
        job = SyncJob.objects.get(pk=response.json()["job_id"])
        wait_until(lambda: _finished(job), timeout=60, message=f"the job to finish (logs in {tmp_path})")

    assert (job.status, job.succeeded) == ("succeeded", 5)
    assert product_set_count_by_id(shopify) == {str(p.id): 1 for p in products}


def _answers(url, key):
    try:
        return requests.get(url, headers={"X-API-Key": key}, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def _finished(job):
    job.refresh_from_db()
    return job.is_finished


def test_a_job_whose_worker_is_killed_completes_after_restart_sending_each_product_once(
        org, shopify, shopify_connector, worker_env, redis_url, namespace, tmp_path):
    products = [ProductFactory(organization=org, workflow_state="published") for _ in range(300)]
    job = services.start_sync(connector=shopify_connector, kind="push_products", actor=SYSTEM)
    shopify.latency = 0.05  # each request takes a while, so the kill lands mid-job
    broker = RedisBroker(url=redis_url, namespace=namespace)
    broker.declare_queue("connectors")
    broker.enqueue(run_sync_job.message(str(job.id)))

    with worker(worker_env, tmp_path / "worker-1.log") as first:
        wait_until(lambda: _progress(job) >= 100, timeout=60, message="the first chunk to be saved")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    killed_at = _progress(job)
    assert killed_at < 300 and SyncJob.objects.get(pk=job.pk).status == "running"

    with worker(worker_env, tmp_path / "worker-2.log"):
        wait_until(lambda: _finished(job), timeout=90, message=f"the resumed job to finish (logs in {tmp_path})")

    assert (job.status, job.processed, job.succeeded, job.failed) == ("succeeded", 300, 300, 0)
    assert job.attempts == 2
    sent = product_set_count_by_id(shopify)
    assert set(sent) == {str(p.id) for p in products}
    # Products of checkpointed chunks were never sent again; only the chunk in flight at the kill
    # may have been sent twice, and productSet's customId upsert made that harmless.
    assert sum(count > 1 for count in sent.values()) <= 100
    assert len(shopify.products) == 300


def _progress(job):
    job.refresh_from_db()
    return job.processed


def test_worker_processes_run_scheduled_syncs_once(org, shopify, shopify_connector, worker_env, tmp_path):
    product = ProductFactory(organization=org, workflow_state="published")
    shopify_connector.sync_interval_minutes = 60
    shopify_connector.save()
    services.reschedule(shopify_connector, now=shopify_connector.created_at - timedelta(hours=2))
    shopify_connector.save()
    env = {**worker_env, "PIXEE_SCHEDULER_SECONDS": "0.2"}

    # Two worker processes, as on two machines: both look for due syncs, one starts it.
    with worker(env, tmp_path / "worker-1.log"), worker(env, tmp_path / "worker-2.log"):
        wait_until(lambda: SyncJob.objects.filter(status="succeeded").exists(), timeout=60,
                   message=f"the scheduled sync to run (logs in {tmp_path})")

    (job,) = SyncJob.objects.all()
    assert (job.trigger, job.kind, job.succeeded) == ("schedule", "push_products", 1)
    assert product_set_count_by_id(shopify) == {str(product.id): 1}
    shopify_connector.refresh_from_db()
    assert shopify_connector.next_sync_at > shopify_connector.last_sync_at
