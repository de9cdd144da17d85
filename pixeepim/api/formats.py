"""Value formats shared by every surface (contract §4: ISO 8601 UTC with Z)."""

import datetime

ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso_utc(value):
    if value is None:
        return None
    return value.astimezone(datetime.UTC).strftime(ISO_UTC)


def number(value):
    """Decimals as JSON numbers (the documents show prices as 29.99, not "29.99")."""
    return None if value is None else float(value)
