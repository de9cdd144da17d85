import json

from django.core.management.base import BaseCommand, CommandError

from pixeepim.encryption import UndecryptableSecret, rotate_all


class Command(BaseCommand):
    help = ("Re-encrypts every stored secret (connector credentials) with the newest key of PIXEE_FERNET_KEYS. "
            "Put the new key first in PIXEE_FERNET_KEYS, run this, then drop the old key.")

    def handle(self, *args, **options):
        try:
            rotated = rotate_all()
        except UndecryptableSecret as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps({"rotated": rotated}))
