"""Set-based writes of plain rows (``{attname: value}``), one statement per batch.

On PostgreSQL a batch is one ``INSERT … SELECT * FROM unnest(arrays)`` or ``UPDATE … FROM
unnest(arrays)``: thirty typed arrays instead of thirty thousand parameters, and no model instance
per row. Other databases go through the ORM's bulk operations.
"""

from django.db import connection
from django.db.models import JSONField


def _fields(model, attnames):
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def _column_arrays(fields, names, rows):
    arrays = []
    for field, name in zip(fields, names):
        if isinstance(field, JSONField):
            arrays.append([field.get_db_prep_save(row[name], connection) for row in rows])
        else:
            arrays.append([row[name] for row in rows])
    return arrays


def _casts(fields):
    return ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)


def insert_rows(model, rows, *, ignore_conflicts=False):
    """Inserts ``rows`` (same keys in every row); returns the primary keys actually inserted
    (with ``ignore_conflicts``, rows clashing with a unique constraint are left out)."""
    if not rows:
        return set()
    names = list(rows[0])
    pk = model._meta.pk.attname
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        model.objects.bulk_create(objects, ignore_conflicts=ignore_conflicts)
        if pk in names:
            return set(model.objects.filter(pk__in=[row[pk] for row in rows]).values_list("pk", flat=True))
        return {obj.pk for obj in objects}
    fields = _fields(model, names)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
           f"SELECT * FROM unnest({_casts(fields)}){conflict} RETURNING {connection.ops.quote_name(pk)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, _column_arrays(fields, names, rows))
        return {row[0] for row in cursor.fetchall()}


def update_rows(model, rows, names):
    """Sets the columns ``names`` of each row, matched by primary key, in one statement."""
    if not rows:
        return
    pk = model._meta.pk.attname
    if connection.vendor != "postgresql":
        model.objects.bulk_update([model(**row) for row in rows], names)
        return
    fields = _fields(model, [pk, *names])
    quote = connection.ops.quote_name
    aliases = [f"c{index}" for index in range(len(fields))]
    assignments = ", ".join(f"{quote(field.column)} = v.{alias}" for field, alias in zip(fields[1:], aliases[1:]))
    table = quote(model._meta.db_table)
    sql = (f"UPDATE {table} SET {assignments} FROM unnest({_casts(fields)}) AS v({', '.join(aliases)}) "
           f"WHERE {table}.{quote(fields[0].column)} = v.{aliases[0]}")
    with connection.cursor() as cursor:
        cursor.execute(sql, _column_arrays(fields, [pk, *names], rows))
