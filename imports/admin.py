"""Imports in the admin: follow jobs (with their row errors), pause, resume or cancel them; mapping
profiles and recurring imports."""

from django import forms
from django.contrib import admin, messages
from rest_framework.exceptions import ValidationError

from imports import services
from imports.models import ImportAutomation, ImportJob, ImportRowError, MappingProfile
from pixeepim.api.errors import Conflict
from pixeepim.tenancy.admin_scoping import OrgScopedAdmin, org_ids_granting
from pixeepim.tenancy.roles import Permission


class RowErrorInline(admin.TabularInline):
    model = ImportRowError
    fields = ["row", "field", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["row", "id"]

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser:
            return True
        allowed = org_ids_granting(request, Permission.VIEW_PRODUCTS)
        return bool(allowed) if obj is None else obj.organization_id in allowed

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(OrgScopedAdmin):
    list_display = ["created_at", "file_name", "status", "processed", "created", "updated", "failed", "organization"]
    list_filter = ["status", "file_format"]
    search_fields = ["file_name"]
    fields = ["file_name", "file_format", "status", "requested", "mapping", "supplier_code", "total_rows",
              "processed", "created", "updated", "skipped", "failed", "error", "automation", "created_by",
              "created_at", "started_at", "finished_at"]
    readonly_fields = fields
    inlines = [RowErrorInline]
    actions = ["pause_jobs", "resume_jobs", "cancel_jobs"]

    def has_add_permission(self, request):
        return False

    def _control(self, request, queryset, control, verb):
        for job in queryset:
            try:
                control(job=job)
                self.message_user(request, f"{job.file_name}: {verb}.")
            except Conflict as exc:
                self.message_user(request, f"{job.file_name}: {exc.detail}", messages.WARNING)

    @admin.action(description="Pause (between batches)", permissions=["change"])
    def pause_jobs(self, request, queryset):
        self._control(request, queryset, services.pause, "pause requested")

    @admin.action(description="Resume", permissions=["change"])
    def resume_jobs(self, request, queryset):
        self._control(request, queryset, services.resume, "resumed")

    @admin.action(description="Cancel", permissions=["change"])
    def cancel_jobs(self, request, queryset):
        self._control(request, queryset, services.cancel, "cancel requested")


@admin.register(MappingProfile)
class MappingProfileAdmin(OrgScopedAdmin):
    list_display = ["name", "organization", "created_at"]
    search_fields = ["name"]


class AutomationForm(forms.ModelForm):
    class Meta:
        model = ImportAutomation
        fields = ["organization", "name", "url", "file_format", "mapping", "profile", "supplier_code",
                  "interval_minutes", "is_active"]

    def clean_url(self):
        try:
            services.check_automation({"url": self.cleaned_data["url"]})
        except ValidationError as exc:
            raise forms.ValidationError(exc.detail["url"]) from None
        return self.cleaned_data["url"]


@admin.register(ImportAutomation)
class ImportAutomationAdmin(OrgScopedAdmin):
    form = AutomationForm
    list_display = ["name", "url", "file_format", "interval_minutes", "is_active", "next_run_at", "last_error"]
    list_filter = ["is_active", "file_format"]
    readonly_fields = ["next_run_at", "last_run_at", "last_error"]
