"""``/api/v1/exports`` — product exports as files (CSV, JSON, Excel, ZIP), and their download links."""

from datetime import timedelta

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from exports import services
from exports.models import ExportJob
from pixeepim.api.formats import iso_utc
from pixeepim.api.schema import ErrorSerializer
from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.actors import Actor
from pixeepim.auth.models import Scope
from pixeepim.tenancy.roles import Permission
from products.api.serializers import ProductListQuery

READ = Access(Permission.VIEW_PRODUCTS, Scope.PRODUCTS_READ)


class ExportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    format = serializers.CharField()
    status = serializers.CharField()
    filters = serializers.DictField()
    rows = serializers.IntegerField()
    size = serializers.IntegerField(help_text="Bytes.")
    error = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def job_json(job):
    return {"id": str(job.id), "format": job.format, "status": job.status, "filters": job.filters, "rows": job.rows,
            "size": job.size, "error": job.error or None, "created_at": iso_utc(job.created_at),
            "started_at": iso_utc(job.started_at), "finished_at": iso_utc(job.finished_at)}


class ExportsView(OrgScopedMixin, generics.GenericAPIView):
    queryset = ExportJob.objects.all()
    access = {"GET": READ, "POST": READ}


class StartExportView(ExportsView):
    export_format = None
    throttle_tier = "EXPORT_STANDARD"

    @extend_schema(parameters=[ProductListQuery], request=None,
                   responses={202: inline_serializer("ExportQueued", {"job_id": serializers.UUIDField(),
                                                                      "status": serializers.CharField()}),
                              400: ErrorSerializer},
                   description="Exports the products the product list's filters select (query string), in a "
                               "worker; follow the job at GET /exports/{job_id}.")
    def post(self, request):
        query = ProductListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = {key: str(value) if key == "supplier_id" else value for key, value in query.validated_data.items()
                   if value is not None}
        job = services.start_export(organization=request.org, export_format=self.export_format, filters=filters,
                                    actor=Actor.of(request.user))
        return Response({"job_id": str(job.id), "status": job.status}, status=status.HTTP_202_ACCEPTED)


class ExportListView(ExportsView):
    @extend_schema(responses={200: ExportJobSerializer(many=True)})
    def get(self, request):
        jobs = self.paginate_queryset(self.get_queryset().order_by("-created_at", "-id"))
        return self.get_paginated_response([job_json(job) for job in jobs])


class ExportDetailView(ExportsView):
    @extend_schema(responses={200: ExportJobSerializer, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(job_json(self.get_object()))


class DownloadUrlView(ExportsView):
    @extend_schema(request=None, responses={200: inline_serializer("ExportDownloadUrl", {
        "url": serializers.URLField(), "expires_at": serializers.DateTimeField()}), 404: ErrorSerializer,
        409: ErrorSerializer}, description="A link to the export's file, valid 5 minutes, for this file only.")
    def post(self, request, pk):
        token = services.download_token(self.get_object())
        url = request.build_absolute_uri(reverse("export-download", args=[token]))
        expires_at = timezone.now() + timedelta(seconds=services.DOWNLOAD_LINK_SECONDS)
        return Response({"url": url, "expires_at": iso_utc(expires_at)})


class DownloadView(APIView):
    """The file behind a download link: the signed link is the only credential."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_tier = "EXPORT_STANDARD"

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 403: ErrorSerializer})
    def get(self, request, token):
        try:
            job = services.job_for_download(token)
        except services.DownloadRefused as exc:
            raise PermissionDenied(str(exc)) from None
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
