"""Connectors in the admin: configuration, connection tests and sync actions, and the jobs' progress."""

from django import forms
from django.contrib import admin, messages
from rest_framework.exceptions import ValidationError

from connectors import services
from connectors.models import Connector, SyncJob
from pixeepim.api.errors import Conflict
from pixeepim.auth.actors import Actor
from pixeepim.tenancy.admin_scoping import OrgScopedAdmin
from pixeepim.tenancy.roles import Permission


class ConnectorForm(forms.ModelForm):
    access_token = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), strip=True,
        help_text="Stored encrypted and never shown again. Leave empty to keep the stored token.",
    )

    class Meta:
        model = Connector
        fields = ["organization", "name", "platform", "base_url", "settings", "channel", "status",
                  "sync_interval_minutes", "scheduled_kinds"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        token = data.get("access_token")
        try:
            services.validate_connector(
                platform=data["platform"], base_url=data["base_url"], settings=data.get("settings") or {},
                credentials={"access_token": token} if token else {}, require_credentials=bool(token) or not self.instance.credentials,
            )
        except ValidationError as exc:
            for field, messages_ in exc.detail.items():
                self.add_error(field if field in self.fields else ("access_token" if field == "credentials" else None),
                               [str(m) for m in messages_])
        return data


@admin.register(Connector)
class ConnectorAdmin(OrgScopedAdmin):
    form = ConnectorForm
    edit_permission = Permission.MANAGE_SETTINGS
    delete_permission = Permission.MANAGE_SETTINGS
    list_display = ["name", "platform", "status", "last_sync_at", "products_synced", "products_pending",
                    "organization"]
    list_filter = ["platform", "status"]
    search_fields = ["name", "base_url"]
    readonly_fields = ["last_sync_at", "next_sync_at", "sync_stats"]
    actions = ["test_connection", "push_products", "pull_products", "push_stock", "push_prices"]

    @admin.display(description="synced")
    def products_synced(self, connector):
        return (connector.sync_stats or {}).get("products_synced", 0)

    @admin.display(description="pending")
    def products_pending(self, connector):
        return (connector.sync_stats or {}).get("products_pending", 0)

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("access_token"):
            obj.credentials = {"access_token": form.cleaned_data["access_token"]}
        if not change or "sync_interval_minutes" in form.changed_data:
            services.reschedule(obj)
        super().save_model(request, obj, form, change)

    @admin.action(description="Test the connection", permissions=["change"])
    def test_connection(self, request, queryset):
        for connector in queryset:
            success, latency_ms, message = services.test_connector(connector=connector)
            self.message_user(request, f"{connector.name}: {message} ({latency_ms} ms)",
                              messages.SUCCESS if success else messages.ERROR)

    def _start(self, request, queryset, kind):
        for connector in queryset:
            try:
                job = services.start_sync(connector=connector, kind=kind, actor=Actor.of(request.user),
                                          trigger=SyncJob.Trigger.ADMIN)
            except Conflict as exc:
                self.message_user(request, f"{connector.name}: {exc.detail}", messages.WARNING)
            else:
                self.message_user(request, f"{connector.name}: {job.get_kind_display().lower()} queued (job {job.id}).")

    @admin.action(description="Push products (published, active)", permissions=["change"])
    def push_products(self, request, queryset):
        self._start(request, queryset, SyncJob.Kind.PUSH_PRODUCTS)

    @admin.action(description="Pull products", permissions=["change"])
    def pull_products(self, request, queryset):
        self._start(request, queryset, SyncJob.Kind.PULL_PRODUCTS)

    @admin.action(description="Push stock", permissions=["change"])
    def push_stock(self, request, queryset):
        self._start(request, queryset, SyncJob.Kind.PUSH_STOCK)

    @admin.action(description="Push prices", permissions=["change"])
    def push_prices(self, request, queryset):
        self._start(request, queryset, SyncJob.Kind.PUSH_PRICES)


@admin.register(SyncJob)
class SyncJobAdmin(OrgScopedAdmin):
    delete_permission = Permission.MANAGE_SETTINGS
    list_display = ["created_at", "connector", "kind", "status", "progress", "failed", "trigger"]
    list_filter = ["status", "kind", "trigger"]
    list_select_related = ["connector"]
    search_fields = ["connector__name"]
    fields = ["connector", "kind", "status", "trigger", "total", "processed", "succeeded", "created", "skipped",
              "failed", "error", "errors", "attempts", "platform_ms", "created_by", "created_at", "started_at",
              "finished_at"]
    readonly_fields = fields

    @admin.display(description="progress")
    def progress(self, job):
        return f"{job.processed} / {job.total}"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
