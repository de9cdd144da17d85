"""Responses are rendered with orjson, and read exactly as REST framework's own renderer writes them."""

import datetime
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from pixeepim.api.renderers import FastJSONRenderer

VALUES = {
    "at": datetime.datetime(2026, 6, 19, 10, 0, 0, 120, tzinfo=datetime.UTC),
    "day": datetime.date(2026, 6, 19),
    "price": decimal.Decimal("29.90"),
    "id": uuid.UUID("550e8400-e29b-41d4-a716-446655440000"),
    "label": gettext_lazy("Products"),
    "by_number": {1: "one"},
    "text": "Support TV mural — acier",
    "items": [1, 2.5, None, True],
}


def test_the_fast_renderer_writes_what_the_standard_one_does():
    fast = FastJSONRenderer().render(VALUES)

    assert json.loads(fast) == json.loads(JSONRenderer().render(VALUES))
    assert json.loads(fast)["at"] == "2026-06-19T10:00:00.000120Z"


def test_pretty_printing_on_request_and_an_empty_body():
    indented = FastJSONRenderer().render({"a": 1}, "application/json; indent=2")

    assert indented == b'{\n  "a": 1\n}'
    assert FastJSONRenderer().render(None) == b""
