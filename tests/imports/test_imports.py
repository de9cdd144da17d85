"""Imports: preview, jobs in batches with pause/resume/cancel, row errors, profiles, automations,
the `import_products` command, and the events they send."""

import csv
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from imports import services
from imports.models import ImportAutomation, ImportJob, ImportRowError
from pixeepim.auth.actors import SYSTEM
from products.models import Product
from tests.products.factories import AttributeFactory, ProductFactory, ean13

URL = "/api/v1/imports"
pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(member_client, org):
    return member_client(org, "editor")


def csv_file(rows, *, delimiter=";", name="supplier.csv"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def catalog_rows(count, start=0):
    return [["EAN", "Title", "Brand", "Prix"]] + [[ean13(n), f"Produit {n}", "Kimex", "19,90"]
                                                    for n in range(start, start + count)]


def upload(client, file, **fields):
    response = client.post(f"{URL}/jobs", {"file": file, **fields}, format="multipart")
    assert response.status_code == 202, response.json()
    return response.json()


def test_preview_proposes_a_mapping_and_checks_the_first_rows_without_writing(editor, org):
    AttributeFactory(organization=org, code="color")
    existing = ProductFactory(organization=org, ean=ean13(1))
    file = csv_file([["EAN", "Title", "Marque", "Prix", "Color", "Internal note"],
                     [ean13(1), "Renamed", "Kimex", "19,90", "red", "x"],
                     [ean13(2), "New", "", "12.5", "", ""],
                     ["12345", "Bad EAN", "", "abc", "", ""]])

    response = editor.post(f"{URL}/preview", {"file": file}, format="multipart")

    body = response.json()
    assert response.status_code == 200 and body["file_format"] == "csv"
    assert body["columns"] == ["EAN", "Title", "Marque", "Prix", "Color", "Internal note"]
    assert body["proposed_mapping"] == {"EAN": "ean", "Title": "name", "Marque": "brand_name", "Prix": "price",
                                        "Color": "attribute:color", "Internal note": None}
    assert [row["status"] for row in body["rows"]] == ["update", "create", "error"]
    assert body["rows"][0]["row"] == 2 and body["rows"][0]["values"]["Title"] == "Renamed"
    assert set(body["rows"][2]["errors"]) == {"ean", "price"}
    existing.refresh_from_db()
    assert existing.name != "Renamed" and Product.objects.count() == 1


def test_a_csv_import_upserts_by_ean_and_keeps_row_errors(editor, org):
    existing = ProductFactory(organization=org, ean=ean13(1), name="Old")
    rows = catalog_rows(3) + [["not-an-ean", "Broken", "", "1"], ["", "No EAN", "", "1"], ["", "", "", ""]]

    job_id = upload(editor, csv_file(rows), supplier_code="KIMEX")["id"]
    job = services.run_import(job_id)

    assert (job.status, job.processed, job.created, job.updated, job.failed) == ("succeeded", 5, 2, 1, 2)
    existing.refresh_from_db()
    assert existing.name == "Produit 1" and str(existing.price) == "19.90" and existing.brand.name == "Kimex"
    assert existing.supplier.code == "KIMEX"
    errors = editor.get(f"{URL}/jobs/{job_id}/errors").json()["items"]
    assert [(e["row"], e["field"]) for e in errors] == [(5, "ean"), (6, "ean")]
    download = editor.get(f"{URL}/jobs/{job_id}/errors.csv")
    assert download["Content-Type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(download.content.decode())))[1][0] == "5"
    assert editor.get(f"{URL}/jobs/{job_id}").json()["total_rows"] == 5


def test_json_and_excel_files_import_the_same_way(editor, org):
    items = [{"ean": ean13(n), "name": f"Json {n}", "price": 3.5, "is_active": False} for n in range(3)]
    json_file = SimpleUploadedFile("feed.json", json.dumps(items).encode())
    workbook = openpyxl.Workbook()
    workbook.active.append(["ean", "name", "weight"])
    for n in range(10, 13):
        workbook.active.append([int(ean13(n)), f"Sheet {n}", 1.25])
    buffer = io.BytesIO()
    workbook.save(buffer)

    for file in (json_file, SimpleUploadedFile("feed.xlsx", buffer.getvalue())):
        job = services.run_import(upload(editor, file)["id"])
        assert (job.status, job.created, job.failed) == ("succeeded", 3, 0)

    assert Product.objects.get(ean=ean13(0)).status == "inactive"
    assert str(Product.objects.get(ean=ean13(10)).weight) == "1.25"


def test_attributes_are_imported_typed(editor, org):
    AttributeFactory(organization=org, code="organic", data_type="BOOLEAN")
    AttributeFactory(organization=org, code="color")
    file = csv_file([["ean", "name", "organic", "color"], [ean13(1), "Tee", "oui", "blue"]])

    job = services.run_import(upload(editor, file)["id"])

    assert job.created == 1
    values = {v.attribute.code: v.value for v in Product.objects.get().attribute_values.select_related("attribute")}
    assert values == {"organic": True, "color": "blue"}


def test_pause_takes_effect_between_batches_and_resume_goes_on_where_it_stopped(editor, org):
    job_id = upload(editor, csv_file(catalog_rows(1200)))["id"]

    def pause_after_first_batch(job):
        if job.processed == 500:
            assert editor.post(f"{URL}/jobs/{job_id}/pause").json()["requested"] == "pause"

    job = services.run_import(job_id, progress=pause_after_first_batch)
    assert (job.status, job.processed) == ("paused", 500) and Product.objects.count() == 500

    assert editor.post(f"{URL}/jobs/{job_id}/resume").json()["status"] == "queued"
    job = services.run_import(job_id)
    assert (job.status, job.processed, job.created) == ("succeeded", 1200, 1200)
    assert Product.objects.count() == 1200


def test_cancel_stops_after_the_current_batch(editor, org):
    job_id = upload(editor, csv_file(catalog_rows(1200)))["id"]

    job = services.run_import(job_id, progress=lambda j: editor.post(f"{URL}/jobs/{job_id}/cancel"))

    assert (job.status, job.processed) == ("cancelled", 500) and Product.objects.count() == 500
    assert editor.post(f"{URL}/jobs/{job_id}/resume").status_code == 409


def test_controls_of_queued_and_finished_jobs(editor, org):
    job_id = upload(editor, csv_file(catalog_rows(2)))["id"]
    assert editor.post(f"{URL}/jobs/{job_id}/pause").json()["status"] == "paused"
    assert services.run_import(job_id).status == "paused"  # a paused job's message does nothing
    assert editor.post(f"{URL}/jobs/{job_id}/resume").json()["status"] == "queued"
    assert services.run_import(job_id).status == "succeeded"
    response = editor.post(f"{URL}/jobs/{job_id}/pause")
    assert response.status_code == 409 and "succeeded" in response.json()["detail"]
    other = upload(editor, csv_file(catalog_rows(2)))["id"]
    assert editor.post(f"{URL}/jobs/{other}/cancel").json()["status"] == "cancelled"


@pytest.mark.parametrize(("mapping", "message"), [
    ({"EAN": "ean", "Title": "nickname"}, "nickname: not a product field"),
    ({"Title": "name"}, "must map to ean"),
    ({"EAN": "ean", "Title": "name", "Brand": "name"}, "Mapped from several columns: name"),
    ({"EAN": "ean", "Colour": "attribute:colour"}, "attribute:colour: no attribute"),
])
def test_bad_mappings_are_refused(editor, mapping, message):
    response = editor.post(f"{URL}/jobs", {"file": csv_file(catalog_rows(1)), "mapping": json.dumps(mapping)},
                           format="multipart")
    assert response.status_code == 400 and message in " ".join(response.json()["errors"]["mapping"])
    assert not ImportJob.objects.exists()


def test_unreadable_files_are_refused(editor):
    for file, message in [(SimpleUploadedFile("x.pdf", b"%PDF"), "format is not known"),
                          (SimpleUploadedFile("x.json", b'{"not": "an array"}'), "array of objects"),
                          (SimpleUploadedFile("x.xlsx", b"not a workbook"), "cannot be read")]:
        response = editor.post(f"{URL}/jobs", {"file": file}, format="multipart")
        assert response.status_code == 400 and message in response.json()["errors"]["file"][0]


def test_saved_profiles_map_later_files(editor, org):
    response = editor.post(f"{URL}/profiles", {"name": "Kimex", "mapping": {"Code": "ean", "Libellé": "name"}},
                           format="json")
    assert response.status_code == 201
    profile_id = response.json()["id"]
    assert editor.post(f"{URL}/profiles", {"name": "Kimex", "mapping": {"Code": "ean"}},
                       format="json").status_code == 400

    job = services.run_import(upload(editor, csv_file([["Code", "Libellé"], [ean13(5), "Chemise"]]),
                                     profile_id=profile_id)["id"])

    assert job.created == 1 and Product.objects.get().name == "Chemise"
    assert editor.patch(f"{URL}/profiles/{profile_id}", {"mapping": {"Code": "nope"}}, format="json").status_code == 400


def test_imports_need_edit_rights_and_stay_in_their_organization(member_client, org, other_org, editor):
    assert member_client(org, "viewer").post(f"{URL}/jobs", {"file": csv_file(catalog_rows(1))},
                                             format="multipart").status_code == 403
    job_id = upload(editor, csv_file(catalog_rows(1)))["id"]
    stranger = member_client(other_org, "owner")
    for method, path in [("get", ""), ("post", "/pause"), ("get", "/errors")]:
        assert getattr(stranger, method)(f"{URL}/jobs/{job_id}{path}").status_code == 404


class FileServer:
    def __init__(self, body):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/feeds/kimex.csv"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_automations_fetch_their_file_through_the_ssrf_guard(editor, org, settings):
    server = FileServer(b"ean,name\n" + f"{ean13(7)},Feed product\n".encode())
    try:
        body = {"name": "Kimex feed", "url": server.url, "file_format": "csv", "interval_minutes": 60}
        refused = editor.post(f"{URL}/automations", body, format="json")
        assert refused.status_code == 400 and "url" in refused.json()["errors"]

        settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]
        automation_id = editor.post(f"{URL}/automations", body, format="json").json()["id"]
        job = editor.post(f"{URL}/automations/{automation_id}/run").json()
        assert services.run_import(job["id"]).created == 1

        ImportAutomation.objects.filter(pk=automation_id).update(next_run_at="2000-01-01T00:00:00Z")
        (scheduled,) = services.run_due_automations()
        assert scheduled.automation_id is not None and services.run_import(scheduled.id).updated == 1
        assert services.run_due_automations() == []
    finally:
        server.close()
    assert Product.objects.get().name == "Feed product"


def test_the_command_imports_a_file_with_the_same_job(org, tmp_path, capsys):
    path = tmp_path / "kimex.csv"
    path.write_text("ean;name\n" + "".join(f"{ean13(n)};Cmd {n}\n" for n in range(4)), encoding="utf-8")

    call_command("import_products", str(path), "--org", str(org.id))

    result = json.loads(capsys.readouterr().out)
    assert (result["status"], result["created"], result["rows"]) == ("succeeded", 4, 4)
    with pytest.raises(CommandError, match="No organization"):
        call_command("import_products", str(path), "--org", "nope")


def test_imports_tell_webhooks_when_they_start_and_end(editor, org, settings):
    from tests.webhooks.receiver import Receiver
    from webhooks import services as webhooks

    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]
    receiver = Receiver()
    try:
        webhooks.create_subscription(organization=org, actor=SYSTEM, data={
            "url": receiver.url, "events": ["import.started", "import.completed"]})
        services.run_import(upload(editor, csv_file(catalog_rows(2)))["id"])
        webhooks.deliver_due()
    finally:
        receiver.close()
    (started, completed) = [body for _, _, body in receiver.received]
    assert started["event"] == "import.started" and started["data"]["after"]["file_name"] == "supplier.csv"
    assert completed["event"] == "import.completed"
    assert completed["data"]["after"] | {"rows": 2} == {"status": "succeeded", "rows": 2, "created": 2, "updated": 0,
                                                        "skipped": 0, "failed": 0}
    assert ImportRowError.objects.count() == 0


def test_a_profile_used_by_an_automation_is_kept(editor, org, settings):
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]
    profile_id = editor.post(f"{URL}/profiles", {"name": "Kimex", "mapping": {"Code": "ean"}},
                             format="json").json()["id"]
    response = editor.post(f"{URL}/automations", {"name": "Feed", "url": "http://127.0.0.1:9/feed.csv",
                                                  "file_format": "csv", "profile_id": profile_id}, format="json")
    assert response.status_code == 201 and response.json()["profile_id"] == profile_id

    refused = editor.delete(f"{URL}/profiles/{profile_id}")
    assert refused.status_code == 409 and "Recurring imports use this mapping profile" in refused.json()["detail"]
