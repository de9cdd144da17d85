"""An export run by a real `rundramatiq` worker process from the Redis broker."""

import csv
import io
import uuid

import pytest
from dramatiq.brokers.redis import RedisBroker

from exports import services, tasks
from exports.models import ExportJob
from pixeepim.auth.actors import SYSTEM
from tests.processes import child_env, manage, running, wait_until
from tests.products.factories import ProductFactory


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_writes_the_export_file(org, redis_url, tmp_path, settings):
    products = [ProductFactory(organization=org) for _ in range(3)]
    namespace = f"pixee-test-{uuid.uuid4().hex}"
    broker = RedisBroker(url=redis_url, namespace=namespace)
    broker.declare_queue("exports")
    job = services.start_export(organization=org, export_format="csv", filters={}, actor=SYSTEM)
    env = child_env(DRAMATIQ_BROKER_URL=redis_url, DRAMATIQ_NAMESPACE=namespace, PIXEE_MEDIA_ROOT=settings.MEDIA_ROOT)
    try:
        with running(manage("rundramatiq", "--processes", "1", "--threads", "1"), env, tmp_path / "worker.log"):
            broker.enqueue(tasks.run_export.message(str(job.id)))
            wait_until(lambda: _finished(job), timeout=60, message=f"the export (log: {tmp_path})")
    finally:
        broker.client.delete(*broker.client.keys(f"{namespace}:*") or [f"{namespace}:none"])

    assert (job.status, job.rows) == ("succeeded", 3)
    with job.file.open("rb") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read().decode())))
    assert {row["ean"] for row in rows} == {p.ean for p in products}


def _finished(job):
    job.refresh_from_db()
    return job.status in (ExportJob.Status.SUCCEEDED, ExportJob.Status.FAILED)
