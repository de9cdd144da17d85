"""``/api/v1/imports`` — preview, jobs (pause, resume, cancel, row errors), mapping profiles and
recurring imports."""

import csv
import io
import json

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from imports import services
from imports.models import FileFormat, ImportAutomation, ImportJob, ImportRowError, MappingProfile
from pixeepim.api.formats import iso_utc
from pixeepim.api.schema import ErrorSerializer
from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.actors import Actor
from pixeepim.auth.models import Scope
from pixeepim.tenancy.roles import Permission

READ = Access(Permission.VIEW_PRODUCTS, Scope.PRODUCTS_READ)
WRITE = Access(Permission.EDIT_PRODUCTS, Scope.PRODUCTS_WRITE)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (comma, semicolon or tab separated, UTF-8), JSON array of objects, "
                                           "or Excel .xlsx (first sheet, header row first).")
    file_format = serializers.ChoiceField(choices=FileFormat.choices, required=False,
                                          help_text="Default: from the file name's extension.")
    mapping = serializers.JSONField(required=False, help_text='{"column": "field" | "attribute:<code>" | null}; '
                                                              "default: the proposed mapping.")
    profile_id = serializers.UUIDField(required=False, help_text="Use a saved mapping profile.")
    supplier_code = serializers.CharField(max_length=50, required=False, allow_blank=True,
                                          help_text="Supplier of the rows that name none.")

    def validate_file(self, upload):
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(f"At most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB per file.")
        return upload


def _mapping(request, data):
    """The mapping a request names: inline, a saved profile of the organization, or None (proposed)."""
    mapping = data.get("mapping")
    if isinstance(mapping, str):
        try:
            mapping = json.loads(mapping)
        except ValueError:
            raise ValidationError({"mapping": ["Must be a JSON object."]}) from None
    if data.get("profile_id"):
        profile = MappingProfile.objects.for_org(request.org).filter(pk=data["profile_id"]).first()
        if profile is None:
            raise ValidationError({"profile_id": ["No mapping profile with this id in your organization."]})
        mapping = profile.mapping
    return mapping


def job_json(job):
    return {"id": str(job.id), "file_name": job.file_name, "file_format": job.file_format, "status": job.status,
            "requested": job.requested or None, "mapping": job.mapping, "supplier_code": job.supplier_code,
            "total_rows": job.total_rows, "processed": job.processed, "created": job.created,
            "updated": job.updated, "skipped": job.skipped, "failed": job.failed, "error": job.error or None,
            "automation_id": str(job.automation_id) if job.automation_id else None,
            "created_at": iso_utc(job.created_at), "started_at": iso_utc(job.started_at),
            "finished_at": iso_utc(job.finished_at)}


class ImportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    file_name = serializers.CharField()
    file_format = serializers.CharField()
    status = serializers.CharField()
    requested = serializers.CharField(allow_null=True, help_text="A pause or cancel waiting for the batch to end.")
    mapping = serializers.DictField()
    supplier_code = serializers.CharField()
    total_rows = serializers.IntegerField(allow_null=True)
    processed = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()
    error = serializers.CharField(allow_null=True)
    automation_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


JOB_SCHEMA = ImportJobSerializer


class ImportsView(OrgScopedMixin, generics.GenericAPIView):
    queryset = ImportJob.objects.all()
    access = {"GET": READ, "POST": WRITE, "PATCH": WRITE, "DELETE": WRITE}


class PreviewView(ImportsView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={200: inline_serializer(
        "ImportPreview", {"file_format": serializers.CharField(), "columns": serializers.ListField(),
                          "proposed_mapping": serializers.DictField(), "mapping": serializers.DictField(),
                          "mapping_errors": serializers.ListField(), "rows": serializers.ListField()}),
        400: ErrorSerializer}, description="The file's columns, a proposed mapping, and the first 10 rows checked "
                                           "as the import would (nothing is written).")
    def post(self, request):
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(services.preview(organization=request.org, upload=body.validated_data["file"],
                                         file_format=body.validated_data.get("file_format"),
                                         mapping=_mapping(request, body.validated_data), actor=Actor.of(request.user)))


class JobListView(ImportsView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={200: ImportJobSerializer(many=True)})
    def get(self, request):
        jobs = self.paginate_queryset(self.get_queryset().order_by("-created_at", "-id"))
        return self.get_paginated_response([job_json(job) for job in jobs])

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={202: JOB_SCHEMA, 400: ErrorSerializer})
    def post(self, request):
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        job = services.start_import(organization=request.org, file=upload, file_name=upload.name,
                                    file_format=body.validated_data.get("file_format"),
                                    mapping=_mapping(request, body.validated_data),
                                    supplier_code=body.validated_data.get("supplier_code", ""),
                                    actor=Actor.of(request.user))
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED)


