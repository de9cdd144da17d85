import json
import uuid

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from pixeepim.tenancy.models import Organization
from products.models import Product
from workflow.services import recompute_organization


class Command(BaseCommand):
    help = "Recomputes the completeness of every product of an organization, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization UUID")

    def handle(self, *args, **options):
        try:
            organization = Organization.objects.get(pk=uuid.UUID(options["org"]))
        except (ValueError, Organization.DoesNotExist):
            raise CommandError(f"No organization with id {options['org']}.") from None
        total = Product.objects.for_org(organization).live().count()
        with tqdm(total=total, unit="product", file=self.stderr._out, disable=None) as bar:
            count = recompute_organization(organization, on_progress=bar.update)
        self.stdout.write(json.dumps({"org_id": str(organization.id), "products": count}))
