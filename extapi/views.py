"""``/api/v1/ext/*`` — the External API for partners, ERPs and scripts (seed 001, contract §6).

API keys only (``X-API-Key``), scopes ``ext:products:read`` / ``ext:products:write``, the seed's
envelope on every answer. Writes go through ``products.services.products.save_products``.
"""

import datetime

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError

from extapi import schema
from extapi.envelope import envelope, error_envelope
from extapi.representation import UPDATED_AT, ext_product, product_rows
from pixeepim.api.errors import Conflict
from pixeepim.api.pagination import PageWindow
from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.actors import Actor
from pixeepim.auth.authentication import ApiKeyAuthentication
from pixeepim.auth.models import Scope
from pixeepim.tenancy.roles import Permission
from products.api.serializers import product_input_serializer
from products.models import Product
from products.services import products as product_services

READ = Access(Permission.VIEW_PRODUCTS, Scope.EXT_PRODUCTS_READ)
WRITE = Access(Permission.EDIT_PRODUCTS, Scope.EXT_PRODUCTS_WRITE)
MAX_PAGE_SIZE = 500
MAX_BATCH = 500
API_VERSION = "1.0"

# The seed's "Product fields" table: what POST, PUT and PATCH accept.
WRITE_FIELDS = [
    "ean", "name", "brand_name", "description", "short_description", "reference", "supplier_code", "category_id",
    "asin", "upc", "gtin", "status", "is_active", "weight", "width", "height", "depth", "unit_of_measure",
    "external_id", "url_slug",
]
REQUIRED_TO_CREATE = ("ean", "name")
ORDERING = ("updated_at", "id")

ProductBody = product_input_serializer("ExtProduct", fields=WRITE_FIELDS)


def _datetime_param(request, name, *, required):
    raw = request.query_params.get(name)
    if not raw:
        if required:
            raise ValidationError({name: ["This parameter is required (ISO 8601, e.g. 2026-06-18T00:00:00Z)."]})
        return None
    try:
        value = datetime.datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        raise ValidationError({name: ["Must be an ISO 8601 date-time, e.g. 2026-06-18T00:00:00Z."]}) from None
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


def _result_errors(result):
    return [message if field == "non_field_errors" else f"{field}: {message}"
            for field, messages in result.errors.items() for message in messages]


class ExtView(OrgScopedMixin, generics.GenericAPIView):
    authentication_classes = [ApiKeyAuthentication]
    queryset = Product.objects.live()
    error_renderer = staticmethod(error_envelope)
    pagination_class = None

    def product_by_ean(self, ean):
        product = self.get_queryset().filter(ean=ean).first()
        if product is None:
            raise NotFound(f"Product with EAN '{ean}' not found.")
        return product

    def read(self, product_id):
        return ext_product(product_rows(Product.objects.filter(pk=product_id)).get())

    def page(self, queryset, *, default_size, since=None):
        window = PageWindow(self.request, default_size=default_size, max_size=MAX_PAGE_SIZE, size_param="page_size")
        rows = list(product_rows(queryset.order_by(*ORDERING))[window.offset : window.offset + window.size])
        # A short first page is the whole result: no need to count it.
        total = len(rows) if window.offset == 0 and len(rows) < window.size else queryset.count()
        # The time a poller continues from: the last item's, else where it asked from (contract §6).
        updated_at = rows[-1][UPDATED_AT] if rows else (since or timezone.now())
        return envelope([ext_product(row) for row in rows], total=total, page=window.page, page_size=window.size,
                        updated_at=updated_at)

    def save_one(self, data, **options):
        (result,) = product_services.save_products(
            organization=self.request.org, payloads=[data], actor=Actor.of(self.request.user),
            allowed=WRITE_FIELDS, **options)
        if result.errors:
            if result.conflict:
                raise Conflict(_result_errors(result)[0])
            raise ValidationError(result.errors)
        return result


class StatusView(ExtView):
    access = {"GET": READ}

    @extend_schema(responses={200: schema.StatusEnvelope, 401: schema.ErrorEnvelope, 403: schema.ErrorEnvelope})
    def get(self, request):
        api_key = request.auth
        now = timezone.now()
        return envelope({"status": "ok", "version": API_VERSION, "api_key_name": api_key.name,
                         "api_key_scopes": api_key.scopes, "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ")},
                        updated_at=now)


