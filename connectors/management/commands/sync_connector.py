import json
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from connectors import services
from connectors.models import Connector, SyncJob
from pixeepim.api.errors import Conflict
from pixeepim.auth.actors import Actor

ACTIONS = {
    "push-products": SyncJob.Kind.PUSH_PRODUCTS,
    "pull-products": SyncJob.Kind.PULL_PRODUCTS,
    "push-stock": SyncJob.Kind.PUSH_STOCK,
    "push-prices": SyncJob.Kind.PUSH_PRICES,
}
POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = ("Starts a sync job of a connector on the connectors queue and prints its id; with --wait, "
            "follows it with a progress bar until it ends (exit status 1 if it failed).")

    def add_arguments(self, parser):
        parser.add_argument("connector_id", help="Connector UUID")
        parser.add_argument("action", choices=sorted(ACTIONS))
        parser.add_argument("--wait", action="store_true", help="Wait for the job to end, showing its progress.")
        parser.add_argument("--product", action="append", dest="product_ids", metavar="PRODUCT_ID",
                            help="push-products only: push this product (repeatable); default: the catalog.")

    def handle(self, *args, **options):
        try:
            connector = Connector.objects.get(pk=uuid.UUID(options["connector_id"]))
            product_ids = [uuid.UUID(pk) for pk in options["product_ids"]] if options["product_ids"] else None
        except (ValueError, Connector.DoesNotExist):
            raise CommandError(f"No connector with id {options['connector_id']}.") from None
        if product_ids and options["action"] != "push-products":
            raise CommandError("--product only applies to push-products.")
        try:
            job = services.start_sync(connector=connector, kind=ACTIONS[options["action"]], product_ids=product_ids,
                                      actor=Actor(label="manage.py sync_connector"), trigger=SyncJob.Trigger.COMMAND)
        except Conflict as exc:
            raise CommandError(str(exc.detail)) from None
        if options["wait"]:
            job = self._follow(job)
        self.stdout.write(json.dumps({
            "job_id": str(job.id), "status": job.status, "processed": job.processed, "succeeded": job.succeeded,
            "skipped": job.skipped, "failed": job.failed,
        }))
        if job.status == SyncJob.Status.FAILED:
            raise CommandError(f"The job failed: {job.error}")

    def _follow(self, job):
        with tqdm(total=job.total or None, unit="product", file=self.stderr._out, disable=None) as bar:
            while True:
                job.refresh_from_db()
                bar.total = job.total or None
                bar.update(job.processed - bar.n)
                if job.is_finished:
                    return job
                time.sleep(POLL_SECONDS)
