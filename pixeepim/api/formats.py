"""Value formats shared by every surface (contract §4: ISO 8601 UTC with Z)."""

import datetime

from django.db.models import CharField, Func

ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"  # what REST framework's DATETIME_FORMAT renders, the same shape
NO_OFFSET = datetime.timedelta(0)


def iso_utc(value):
    """``2026-06-19T10:00:00.000000Z``; isoformat() rather than strftime(), which is several times
    slower and shows on 500-row pages. A value the database already wrote so (``IsoUtc``) passes."""
    if value is None or isinstance(value, str):
        return value
    if value.utcoffset() != NO_OFFSET:
        value = value.astimezone(datetime.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def number(value):
    """Decimals as JSON numbers (the documents show prices as 29.99, not "29.99")."""
    return None if value is None else float(value)


class IsoUtc(Func):
    """A date-time column read as ``iso_utc`` writes it, formatted by the database: a 500-row page
    skips parsing 1,000 timestamps into Python objects only to format them again."""

    output_field = CharField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template=(
            "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"), **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; the fraction is absent when it is zero.
        return self.as_sql(compiler, connection, template=(
            "(strftime('%%Y-%%m-%%dT%%H:%%M:%%S', %(expressions)s) || '.' "
            "|| substr(%(expressions)s || '.000000', 21, 6) || 'Z')"), **extra)
