import json

from django.core.management.base import BaseCommand

from pixeepim.auth.services import purge_expired_sessions


class Command(BaseCommand):
    help = "Deletes expired and revoked login sessions with their refresh tokens; prints one JSON line."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(purge_expired_sessions()))
