"""PIM export and bulk jobs: 202 with a job, run by a worker, progress and results stored."""

import csv
import io

import pytest

from products.models import CatalogJob, Product
from products.services import jobs
from tests.factories import OrganizationFactory
from tests.products.factories import BrandFactory, ProductFactory

PIM = "/api/v1/pim"


@pytest.fixture
def org(transactional_db):
    return OrganizationFactory()


def test_export_is_accepted_then_written_by_a_worker_and_downloadable(pim_client, org, run_jobs):
    brand = BrandFactory(organization=org, name="Kimex")
    ProductFactory(organization=org, name="Support TV", brand=brand, price="29.99")
    ProductFactory(organization=org, name="Gone", deleted_at="2026-01-01T00:00:00Z")
    ProductFactory(organization=OrganizationFactory(), name="Theirs")
    client = pim_client(org)

    accepted = client.post(f"{PIM}/export")
    assert accepted.status_code == 202
    job_id = accepted.json()["job_id"]
    assert accepted.json()["status"] == "QUEUED"

    run_jobs()

    job = client.get(f"{PIM}/export/{job_id}").json()
    assert (job["status"], job["processed"]) == ("SUCCEEDED", 1)
    download = client.get(job["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert [(r["name"], r["brand"], r["price"]) for r in rows] == [("Support TV", "Kimex", "29.99")]


def test_an_export_of_another_organization_is_404(pim_client, org, run_jobs):
    theirs = pim_client(OrganizationFactory()).post(f"{PIM}/export").json()["job_id"]
    run_jobs()

    client = pim_client(org)
    assert client.get(f"{PIM}/export/{theirs}").status_code == 404
    assert client.get(f"{PIM}/export/{theirs}/download").status_code == 404


def test_bulk_update_job_applies_changes_and_reports_progress(pim_client, org, run_jobs):
    products = [ProductFactory(organization=org, price="1.00") for _ in range(3)]
    foreign = ProductFactory(organization=OrganizationFactory(), price="1.00")
    client = pim_client(org)
    ids = [str(p.id) for p in products] + [str(foreign.id)]

    accepted = client.post(f"{PIM}/bulk-jobs", {"type": "BULK_UPDATE", "payload": {
        "product_ids": ids, "changes": {"price": 9.5, "is_active": False}}}, format="json")
    assert accepted.status_code == 202

    run_jobs()

    job = client.get(f"{PIM}/bulk-jobs/{accepted.json()['id']}").json()
    assert (job["status"], job["total"], job["processed"], job["failed"]) == ("SUCCEEDED", 4, 4, 1)
    assert job["errors"] == [{"product_id": str(foreign.id), "errors": {"id": ["Not found."]}}]
    assert {(str(p.price), p.status) for p in Product.objects.filter(organization=org)} == {("9.50", "inactive")}
    foreign.refresh_from_db()
    assert str(foreign.price) == "1.00"
    assert [j["id"] for j in client.get(f"{PIM}/bulk-jobs").json()] == [job["id"]]
    assert client.get(f"{PIM}/bulk-jobs", {"type": "BULK_DELETE"}).json() == []


def test_bulk_delete_job_soft_deletes(pim_client, org, run_jobs):
    products = [ProductFactory(organization=org) for _ in range(2)]
    client = pim_client(org)

    accepted = client.post(f"{PIM}/bulk-jobs", {"type": "BULK_DELETE", "payload": {
        "product_ids": [str(p.id) for p in products]}}, format="json")
    run_jobs()

    assert client.get(f"{PIM}/bulk-jobs/{accepted.json()['id']}").json()["status"] == "SUCCEEDED"
    assert Product.objects.filter(organization=org).live().count() == 0


@pytest.mark.parametrize("body, field", [
    ({"type": "BULK_MOVE", "payload": {}}, "type"),
    ({"type": "BULK_UPDATE", "payload": {"product_ids": []}}, "payload.product_ids"),
    ({"type": "BULK_UPDATE", "payload": {"product_ids": ["x"]}}, "payload.product_ids"),
    ({"type": "BULK_UPDATE", "payload": {"product_ids": ["00000000-0000-0000-0000-000000000001"]}}, "payload.changes"),
    ({"type": "BULK_UPDATE", "payload": {"product_ids": ["00000000-0000-0000-0000-000000000001"],
                                          "changes": {"price": -1}}}, "payload.changes.price"),
    ({"type": "BULK_UPDATE", "payload": {"product_ids": ["00000000-0000-0000-0000-000000000001"],
                                          "changes": {"ean": "3760000000001"}}}, "payload.changes.ean"),
    ({"type": "BULK_DELETE", "payload": {"product_ids": ["00000000-0000-0000-0000-000000000001"],
                                          "changes": {"price": 1}}}, "payload.changes"),
])
def test_bad_bulk_job_is_a_400_and_queues_nothing(pim_client, org, body, field):
    response = pim_client(org).post(f"{PIM}/bulk-jobs", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert CatalogJob.objects.count() == 0


def test_a_bulk_job_picked_up_again_continues_after_the_last_saved_chunk(org, monkeypatch):
    products = [ProductFactory(organization=org, price="1.00") for _ in range(5)]
    job = CatalogJob.objects.create(organization=org, job_type="BULK_UPDATE", total=5, processed=2, status="RUNNING",
                                    payload={"product_ids": [str(p.id) for p in products], "changes": {"price": 3}})
    monkeypatch.setattr(jobs, "CHUNK_SIZE", 2)

    jobs.run_bulk_job(job.id)

    job.refresh_from_db()
    assert (job.status, job.processed) == ("SUCCEEDED", 5)
    prices = [str(Product.objects.get(pk=p.pk).price) for p in products]
    assert prices == ["1.00", "1.00", "3.00", "3.00", "3.00"]


def test_a_job_whose_retries_are_spent_is_marked_failed(org):
    job = CatalogJob.objects.create(organization=org, job_type="EXPORT", status="RUNNING")

    jobs.mark_failed(job.id, "OSError: disk full")

    job.refresh_from_db()
    assert job.status == "FAILED" and job.errors == [{"error": "OSError: disk full"}]
