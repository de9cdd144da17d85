import json

from django.core.management.base import BaseCommand

from pixeepim.tenancy.services import bootstrap_account


class Command(BaseCommand):
    help = "Creates (idempotently) a tenant, an organization and its owner; prints one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="Tenant name")
        parser.add_argument("--org", required=True, help="Organization name")
        parser.add_argument("--email", required=True, help="Owner's email (login)")
        parser.add_argument("--password", required=True, help="Owner's password (set on creation only)")

    def handle(self, *args, **options):
        tenant, organization, user = bootstrap_account(
            tenant_name=options["tenant"],
            org_name=options["org"],
            email=options["email"],
            password=options["password"],
        )
        self.stdout.write(
            json.dumps({"tenant_id": str(tenant.id), "org_id": str(organization.id), "user_id": str(user.id)})
        )
