"""Background jobs: the in-process worker of the zero-setup mode, and a real `rundramatiq` worker
process consuming a Redis broker."""

import uuid
from datetime import timedelta

import dramatiq
import pytest
from django.utils import timezone
from dramatiq.brokers.redis import RedisBroker

from pixeepim.auth.models import RefreshFamily
from pixeepim.auth.tasks import purge_expired_sessions_job
from pixeepim.workers import QUEUES, StartInProcessWorker, broker_settings
from tests.factories import UserFactory
from tests.processes import child_env, manage, running, wait_until


def expired_session():
    return RefreshFamily.objects.create(user=UserFactory(), expires_at=timezone.now() - timedelta(days=1))


def test_broker_url_selects_the_broker():
    assert broker_settings("")["BROKER"] == "dramatiq.brokers.stub.StubBroker"
    assert broker_settings("redis://127.0.0.1:6379/0")["BROKER"] == "dramatiq.brokers.redis.RedisBroker"
    assert broker_settings("amqp://guest:guest@127.0.0.1:5672/")["BROKER"] == "dramatiq.brokers.rabbitmq.RabbitmqBroker"


def test_actors_use_queues_named_by_purpose():
    assert purge_expired_sessions_job.queue_name == "default"
    assert set(QUEUES) == {"default", "connectors", "imports", "exports"}


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_first_job_starts_a_worker_inside_the_process(settings, caplog):
    settings.PIXEE_IN_PROCESS_WORKER = True
    broker = dramatiq.get_broker()
    starter = next(m for m in broker.middleware if isinstance(m, StartInProcessWorker))
    family = expired_session()
    try:
        purge_expired_sessions_job.send()
        broker.join(purge_expired_sessions_job.queue_name, timeout=10_000)
        starter._worker.join()
    finally:
        if starter._worker is not None:
            starter._worker.stop()
            starter._worker = None

    assert not RefreshFamily.objects.filter(pk=family.pk).exists()
    assert "jobs run in a worker inside this process" in caplog.text


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_runs_a_job_from_redis(redis_url, tmp_path):
    namespace = f"pixee-test-{uuid.uuid4().hex}"
    family = expired_session()
    broker = RedisBroker(url=redis_url, namespace=namespace)
    broker.declare_queue("default")
    env = child_env(DRAMATIQ_BROKER_URL=redis_url, DRAMATIQ_NAMESPACE=namespace)

    with running(manage("rundramatiq", "--processes", "1", "--threads", "1"), env, tmp_path / "worker.log"):
        broker.enqueue(purge_expired_sessions_job.message())
        wait_until(
            lambda: not RefreshFamily.objects.filter(pk=family.pk).exists(),
            timeout=60,
            message=f"the worker to run the job (log: {(tmp_path / 'worker.log')})",
        )
    broker.client.delete(*broker.client.keys(f"{namespace}:*") or [f"{namespace}:none"])
