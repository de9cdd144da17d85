import json

from django.core.management.base import BaseCommand

from pixeepim.tenancy.services import bootstrap_account

DEMO_EMAIL = "demo@pixeepim.local"
DEMO_PASSWORD = "pixee-demo"


class Command(BaseCommand):
    help = "Creates the demo account (idempotent): a superuser who owns the 'Demo' organization."

    def handle(self, *args, **options):
        tenant, organization, user = bootstrap_account(
            tenant_name="Demo",
            org_name="Demo",
            email=DEMO_EMAIL,
            password=DEMO_PASSWORD,
            superuser=True,
        )
        self.stdout.write(
            json.dumps(
                {
                    "tenant_id": str(tenant.id),
                    "org_id": str(organization.id),
                    "user_id": str(user.id),
                    "email": DEMO_EMAIL,
                    "password": DEMO_PASSWORD,
                }
            )
        )
