"""Pagination of the public list endpoints (contract §4).

``page`` (from 1) and ``per_page`` (default 20, max 100); ``skip``/``limit`` are the deprecated
aliases. A ``per_page``/``limit`` above the maximum is capped; zero, negative or non-numeric values
answer 400. A page past the end is an empty page, not an error.
"""

import math

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100


def _int_param(request, name, *, minimum):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [f"{name} must be an integer."]}) from None
    if value < minimum:
        raise ValidationError({name: [f"{name} must be at least {minimum}."]})
    return value


class PageWindow:
    """The slice a request asks for: offset and size, plus how it was asked (for ``meta``)."""

    def __init__(self, request, *, default_size=DEFAULT_PER_PAGE, max_size=MAX_PER_PAGE,
                 size_param="per_page"):
        page = _int_param(request, "page", minimum=1)
        size = _int_param(request, size_param, minimum=1)
        skip = _int_param(request, "skip", minimum=0)
        limit = _int_param(request, "limit", minimum=1)
        if page is None and size is None and (skip is not None or limit is not None):
            self.size = min(limit or default_size, max_size)
            self.offset = skip or 0
        else:
            self.size = min(size or default_size, max_size)
            self.offset = ((page or 1) - 1) * self.size
        self.page = self.offset // self.size + 1

    def meta(self, total):
        return {
            "total": total,
            "page": self.page,
            "per_page": self.size,
            "total_pages": math.ceil(total / self.size) if total else 0,
            "has_next": self.offset + self.size < total,
            "has_previous": self.offset > 0,
        }


class PagePagination(BasePagination):
    """``{"items": [...], "meta": {...}}`` lists."""

    def paginate_queryset(self, queryset, request, view=None):
        self.window = PageWindow(request)
        self.total = queryset.count()
        return list(queryset[self.window.offset : self.window.offset + self.window.size])

    def get_paginated_response(self, data):
        return Response({"items": data, "meta": self.window.meta(self.total)})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["items", "meta"],
            "properties": {
                "items": schema,
                "meta": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "total_pages": {"type": "integer"},
                        "has_next": {"type": "boolean"},
                        "has_previous": {"type": "boolean"},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        def param(name, description, minimum):
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": "integer", "minimum": minimum},
            }

        return [
            param("page", "Page number, from 1.", 1),
            param("per_page", f"Items per page (default {DEFAULT_PER_PAGE}, capped at {MAX_PER_PAGE}).", 1),
            param("skip", "Deprecated alias: items to skip.", 0),
            param("limit", f"Deprecated alias of per_page (capped at {MAX_PER_PAGE}).", 1),
        ]


class HeaderPagination(BasePagination):
    """Plain JSON arrays with ``X-Total-Count`` and ``Link`` headers (the tenant PIM surface, contract §7)."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.window = PageWindow(request, default_size=MAX_PER_PAGE)
        self.total = queryset.count()
        return list(queryset[self.window.offset : self.window.offset + self.window.size])

    def get_paginated_response(self, data):
        response = Response(data)
        response["X-Total-Count"] = str(self.total)
        links = self._links()
        if links:
            response["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links)
        return response

    def _links(self):
        meta = self.window.meta(self.total)
        url = self.request.build_absolute_uri()
        pages = [("first", 1), ("last", max(meta["total_pages"], 1))]
        if meta["has_next"]:
            pages.append(("next", meta["page"] + 1))
        if meta["has_previous"]:
            pages.append(("prev", meta["page"] - 1))
        return [(rel, replace_query_param(remove_query_param(remove_query_param(url, "skip"), "limit"), "page", page))
                for rel, page in pages]

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "page", "required": False, "in": "query", "schema": {"type": "integer", "minimum": 1},
             "description": "Page number, from 1."},
            {"name": "per_page", "required": False, "in": "query", "schema": {"type": "integer", "minimum": 1},
             "description": f"Items per page (default and maximum {MAX_PER_PAGE})."},
        ]
