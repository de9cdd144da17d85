"""Operating connectors: encrypted credentials and key rotation, the scheduler, `sync_connector`."""

import json
import threading
from datetime import timedelta

import dramatiq
import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from connectors import services
from connectors.models import Connector, SyncJob
from pixeepim.encryption import UndecryptableSecret
from pixeepim.workers import StartInProcessWorker
from tests.products.factories import ProductFactory

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored_token(connector):
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM connectors_connector WHERE id = %s", [connector.id.hex
                       if connection.vendor == "sqlite" else connector.id])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_rotate_fernet_re_encrypts_credentials_with_the_newest_key(org, settings, capsys):
    settings.PIXEE_FERNET_KEYS = [OLD_KEY]
    connector = Connector.objects.create(organization=org, name="S", platform="shopify",
                                         base_url="https://a.myshopify.com", credentials={"access_token": "tok"})
    settings.PIXEE_FERNET_KEYS = [NEW_KEY, OLD_KEY]  # the new key in front: old values still read
    assert Connector.objects.get(pk=connector.pk).credentials == {"access_token": "tok"}
    before = stored_token(connector)

    call_command("rotate_fernet")

    assert json.loads(capsys.readouterr().out) == {"rotated": 1}
    assert stored_token(connector) != before
    settings.PIXEE_FERNET_KEYS = [NEW_KEY]  # the old key can now be dropped
    assert Connector.objects.get(pk=connector.pk).credentials == {"access_token": "tok"}


@pytest.mark.django_db
def test_a_dropped_key_is_reported_not_silently_ignored(org, settings):
    settings.PIXEE_FERNET_KEYS = [OLD_KEY]
    connector = Connector.objects.create(organization=org, name="S", platform="shopify",
                                         base_url="https://a.myshopify.com", credentials={"access_token": "tok"})
    settings.PIXEE_FERNET_KEYS = [NEW_KEY]
    with pytest.raises(UndecryptableSecret):
        Connector.objects.get(pk=connector.pk)
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_fernet")


def due_connector(org, **fields):
    connector = Connector.objects.create(organization=org, name="S", platform="shopify",
                                         base_url="https://a.myshopify.com", credentials={"access_token": "t"},
                                         sync_interval_minutes=30, **fields)
    Connector.objects.filter(pk=connector.pk).update(next_sync_at=timezone.now() - timedelta(minutes=1))
    return connector


@pytest.mark.django_db
def test_due_connectors_get_their_scheduled_jobs_once(org):
    connector = due_connector(org, scheduled_kinds=["push_products", "push_stock"])
    Connector.objects.create(organization=org, name="Manual", platform="shopify",
                             base_url="https://b.myshopify.com", credentials={"access_token": "t"})

    started = services.enqueue_due_syncs()

    assert sorted(job.kind for job in started) == ["push_products", "push_stock"]
    assert all(job.trigger == "schedule" and job.connector_id == connector.id for job in started)
    connector.refresh_from_db()
    assert connector.next_sync_at > timezone.now() + timedelta(minutes=29)
    assert services.enqueue_due_syncs() == []


@pytest.mark.django_db
def test_a_paused_or_busy_connector_is_not_started_again(org):
    paused = due_connector(org, status="paused")
    busy = due_connector(org)
    SyncJob.objects.create(organization=org, connector=busy, kind="push_products", status="running")

    assert services.enqueue_due_syncs() == []
    assert not paused.jobs.exists() and busy.jobs.count() == 1


@pytest.mark.django_db(transaction=True)
def test_schedulers_racing_on_several_machines_start_a_sync_once(org):
    due_connector(org)
    barrier, results = threading.Barrier(4), []

    def scheduler():
        barrier.wait()
        try:
            results.append(len(services.enqueue_due_syncs()))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 0, 0, 1]
    assert SyncJob.objects.count() == 1


@pytest.fixture
def in_process_worker(settings):
    settings.PIXEE_IN_PROCESS_WORKER = True
    broker = dramatiq.get_broker()
    starter = next(m for m in broker.middleware if isinstance(m, StartInProcessWorker))
    yield
    if starter._worker is not None:
        starter._worker.stop()
        starter._worker = None


@pytest.mark.django_db(transaction=True)
def test_sync_connector_waits_for_the_job_and_prints_its_result(org, shopify, shopify_connector, in_process_worker,
                                                                 capsys):
    products = [ProductFactory(organization=org, workflow_state="published") for _ in range(3)]

    call_command("sync_connector", str(shopify_connector.id), "push-products", "--wait")

    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "succeeded" and result["succeeded"] == 3
    assert {p["id"] for p in shopify.products.values()} and len(shopify.products) == len(products)


@pytest.mark.django_db
def test_sync_connector_refuses_unknown_connectors_and_busy_ones(org, shopify_connector):
    with pytest.raises(CommandError, match="No connector"):
        call_command("sync_connector", "not-a-uuid", "push-stock")
    call_command("sync_connector", str(shopify_connector.id), "push-stock")
    with pytest.raises(CommandError, match="already queued"):
        call_command("sync_connector", str(shopify_connector.id), "push-stock")
