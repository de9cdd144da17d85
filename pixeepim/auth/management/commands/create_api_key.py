import json
import uuid

from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import ValidationError

from pixeepim.auth.services import create_api_key
from pixeepim.tenancy.models import Organization


class Command(BaseCommand):
    help = "Creates an API key for an organization and prints it once, as one JSON line."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization UUID")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", required=True, help="Comma-separated, e.g. ext:products:read,ext:products:write")
        parser.add_argument("--test", action="store_true", help="Create a pm_test_ key instead of pm_live_")

    def handle(self, *args, **options):
        organization = Organization.objects.filter(pk=_uuid_or_none(options["org"])).first()
        if organization is None:
            raise CommandError(f"No organization with id {options['org']}.")
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        try:
            api_key, raw = create_api_key(
                organization=organization, name=options["name"], scopes=scopes, test=options["test"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in exc.detail.items())) from None
        self.stdout.write(json.dumps({"id": str(api_key.id), "name": api_key.name, "key": raw, "scopes": api_key.scopes}))


def _uuid_or_none(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
