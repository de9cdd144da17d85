"""Imports in the admin: a catalog manager follows a job, its row errors, and pauses or cancels it."""

import pytest

from imports import services
from imports.models import ImportJob
from tests.factories import staff_client
from tests.imports.test_imports import catalog_rows, csv_file, upload

pytestmark = pytest.mark.django_db


def test_a_finished_job_shows_its_counts_and_row_errors(member_client, org):
    job_id = upload(member_client(org, "editor"), csv_file(catalog_rows(2) + [["bad", "Broken", "", ""]]))["id"]
    services.run_import(job_id)
    admin = staff_client(org, "editor")

    listing = admin.get("/admin/imports/importjob/").content.decode()
    assert "supplier.csv" in listing and "Succeeded" in listing
    page = admin.get(f"/admin/imports/importjob/{job_id}/change/").content.decode()
    assert "EAN must be" in page or "ean" in page
    assert ">4<" in page  # the refused row's number


def test_queued_jobs_are_paused_and_cancelled_from_the_list(member_client, org):
    first = upload(member_client(org, "editor"), csv_file(catalog_rows(2)))["id"]
    second = upload(member_client(org, "editor"), csv_file(catalog_rows(2)))["id"]
    admin = staff_client(org, "editor")

    admin.post("/admin/imports/importjob/", {"action": "pause_jobs", "_selected_action": [first]})
    admin.post("/admin/imports/importjob/", {"action": "cancel_jobs", "_selected_action": [second]})

    assert ImportJob.objects.get(pk=first).status == "paused"
    assert ImportJob.objects.get(pk=second).status == "cancelled"


def test_automations_in_the_admin_pass_the_ssrf_guard(org):
    page = staff_client(org, "admin").post("/admin/imports/importautomation/add/", {
        "organization": str(org.id), "name": "Feed", "url": "https://169.254.169.254/feed.csv",
        "file_format": "csv", "mapping": "{}", "supplier_code": "", "interval_minutes": "60", "is_active": "on",
    }).content.decode()
    assert "link-local" in page
