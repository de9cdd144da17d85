"""Secrets at rest: Fernet encryption with key rotation (contract §1, ``PIXEE_FERNET_KEYS``).

Values are encrypted with the newest key and decrypted with any listed key (MultiFernet), so a new
key can be put in front of the list without breaking stored values; ``manage.py rotate_fernet``
then re-encrypts every stored value with the newest key, after which the old key can be dropped.
"""

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction


class UndecryptableSecret(Exception):
    """A stored value that none of the configured keys can decrypt (a key was dropped too early)."""


def _fernet():
    return MultiFernet([Fernet(key.encode()) for key in settings.PIXEE_FERNET_KEYS])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with any key in PIXEE_FERNET_KEYS."
        ) from None


def rotate(token: str) -> str:
    """The same secret re-encrypted with the newest key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret(
            "A stored secret cannot be decrypted with any key in PIXEE_FERNET_KEYS."
        ) from None


class EncryptedTextField(models.TextField):
    """A secret stored as one Fernet token. Python code sees the text; the database a token."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else ""

    def get_prep_value(self, value):
        return encrypt(value) if value else ""


class EncryptedJSONField(models.TextField):
    """A JSON object stored as one Fernet token. Python code sees the dict; the database a token."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        return json.loads(value) if value else {}

    def get_prep_value(self, value):
        return encrypt(json.dumps(value or {}, sort_keys=True))


def encrypted_fields():
    """(model, field name) of every encrypted column, for rotation."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, (EncryptedTextField, EncryptedJSONField))
    ]


def rotate_all():
    """Re-encrypts every stored secret with the newest key; returns how many values were rotated.

    Reads the raw tokens (not the decrypted values), so a value is rewritten without ever being
    decoded into Python objects, and a row that cannot be decrypted stops the run with a clear error.
    """
    rotated = 0
    for model, name in encrypted_fields():
        column = model._meta.get_field(name).column
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SELECT "{pk_column}", "{column}" FROM "{table}" WHERE "{column}" <> %s', [""])
            rows = cursor.fetchall()
            for pk, token in rows:
                cursor.execute(
                    f'UPDATE "{table}" SET "{column}" = %s WHERE "{pk_column}" = %s', [rotate(token), pk]
                )
                rotated += 1
    return rotated