class JobDetailView(ImportsView):
    @extend_schema(responses={200: JOB_SCHEMA, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(job_json(self.get_object()))


class JobControlView(ImportsView):
    action_name = None

    @extend_schema(request=None, responses={200: JOB_SCHEMA, 404: ErrorSerializer, 409: ErrorSerializer},
                   description="Pause and cancel take effect between batches of 500 rows; resume goes on after the "
                               "last row written.")
    def post(self, request, pk):
        control = {"pause": services.pause, "resume": services.resume, "cancel": services.cancel}[self.action_name]
        return Response(job_json(control(job=self.get_object())))


class JobErrorsView(ImportsView):
    @extend_schema(responses={200: inline_serializer("ImportRowErrorItem", {
        "row": serializers.IntegerField(), "field": serializers.CharField(), "message": serializers.CharField()}),
        404: ErrorSerializer}, description="The rows the import refused: row number, field and why.")
    def get(self, request, pk):
        errors = ImportRowError.objects.filter(job=self.get_object()).order_by("row", "id")
        page = self.paginate_queryset(errors)
        return self.get_paginated_response([{"row": e.row, "field": e.field, "message": e.message} for e in page])


class JobErrorsFileView(ImportsView):
    @extend_schema(responses={(200, "text/csv"): bytes, 404: ErrorSerializer},
                   description="All the refused rows as a CSV file (row, field, message).")
    def get(self, request, pk):
        errors = ImportRowError.objects.filter(job=self.get_object()).order_by("row", "id")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["row", "field", "message"])
        writer.writerows(errors.values_list("row", "field", "message").iterator())
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{pk}-errors.csv"'
        return response


# --- mapping profiles -------------------------------------------------------------------------------


class ProfileInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    mapping = serializers.DictField(child=serializers.CharField(allow_null=True, max_length=120))


def profile_json(profile):
    return {"id": str(profile.id), "name": profile.name, "mapping": profile.mapping,
            "created_at": iso_utc(profile.created_at), "updated_at": iso_utc(profile.updated_at)}


class ProfilesView(OrgScopedMixin, generics.GenericAPIView):
    queryset = MappingProfile.objects.all()
    access = ImportsView.access
    parser_classes = [JSONParser]


class ProfileListView(ProfilesView):
    @extend_schema(responses={200: ProfileInput(many=True)})
    def get(self, request):
        profiles = self.paginate_queryset(self.get_queryset().order_by("name", "id"))
        return self.get_paginated_response([profile_json(p) for p in profiles])

    @extend_schema(request=ProfileInput, responses={201: ProfileInput, 400: ErrorSerializer})
    def post(self, request):
        body = ProfileInput(data=request.data)
        body.is_valid(raise_exception=True)
        profile = services.save_profile(profile=MappingProfile(organization=request.org), data=body.validated_data)
        return Response(profile_json(profile), status=status.HTTP_201_CREATED)


class ProfileDetailView(ProfilesView):
    @extend_schema(responses={200: ProfileInput, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(profile_json(self.get_object()))

    @extend_schema(request=ProfileInput(partial=True), responses={200: ProfileInput, 400: ErrorSerializer})
    def patch(self, request, pk):
        body = ProfileInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        return Response(profile_json(services.save_profile(profile=self.get_object(), data=body.validated_data)))

    @extend_schema(responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer})
    def delete(self, request, pk):
        services.delete_profile(profile=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- automations ------------------------------------------------------------------------------------


class AutomationInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=1000)
    file_format = serializers.ChoiceField(choices=FileFormat.choices)
    mapping = serializers.DictField(child=serializers.CharField(allow_null=True), required=False)
    profile_id = serializers.UUIDField(required=False, allow_null=True)
    supplier_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    interval_minutes = serializers.IntegerField(min_value=15, max_value=7 * 24 * 60, required=False)
    is_active = serializers.BooleanField(required=False)


def automation_json(automation):
    return {"id": str(automation.id), "name": automation.name, "url": automation.url,
            "file_format": automation.file_format, "mapping": automation.mapping,
            "profile_id": str(automation.profile_id) if automation.profile_id else None,
            "supplier_code": automation.supplier_code, "interval_minutes": automation.interval_minutes,
            "is_active": automation.is_active, "next_run_at": iso_utc(automation.next_run_at),
            "last_run_at": iso_utc(automation.last_run_at), "last_error": automation.last_error or None,
            "created_at": iso_utc(automation.created_at)}


class AutomationsView(OrgScopedMixin, generics.GenericAPIView):
    queryset = ImportAutomation.objects.all()
    access = ImportsView.access
    parser_classes = [JSONParser]


class AutomationListView(AutomationsView):
    @extend_schema(responses={200: AutomationInput(many=True)})
    def get(self, request):
        automations = self.paginate_queryset(self.get_queryset().order_by("created_at", "id"))
        return self.get_paginated_response([automation_json(a) for a in automations])

    @extend_schema(request=AutomationInput, responses={201: AutomationInput, 400: ErrorSerializer})
    def post(self, request):
        body = AutomationInput(data=request.data)
        body.is_valid(raise_exception=True)
        automation = ImportAutomation(organization=request.org,
                                      created_by=request.user if request.membership else None)
        return Response(automation_json(services.save_automation(automation=automation, data=body.validated_data)),
                        status=status.HTTP_201_CREATED)


class AutomationDetailView(AutomationsView):
    @extend_schema(responses={200: AutomationInput, 404: ErrorSerializer})
    def get(self, request, pk):
        return Response(automation_json(self.get_object()))

    @extend_schema(request=AutomationInput(partial=True), responses={200: AutomationInput, 400: ErrorSerializer})
    def patch(self, request, pk):
        body = AutomationInput(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        return Response(automation_json(services.save_automation(automation=self.get_object(),
                                                              data=body.validated_data)))

    @extend_schema(responses={204: None, 404: ErrorSerializer})
    def delete(self, request, pk):
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class AutomationRunView(AutomationsView):
    @extend_schema(request=None, responses={202: JOB_SCHEMA, 400: ErrorSerializer, 404: ErrorSerializer},
                   description="Fetches the file now and queues its import.")
    def post(self, request, pk):
        job = services.run_automation(automation=self.get_object())
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED)
