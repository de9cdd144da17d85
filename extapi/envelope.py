"""The External API's envelope (seed 001, contract §6), on every answer, errors included:
``{"success", "data", "meta": {"total", "page", "page_size", "updated_at"}, "errors": [str]}``."""

from django.utils import timezone
from rest_framework.response import Response

from pixeepim.api.formats import iso_utc


def envelope(data, *, total=1, page=1, page_size=1, updated_at=None, status=200):
    return Response(
        {
            "success": True,
            "data": data,
            "meta": {"total": total, "page": page, "page_size": page_size,
                     "updated_at": iso_utc(updated_at or timezone.now())},
            "errors": [],
        },
        status=status,
    )


def error_envelope(body, status_code):
    """Wraps the platform's error body (``detail`` + ``errors``) in the envelope; the messages
    become a list of strings, each naming its field."""
    messages = [
        message if field == "non_field_errors" else f"{field}: {message}"
        for field, field_messages in (body.get("errors") or {}).items()
        for message in field_messages
    ] or [body["detail"]]
    return {
        "success": False,
        "data": None,
        "meta": {"total": 0, "page": 1, "page_size": 0, "updated_at": iso_utc(timezone.now())},
        "errors": messages,
    }
