"""Value formats shared by every surface (contract §4: ISO 8601 UTC with Z)."""

import datetime

ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"  # what REST framework's DATETIME_FORMAT renders, the same shape
NO_OFFSET = datetime.timedelta(0)


def iso_utc(value):
    """``2026-06-19T10:00:00.000000Z``; isoformat() rather than strftime(), which is several times
    slower and shows on 500-row pages."""
    if value is None:
        return None
    if value.utcoffset() != NO_OFFSET:
        value = value.astimezone(datetime.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def number(value):
    """Decimals as JSON numbers (the documents show prices as 29.99, not "29.99")."""
    return None if value is None else float(value)
