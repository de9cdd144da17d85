"""``/api/v1/pim/*`` — the tenant PIM API (seed 004, contract §7).

Every call names its tenant and organization (``X-Tenant-ID``, ``X-Org-ID``). Lists are plain
arrays ordered by creation date, paged with ``X-Total-Count`` and ``Link`` headers.
"""

from django.db.models import Avg, Count, Q
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from pixeepim.api.pagination import HeaderPagination
from pixeepim.api.schema import ErrorSerializer
from pixeepim.api.scoping import (
    ORG_HEADER,
    TENANT_HEADER,
    Access,
    HasOrgAccess,
    OrgScopedMixin,
    require_tenant_and_org_headers,
)
from pixeepim.auth.actors import Actor
from pixeepim.auth.models import Scope
from pixeepim.tenancy.roles import Permission
from products.api import pim_serializers as s
from products.models import (
    Attribute,
    AttributeGroup,
    AuditEvent,
    Brand,
    CatalogJob,
    Category,
    Media,
    Product,
    Template,
    ValidationIssue,
    Variant,
)
from products.payload import WRITABLE_FIELDS, clean_product_input
from products.services import catalog, jobs
from products.services import products as product_services

READ = Access(Permission.VIEW_PRODUCTS, Scope.PIM_READ)
WRITE = Access(Permission.EDIT_PRODUCTS, Scope.PIM_WRITE)
DELETE = Access(Permission.DELETE_PRODUCTS, Scope.PIM_WRITE)
MAX_BULK_JOB_PRODUCTS = 50_000

PIM_HEADERS = [
    OpenApiParameter(TENANT_HEADER, str, OpenApiParameter.HEADER, required=True, description="UUID of your tenant."),
    OpenApiParameter(ORG_HEADER, str, OpenApiParameter.HEADER, required=True, description="UUID of your organization."),
]


class HasPimHeaders(BasePermission):
    def has_permission(self, request, view):
        require_tenant_and_org_headers(request)
        return True


@extend_schema(parameters=PIM_HEADERS)
class PimView(OrgScopedMixin, generics.GenericAPIView):
    pagination_class = HeaderPagination
    access = {"GET": READ, "POST": WRITE, "PUT": WRITE, "DELETE": DELETE}

    def get_permissions(self):
        return [IsAuthenticated(), HasPimHeaders(), HasOrgAccess()]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "organization": self.request.org}

    def actor(self):
        return Actor.of(self.request.user)


class PimListView(mixins.ListModelMixin, PimView):
    """A list, oldest first; ``filter_rows`` narrows it from the query string."""

    def get(self, request, **kwargs):
        return self.list(request)

    def filter_queryset(self, queryset):
        return self.filter_rows(queryset).order_by("created_at", "pk")

    def filter_rows(self, queryset):
        return queryset


