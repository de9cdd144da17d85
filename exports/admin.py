"""Exports in the admin: follow jobs and download their files."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from exports import services
from exports.models import ExportJob
from pixeepim.tenancy.admin_scoping import OrgScopedAdmin


@admin.register(ExportJob)
class ExportJobAdmin(OrgScopedAdmin):
    list_display = ["created_at", "format", "status", "rows", "size", "created_by", "organization"]
    list_filter = ["status", "format"]
    fields = ["format", "status", "filters", "rows", "size", "download", "error", "created_by", "created_at",
              "started_at", "finished_at"]
    readonly_fields = fields

    @admin.display(description="file")
    def download(self, job):
        # The same 5-minute signed link as the API's: media files are not served publicly.
        if job.status != ExportJob.Status.SUCCEEDED or not job.file:
            return "—"
        url = reverse("export-download", args=[services.download_token(job)])
        return format_html('<a href="{}">{}</a> (link valid 5 minutes)', url, job.file.name.rsplit("/", 1)[-1])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
