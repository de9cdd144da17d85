"""Statistics on the expressions the catalog search filters on.

Without them PostgreSQL guesses that any ``UPPER(name) LIKE '%…%'`` matches a handful of rows, and
for a term found in most of the catalog it picks the trigram index and rechecks every row instead
of walking the sort index (measured on 100,000 products: 77 ms → 3 ms for such a page).
"""

from django.db import migrations

COLUMNS = ["name", "ean", "reference"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS product_{column}_upper_stats ON (UPPER({column}::text)) "
            f"FROM products_product"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS product_{column}_upper_stats")


class Migration(migrations.Migration):
    dependencies = [("products", "0003_audit_json_encoder")]

    operations = [migrations.RunPython(create, drop)]