class PimListCreateView(PimListView):
    """A list, and creation through ``create_row(validated_data)``."""

    def post(self, request, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = self.create_row(serializer.validated_data)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


# --- Products ----------------------------------------------------------------------------------


class PimProductListView(PimListCreateView):
    queryset = Product.objects.live().select_related("category")
    serializer_class = s.PimProductSerializer

    @extend_schema(request=s.PimProductInput, responses={201: s.PimProductSerializer, 400: ErrorSerializer})
    def post(self, request):
        body = s.PimProductInput(data=request.data)
        body.is_valid(raise_exception=True)
        product = product_services.create_product(
            organization=request.org, data=body.to_product_payload(organization=request.org), actor=self.actor(),
        )
        return Response(s.PimProductSerializer(product).data, status=status.HTTP_201_CREATED)


class PimProductDetailView(PimView):
    queryset = Product.objects.live().select_related("category")
    serializer_class = s.PimProductSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=s.PimProductInput, responses={200: s.PimProductSerializer, 400: ErrorSerializer})
    def put(self, request, pk):
        product = self.get_object()
        body = s.PimProductInput(data=request.data)
        body.is_valid(raise_exception=True)
        payload = body.to_product_payload(organization=request.org)
        product_services.update_product(product=product, data=payload, actor=self.actor(), replace=True,
                                        allowed=PIM_PRODUCT_FIELDS)
        return Response(self.get_serializer(self.get_queryset().get(pk=product.pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        product_services.delete_product(product=self.get_object(), actor=self.actor())
        return Response(status=status.HTTP_204_NO_CONTENT)


# The product fields the PIM surface writes (PUT empties those it omits).
PIM_PRODUCT_FIELDS = ["name", "description", "category_id", "ean", "reference", "price", "brand_id"]


class VariantListView(PimListCreateView):
    queryset = Variant.objects.prefetch_related("attribute_values__attribute")
    serializer_class = s.VariantSerializer

    def product(self):
        product = Product.objects.for_org(self.request.org).live().filter(pk=self.kwargs["product_id"]).first()
        if product is None:
            raise NotFound("No product with this id.")
        return product

    def get_queryset(self):
        return super().get_queryset().filter(product=self.product())

    def create_row(self, data):
        variant = catalog.create_variant(product=self.product(), actor=self.actor(), **data)
        return self.get_queryset().get(pk=variant.pk)


# --- Stats, export, bulk jobs --------------------------------------------------------------------


class StatsView(PimView):
    queryset = Product.objects.live()

    @extend_schema(responses=s.StatsSerializer)
    def get(self, request):
        organization = request.org
        products = Product.objects.for_org(organization).live()
        totals = products.aggregate(
            products=Count("id"), active_products=Count("id", filter=Q(status=Product.Status.ACTIVE)),
            average_completeness=Avg("completeness"),
        )
        by_state = dict(products.order_by().values_list("workflow_state").annotate(n=Count("id")))
        return Response({
            "products": totals["products"],
            "active_products": totals["active_products"],
            "variants": Variant.objects.for_org(organization).filter(product__deleted_at__isnull=True).count(),
            "brands": Brand.objects.for_org(organization).count(),
            "categories": Category.objects.for_org(organization).count(),
            "attributes": Attribute.objects.for_org(organization).count(),
            "templates": Template.objects.for_org(organization).count(),
            "media": Media.objects.for_org(organization).count(),
            "validation_issues": ValidationIssue.objects.for_org(organization).filter(product__deleted_at__isnull=True).count(),
            "products_by_workflow_state": {state: by_state.get(state, 0) for state in Product.WorkflowState.values},
            "average_completeness": round(float(totals["average_completeness"] or 0), 1),
        })


JobAccepted = inline_serializer("JobAccepted", {"job_id": serializers.UUIDField(), "status": serializers.CharField()})


class ExportView(PimView):
    queryset = CatalogJob.objects.filter(job_type=CatalogJob.Type.EXPORT)
    serializer_class = s.CatalogJobSerializer
    access = {"POST": Access(Permission.VIEW_PRODUCTS, Scope.PIM_READ)}
    throttle_tier = "EXPORT_STANDARD"

    @extend_schema(request=None, responses={202: JobAccepted})
    def post(self, request):
        job = jobs.start_job(organization=request.org, job_type=CatalogJob.Type.EXPORT, payload={}, actor=self.actor())
        return Response({"job_id": str(job.id), "status": job.status}, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(PimView):
    queryset = CatalogJob.objects.filter(job_type=CatalogJob.Type.EXPORT)
    serializer_class = s.CatalogJobSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)


class ExportDownloadView(PimView):
    queryset = CatalogJob.objects.filter(job_type=CatalogJob.Type.EXPORT)
    throttle_tier = "EXPORT_STANDARD"

    @extend_schema(responses={(200, "text/csv"): bytes, 404: ErrorSerializer})
    def get(self, request, pk):
        job = self.get_object()
        if not job.file:
            raise NotFound("This export is not ready yet.")
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"catalog-{job.id}.csv",
                            content_type="text/csv")


class BulkJobListView(PimListView):
    queryset = CatalogJob.objects.exclude(job_type=CatalogJob.Type.EXPORT)
    serializer_class = s.CatalogJobSerializer

    @extend_schema(parameters=[OpenApiParameter("type", str, enum=["BULK_UPDATE", "BULK_DELETE"],
                                                description="Job type (default BULK_UPDATE).")])
    def get(self, request):
        return super().get(request)

    def filter_rows(self, queryset):
        job_type = self.request.query_params.get("type", CatalogJob.Type.BULK_UPDATE)
        if job_type not in (CatalogJob.Type.BULK_UPDATE, CatalogJob.Type.BULK_DELETE):
            raise ValidationError({"type": ["Must be BULK_UPDATE or BULK_DELETE."]})
        return queryset.filter(job_type=job_type)

    @extend_schema(request=s.BulkJobInput, responses={202: s.CatalogJobSerializer, 400: ErrorSerializer})
    def post(self, request):
        body = s.BulkJobInput(data=request.data)
        body.is_valid(raise_exception=True)
        job_type, payload = body.validated_data["type"], body.validated_data["payload"]
        job = jobs.start_job(organization=request.org, job_type=job_type,
                             payload=_checked_bulk_payload(job_type, payload), actor=self.actor())
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)


def _checked_bulk_payload(job_type, payload):
    """Checks a bulk job's payload before it is queued, so a bad one is a 400 and not a failed job."""
    ids = payload.get("product_ids")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_BULK_JOB_PRODUCTS:
        raise ValidationError({"payload.product_ids": [f"A list of 1 to {MAX_BULK_JOB_PRODUCTS} product ids is required."]})
    field = serializers.UUIDField()
    try:
        ids = [str(field.to_internal_value(value)) for value in ids]
    except serializers.ValidationError:
        raise ValidationError({"payload.product_ids": ["Every product id must be a UUID."]}) from None
    checked = {"product_ids": list(dict.fromkeys(ids))}
    unknown = sorted(set(payload) - {"product_ids", "changes"})
    if unknown:
        raise ValidationError({f"payload.{name}": ["Unknown field."] for name in unknown})
    if job_type == CatalogJob.Type.BULK_UPDATE:
        changes = payload.get("changes")
        if not isinstance(changes, dict) or not changes:
            raise ValidationError({"payload.changes": ["An object of product fields to set is required."]})
        item = clean_product_input(changes, allowed=[f for f in WRITABLE_FIELDS if f not in ("ean", "url_slug")])
        if item.errors:
            raise ValidationError({f"payload.changes.{name}": messages for name, messages in item.errors.items()})
        checked["changes"] = changes
    elif "changes" in payload:
        raise ValidationError({"payload.changes": ["BULK_DELETE takes no changes."]})
    return checked


class BulkJobDetailView(PimView):
    queryset = CatalogJob.objects.exclude(job_type=CatalogJob.Type.EXPORT)
    serializer_class = s.CatalogJobSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)


