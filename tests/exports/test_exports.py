"""Exports: jobs on the exports queue, the four file formats, and 5-minute signed download links."""

import csv
import io
import json
import time
import zipfile

import openpyxl
import pytest
from django.core import signing

from exports import services
from exports.models import ExportJob
from pixeepim.auth.actors import SYSTEM
from products.models import Media
from tests.factories import OrganizationFactory
from tests.products.factories import ProductFactory, SupplierFactory
from tests.webhooks.receiver import Receiver
from webhooks import services as webhooks

URL = "/api/v1/exports"


@pytest.fixture
def reader(member_client, org):
    return member_client(org, "viewer")


def export(client, fmt, query=""):
    response = client.post(f"{URL}/{fmt}/products{query}")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued"
    return services.run_export(response.json()["job_id"])


def download(client, job):
    link = client.post(f"{URL}/{job.id}/download-url").json()
    response = client.__class__().get(link["url"])  # a fresh client: the link is the only credential
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_csv_export_holds_the_filtered_products(reader, org):
    supplier = SupplierFactory(organization=org, code="KIMEX")
    wanted = [ProductFactory(organization=org, supplier=supplier) for _ in range(3)]
    ProductFactory(organization=org, supplier=supplier, status="inactive")
    ProductFactory(organization=org)

    job = export(reader, "csv", f"?supplier_id={supplier.id}&is_active=true&sort_by=name&sort_order=asc")

    assert (job.status, job.rows) == ("succeeded", 3)
    rows = list(csv.DictReader(io.StringIO(download(reader, job).decode())))
    assert [row["ean"] for row in rows] == [p.ean for p in sorted(wanted, key=lambda p: p.name)]
    assert rows[0]["supplier_code"] == "KIMEX" and rows[0]["price"] == "19.99"
    body = reader.get(f"{URL}/{job.id}").json()
    assert body["filters"] == {"supplier_id": str(supplier.id), "is_active": True, "sort_by": "name",
                               "sort_order": "asc"}
    assert body["size"] > 0 and body["rows"] == 3


@pytest.mark.django_db
def test_json_and_excel_exports_hold_the_same_rows(reader, org):
    products = [ProductFactory(organization=org) for _ in range(2)]

    items = json.loads(download(reader, export(reader, "json")))
    sheet = openpyxl.load_workbook(io.BytesIO(download(reader, export(reader, "excel"))), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))

    assert {item["ean"] for item in items} == {p.ean for p in products}
    assert header[:3] == ("id", "ean", "name") and {row[1] for row in rows} == {p.ean for p in products}


@pytest.mark.django_db
def test_a_zip_export_holds_products_and_their_media(reader, org):
    product = ProductFactory(organization=org)
    Media.objects.create(organization=org, product=product, url="https://cdn.example.com/a.jpg", alt="front")

    archive = zipfile.ZipFile(io.BytesIO(download(reader, export(reader, "zip"))))

    assert archive.namelist() == ["products.csv", "media.csv"]
    media = list(csv.DictReader(io.StringIO(archive.read("media.csv").decode())))
    assert media == [{"product_id": str(product.id), "ean": product.ean, "url": "https://cdn.example.com/a.jpg",
                      "alt": "front", "position": "0"}]


@pytest.mark.django_db
def test_a_tampered_or_expired_link_is_refused(reader, org, monkeypatch):
    ProductFactory(organization=org)
    job = export(reader, "csv")
    url = reader.post(f"{URL}/{job.id}/download-url").json()["url"]
    anonymous = reader.__class__()

    tampered = anonymous.get(url[:-3] + ("abc" if not url.endswith("abc") else "xyz"))
    assert tampered.status_code == 403 and tampered.json()["detail"] == "This download link is not valid."

    later = time.time() + services.DOWNLOAD_LINK_SECONDS + 1
    monkeypatch.setattr(signing.time, "time", lambda: later)  # the clock, five minutes on
    expired = anonymous.get(url)
    assert expired.status_code == 403 and "expired" in expired.json()["detail"]


@pytest.mark.django_db
def test_links_need_a_finished_export_of_the_callers_organization(reader, member_client, other_org, org):
    job = ExportJob.objects.create(organization=org, format="csv")
    response = reader.post(f"{URL}/{job.id}/download-url")
    assert response.status_code == 409 and "queued" in response.json()["detail"]
    stranger = member_client(other_org, "owner")
    assert stranger.get(f"{URL}/{job.id}").status_code == 404
    assert stranger.post(f"{URL}/{job.id}/download-url").status_code == 404
    assert stranger.get(URL).json()["items"] == []


@pytest.mark.django_db
def test_exports_need_product_read_access(key_client, org):
    assert key_client(org, ["products:read"]).post(f"{URL}/csv/products").status_code == 202
    assert key_client(org, ["connectors:read"]).post(f"{URL}/csv/products").status_code == 403
    assert key_client(org, ["products:read"]).post(f"{URL}/csv/products?sort_by=nope").status_code == 400


def test_the_export_runs_on_the_exports_queue_and_tells_webhooks(member_client, run_jobs, settings):
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]
    org = OrganizationFactory()
    ProductFactory(organization=org)
    receiver = Receiver()
    try:
        webhooks.create_subscription(organization=org, data={"url": receiver.url, "events": ["export.completed"]},
                                     actor=SYSTEM)
        client = member_client(org, "viewer")
        job_id = client.post(f"{URL}/csv/products").json()["job_id"]
        run_jobs()
        webhooks.deliver_due()
    finally:
        receiver.close()

    job = ExportJob.objects.get(pk=job_id)
    assert (job.status, job.rows) == ("succeeded", 1)
    ((_, _, body),) = receiver.received
    assert body["event"] == "export.completed" and body["data"]["id"] == job_id
    assert body["data"]["after"]["rows"] == 1 and body["data"]["after"]["format"] == "csv"


@pytest.mark.django_db
def test_the_admin_offers_a_short_lived_link_to_the_file(reader, org):
    from tests.factories import staff_client

    ProductFactory(organization=org)
    job = export(reader, "csv")

    page = staff_client(org, "viewer").get(f"/admin/exports/exportjob/{job.id}/change/").content.decode()

    assert "/api/v1/exports/download/" in page and "link valid 5 minutes" in page