class ProductListView(ExtView):
    access = {"GET": READ, "POST": WRITE}

    @extend_schema(
        parameters=[OpenApiParameter("supplier_code", str), OpenApiParameter("updated_since", str,
                    description="ISO 8601: only products modified after it."),
                    OpenApiParameter("page", int), OpenApiParameter("page_size", int, description="Default 50, max 500.")],
        responses={200: schema.ProductListEnvelope, 400: schema.ErrorEnvelope}, operation_id="ext_products_list",
    )
    def get(self, request):
        queryset = self.get_queryset()
        if request.query_params.get("supplier_code"):
            queryset = queryset.filter(supplier__code=request.query_params["supplier_code"])
        updated_since = _datetime_param(request, "updated_since", required=False)
        if updated_since:
            queryset = queryset.filter(updated_at__gt=updated_since)
        return self.page(queryset, default_size=50, since=updated_since)

    @extend_schema(request=ProductBody, responses={200: schema.UpsertEnvelope, 201: schema.UpsertEnvelope,
                                                   400: schema.ErrorEnvelope, 409: schema.ErrorEnvelope},
                   description="Creates the product (name required) or updates the non-null fields given.")
    def post(self, request):
        if not isinstance(request.data, dict) or not request.data.get("ean"):
            raise ValidationError({"ean": ["This field is required."]})
        result = self.save_one(request.data, mode=product_services.UPSERT, ignore_nulls=True,
                               required_to_create=REQUIRED_TO_CREATE)
        created = result.status == "created"
        return envelope({"created": created, "ean": result.ean, "id": str(result.product_id),
                         "product": self.read(result.product_id)},
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class DeltaView(ExtView):
    access = {"GET": READ}

    @extend_schema(
        parameters=[OpenApiParameter("since", str, required=True, description="ISO 8601, inclusive."),
                    OpenApiParameter("page", int), OpenApiParameter("page_size", int, description="Default 100, max 500.")],
        responses={200: schema.ProductListEnvelope, 400: schema.ErrorEnvelope},
        description="Products created or updated at or after `since`, oldest change first. "
                    "`meta.updated_at` is where the next poll continues from.",
    )
    def get(self, request):
        since = _datetime_param(request, "since", required=True)
        return self.page(self.get_queryset().filter(updated_at__gte=since), default_size=100, since=since)


class BatchView(ExtView):
    access = {"POST": WRITE}

    @extend_schema(
        request=inline_serializer("ExtBatch", {"products": ProductBody(many=True)}),
        responses={200: schema.BatchEnvelope, 400: schema.ErrorEnvelope},
        description="Up to 500 products, each upserted on its own; per-item results.",
    )
    def post(self, request):
        items = request.data.get("products") if isinstance(request.data, dict) else None
        if not isinstance(items, list) or not items:
            raise ValidationError({"products": ["A non-empty list of products is required."]})
        if len(items) > MAX_BATCH:
            raise ValidationError({"products": [f"At most {MAX_BATCH} products per batch (got {len(items)})."]})
        results = product_services.save_products(
            organization=request.org, payloads=items, actor=Actor.of(request.user), mode=product_services.UPSERT,
            ignore_nulls=True, allowed=WRITE_FIELDS, required_to_create=REQUIRED_TO_CREATE,
        )
        body = []
        counts = {"created": 0, "updated": 0, "errors": 0}
        for result in results:
            if result.status == "error":
                counts["errors"] += 1
                body.append({"ean": result.ean, "status": "error", "errors": _result_errors(result)})
            else:
                counts[result.status] += 1
                body.append({"ean": result.ean, "status": result.status, "id": str(result.product_id)})
        return envelope({"total": len(items), **counts, "results": body}, total=len(items), page_size=len(items))


class ProductDetailView(ExtView):
    access = {"GET": READ, "PUT": WRITE, "PATCH": WRITE}

    @extend_schema(responses={200: schema.ProductEnvelope, 404: schema.ErrorEnvelope})
    def get(self, request, ean):
        return envelope(self.read(self.product_by_ean(ean).pk))

    def _check_body(self, ean):
        if not isinstance(self.request.data, dict):
            raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
        if self.request.data.get("ean") not in (None, ean):
            raise ValidationError({"ean": ["Must match the EAN in the URL."]})

    @extend_schema(request=ProductBody, responses={200: schema.ProductEnvelope, 400: schema.ErrorEnvelope,
                                                   404: schema.ErrorEnvelope},
                   description="Replaces the writable fields: those the body omits become null.")
    def put(self, request, ean):
        product = self.product_by_ean(ean)
        self._check_body(ean)
        self.save_one(request.data, mode=product_services.UPDATE, match_ids=[product.pk], replace=True)
        return envelope(self.read(product.pk))

    @extend_schema(request=ProductBody, responses={200: schema.ProductEnvelope, 400: schema.ErrorEnvelope,
                                                   404: schema.ErrorEnvelope},
                   description="Changes only the fields given; null or omitted fields are left as they are.")
    def patch(self, request, ean):
        product = self.product_by_ean(ean)
        self._check_body(ean)
        self.save_one(request.data, mode=product_services.UPDATE, match_ids=[product.pk], ignore_nulls=True)
        return envelope(self.read(product.pk))
