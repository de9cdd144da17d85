import json
import uuid
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import ValidationError
from tqdm import tqdm

from imports import services
from imports.models import FileFormat, ImportJob, MappingProfile
from pixeepim.auth.actors import Actor
from pixeepim.tenancy.models import Organization


class Command(BaseCommand):
    help = ("Imports a CSV, JSON or Excel file into an organization's catalog (upsert by EAN), with a progress "
            "bar; prints the job's counts. The same job as POST /api/v1/imports/jobs, run in this process.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="Organization UUID")
        parser.add_argument("--format", choices=[f.value for f in FileFormat], help="Default: from the extension.")
        parser.add_argument("--mapping", help='JSON object {"column": "field"}; default: the proposed mapping.')
        parser.add_argument("--profile", help="UUID of a saved mapping profile.")
        parser.add_argument("--supplier-code", default="", help="Supplier of the rows that name none.")

    def handle(self, *args, **options):
        try:
            organization = Organization.objects.get(pk=uuid.UUID(options["org"]))
        except (ValueError, Organization.DoesNotExist):
            raise CommandError(f"No organization with id {options['org']}.") from None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        mapping = self._mapping(organization, options)
        with path.open("rb") as handle:
            try:
                job = services.start_import(
                    organization=organization, file=File(handle, name=path.name), file_name=path.name,
                    file_format=options["format"], mapping=mapping, supplier_code=options["supplier_code"],
                    actor=Actor(label="manage.py import_products"), enqueue=False,
                )
            except ValidationError as exc:
                raise CommandError(json.dumps(exc.detail)) from None
        with tqdm(unit="row", file=self.stderr._out, disable=None) as bar:
            job = services.run_import(job.id, progress=lambda j: bar.update(j.processed - bar.n))
        self.stdout.write(json.dumps({
            "job_id": str(job.id), "status": job.status, "rows": job.processed, "created": job.created,
            "updated": job.updated, "skipped": job.skipped, "failed": job.failed,
        }))
        if job.status != ImportJob.Status.SUCCEEDED:
            raise CommandError(f"The import {job.status}: {job.error}")

    def _mapping(self, organization, options):
        if options["profile"]:
            profile = MappingProfile.objects.for_org(organization).filter(pk=options["profile"]).first()
            if profile is None:
                raise CommandError(f"No mapping profile {options['profile']} in this organization.")
            return profile.mapping
        if options["mapping"]:
            try:
                return json.loads(options["mapping"])
            except ValueError:
                raise CommandError("--mapping must be a JSON object.") from None
        return None