# --- Validation issues and audit -----------------------------------------------------------------


class ValidationIssueListView(PimListView):
    queryset = ValidationIssue.objects.filter(product__deleted_at__isnull=True)
    serializer_class = s.ValidationIssueSerializer

    @extend_schema(parameters=[OpenApiParameter("product_id", str), OpenApiParameter("code", str)])
    def get(self, request):
        return super().get(request)

    def filter_rows(self, queryset):
        queryset = _filter_uuid(queryset, self.request, "product_id")
        code = self.request.query_params.get("code")
        return queryset.filter(code=code) if code else queryset


class AuditEventListView(PimListView):
    queryset = AuditEvent.objects.all()
    serializer_class = s.AuditEventSerializer

    @extend_schema(parameters=[OpenApiParameter("entity_id", str), OpenApiParameter("action", str)])
    def get(self, request):
        return super().get(request)

    def filter_rows(self, queryset):
        for name in ("entity_id", "action"):
            if self.request.query_params.get(name):
                queryset = queryset.filter(**{name: self.request.query_params[name]})
        return queryset


def _filter_uuid(queryset, request, name):
    value = request.query_params.get(name)
    if not value:
        return queryset
    try:
        return queryset.filter(**{name: serializers.UUIDField().to_internal_value(value)})
    except serializers.ValidationError:
        raise ValidationError({name: ["Must be a UUID."]}) from None


# --- Taxonomy, attributes, templates, media ------------------------------------------------------


class CategoryListView(PimListCreateView):
    queryset = Category.objects.all()
    serializer_class = s.CategorySerializer

    def create_row(self, data):
        return catalog.create_category(organization=self.request.org, actor=self.actor(), **data)


class BrandListView(PimListCreateView):
    queryset = Brand.objects.all()
    serializer_class = s.BrandSerializer

    def create_row(self, data):
        return catalog.create_brand(organization=self.request.org, actor=self.actor(), **data)


class AttributeGroupListView(PimListCreateView):
    queryset = AttributeGroup.objects.all()
    serializer_class = s.AttributeGroupSerializer

    def create_row(self, data):
        return catalog.create_attribute_group(organization=self.request.org, actor=self.actor(), **data)


class AttributeListView(PimListCreateView):
    queryset = Attribute.objects.all()
    serializer_class = s.AttributeSerializer

    def create_row(self, data):
        return catalog.create_attribute(organization=self.request.org, actor=self.actor(), **data)


class TemplateListView(PimListCreateView):
    queryset = Template.objects.prefetch_related("template_attributes")
    serializer_class = s.TemplateSerializer

    def create_row(self, data):
        links = [(link["attribute_id"], link["required"]) for link in data.pop("template_attributes", [])]
        return catalog.create_template(organization=self.request.org, actor=self.actor(), attributes=links, **data)


class MediaListView(PimListCreateView):
    queryset = Media.objects.filter(Q(product__isnull=True) | Q(product__deleted_at__isnull=True))
    serializer_class = s.MediaSerializer

    @extend_schema(parameters=[OpenApiParameter("product_id", str), OpenApiParameter("variant_id", str)])
    def get(self, request):
        return super().get(request)

    def filter_rows(self, queryset):
        return _filter_uuid(_filter_uuid(queryset, self.request, "product_id"), self.request, "variant_id")

    def create_row(self, data):
        return catalog.attach_media(organization=self.request.org, actor=self.actor(), **data)
