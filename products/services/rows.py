"""Set-based writes of plain rows (``{attname: value}``), a constant number of statements per batch.

On PostgreSQL the rows are streamed with ``COPY`` into a session-local staging table, then moved
into place with one ``INSERT … SELECT … ON CONFLICT DO NOTHING`` or ``UPDATE … FROM``: no model
instance and no SQL parameter per value, which is what lets a 1,000-product request take a few
tens of milliseconds of database time. Other databases go through the ORM's bulk operations.
"""

import hashlib
import json

from django.db import connection, transaction
from django.db.models import JSONField

from pixeepim import fastjson


def _fields(model, attnames):
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in attnames]


def _copy(cursor, target, fields, rows):
    """Streams ``rows`` into ``target`` (a table name, quoted) with ``COPY``."""
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    json_encoders = {i: field.encoder or json.JSONEncoder for i, field in enumerate(fields)
                     if isinstance(field, JSONField)}
    names = [field.attname for field in fields]
    with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = [row[name] for name in names]
            for index, encoder in json_encoders.items():
                if values[index] is not None:
                    values[index] = fastjson.dumps(values[index], encoder).decode()
            copy.write_row(values)
    return columns


def _stage(cursor, model, fields, rows):
    """Copies ``rows`` into a temporary table with exactly ``fields``' columns; returns its name."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    digest = hashlib.blake2b(columns.encode(), digest_size=6).hexdigest()
    stage = f"stage_{model._meta.db_table}_{digest}"
    # No constraints on the staging copy: the target table checks everything on the way in. The
    # table lives as long as the database session and is emptied after each use.
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS "
        f"SELECT {columns} FROM {quote(model._meta.db_table)} WITH NO DATA"
    )
    _copy(cursor, stage, fields, rows)
    return stage, columns


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
    table, quoted_pk = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(pk)
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with transaction.atomic(), connection.cursor() as cursor:
        stage, columns = _stage(cursor, model, _fields(model, names), rows)
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage}{conflict} RETURNING {quoted_pk}")
        inserted = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"TRUNCATE {stage}")
    return inserted


def append_rows(model, rows):
    """Appends ``rows`` that no constraint can refuse (log rows: audit events, issues, history)
    with one ``COPY`` straight into the table — no staging, no ids returned."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    with connection.cursor() as cursor:
        _copy(cursor, connection.ops.quote_name(model._meta.db_table), _fields(model, list(rows[0])), rows)


def update_rows(model, rows, names):
    """Sets the columns ``names`` of each row, matched by primary key, in one statement."""
    if not rows:
        return
    pk = model._meta.pk.attname
    if connection.vendor != "postgresql":
        model.objects.bulk_update([model(**row) for row in rows], names)
        return
    quote = connection.ops.quote_name
    fields = _fields(model, [pk, *names])
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(field.column)} = s.{quote(field.column)}" for field in fields[1:])
    with transaction.atomic(), connection.cursor() as cursor:
        stage, _ = _stage(cursor, model, fields, rows)
        cursor.execute(f"UPDATE {table} SET {assignments} FROM {stage} s WHERE {table}.{quote(pk)} = s.{quote(pk)}")
        cursor.execute(f"TRUNCATE {stage}")


def refresh_statistics(model):
    """Updates the planner's statistics of ``model``'s table (PostgreSQL ``ANALYZE``), as bulk loads
    should: a table that grew tenfold since it was last analyzed gets plans meant for a small one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
