"""Exports in the admin: follow jobs and download their files."""

from django.contrib import admin
from django.utils.html import format_html

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
        return format_html('<a href="{}">{}</a>', job.file.url, job.file.name) if job.file else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
