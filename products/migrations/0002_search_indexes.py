"""Trigram indexes for the catalog search (``search`` covers name, EAN and reference).

Search uses case-insensitive ``contains``, which PostgreSQL runs as ``UPPER(col) LIKE UPPER(%term%)``;
these GIN indexes serve exactly that. On other databases, or where the role may not create the
pg_trgm extension, search still works, without the index.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

COLUMNS = ["name", "ean", "reference"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:
        logger.warning("pg_trgm is not available: catalog search runs without trigram indexes.")
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS product_{column}_trgm ON products_product "
            f"USING gin (UPPER({column}::text) gin_trgm_ops) WHERE deleted_at IS NULL"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS product_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
