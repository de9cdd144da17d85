"""The one exception handler of the public REST surfaces (contract §4).

Every error body has ``detail`` (a human sentence); validation errors add ``errors``
(``{field: [messages]}``, nested fields as dotted paths such as ``products.3.ean``).
A view may set ``error_renderer`` to wrap that body in its own envelope (the External API does).
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

MAX_MESSAGES_IN_DETAIL = 3


def flatten_errors(detail, prefix=""):
    """``{"products": [{}, {"ean": ["…"]}]}`` → ``{"products.1.ean": ["…"]}``."""
    if isinstance(detail, dict):
        flat = {}
        for key, value in detail.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    messages = [str(message) for message in messages if str(message)]
    return {prefix or "non_field_errors": messages} if messages else {}


def validation_body(detail):
    errors = flatten_errors(detail)
    parts = [
        _as_sentence(f"{field}: {message}" if field != "non_field_errors" else message)
        for field, messages in errors.items()
        for message in messages
    ]
    shown = " ".join(parts[:MAX_MESSAGES_IN_DETAIL])
    if len(parts) > MAX_MESSAGES_IN_DETAIL:
        shown += f" (and {len(parts) - MAX_MESSAGES_IN_DETAIL} more)"
    return {"detail": f"Invalid input: {shown}" if shown else "Invalid input.", "errors": errors}


def _as_sentence(text):
    return text if text.endswith((".", "!", "?")) else f"{text}."


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        set_rollback()
        response = Response({"detail": "Internal server error."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    elif isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(exc.detail)
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
        response.data = {"detail": str(detail)}
    error_renderer = getattr(context.get("view"), "error_renderer", None)
    if error_renderer is not None:
        response.data = error_renderer(response.data, response.status_code)
    return response
