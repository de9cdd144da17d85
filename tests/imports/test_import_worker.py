"""An import run by a real `rundramatiq` worker process from the Redis broker, paused and resumed."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from dramatiq.brokers.redis import RedisBroker

from imports import services, tasks
from imports.models import ImportJob
from pixeepim.auth.actors import SYSTEM
from products.models import Product
from tests.imports.test_imports import catalog_rows, csv_file
from tests.processes import child_env, manage, running, wait_until


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_an_import_from_the_imports_queue(org, redis_url, tmp_path, settings):
    namespace = f"pixee-test-{uuid.uuid4().hex}"
    broker = RedisBroker(url=redis_url, namespace=namespace)
    broker.declare_queue("imports")
    upload = csv_file(catalog_rows(1500))
    job = services.start_import(organization=org, file=SimpleUploadedFile(upload.name, upload.read()),
                                file_name=upload.name, actor=SYSTEM, enqueue=False)
    env = child_env(DRAMATIQ_BROKER_URL=redis_url, DRAMATIQ_NAMESPACE=namespace, PIXEE_MEDIA_ROOT=settings.MEDIA_ROOT)
    try:
        with running(manage("rundramatiq", "--processes", "1", "--threads", "1"), env, tmp_path / "worker.log"):
            broker.enqueue(tasks.run_import.message(str(job.id)))
            wait_until(lambda: _status(job) == "succeeded", timeout=90, message=f"the import (log: {tmp_path})")
    finally:
        broker.client.delete(*broker.client.keys(f"{namespace}:*") or [f"{namespace}:none"])

    assert (job.processed, job.created, job.failed) == (1500, 1500, 0)
    assert Product.objects.for_org(org).count() == 1500


def _status(job):
    job.refresh_from_db()
    return job.status if job.status != ImportJob.Status.FAILED else pytest.fail(job.error)
