"""Webhooks in the admin: subscriptions, and the deliveries with their attempts (and a retry)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from pixeepim.tenancy.admin_scoping import OrgScopedAdmin, org_ids_granting
from pixeepim.tenancy.roles import Permission
from webhooks import events as catalog
from webhooks import services, tasks
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class SubscriptionForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=[(name, name) for name in catalog.EVENTS],
                                       widget=forms.CheckboxSelectMultiple)
    new_secret = forms.CharField(required=False, min_length=16, widget=forms.PasswordInput(render_value=False),
                                 help_text="Leave empty to keep the secret (a new subscription gets a generated one, "
                                           "shown once).")

    class Meta:
        model = WebhookSubscription
        fields = ["organization", "url", "events", "description", "is_active"]

    def clean(self):
        data = super().clean()
        if data.get("url"):
            try:
                services.check_url(data["url"])
            except services.BlockedDestination as exc:
                self.add_error("url", str(exc))
        return data


@admin.register(WebhookSubscription)
class SubscriptionAdmin(OrgScopedAdmin):
    form = SubscriptionForm
    view_permission = edit_permission = delete_permission = Permission.MANAGE_SETTINGS
    list_display = ["url", "description", "is_active", "organization", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    actions = ["send_test_ping"]

    def save_model(self, request, obj, form, change):
        secret = form.cleaned_data.get("new_secret") or (None if change else services.new_secret())
        if secret:
            obj.secret = secret
        super().save_model(request, obj, form, change)
        if secret and not form.cleaned_data.get("new_secret"):
            self.message_user(request, f"Signing secret (shown only now): {secret}", messages.WARNING)

    @admin.action(description="Send a test ping", permissions=["change"])
    def send_test_ping(self, request, queryset):
        for subscription in queryset:
            attempt = services.ping(subscription=subscription)
            outcome = f"HTTP {attempt.status_code}" if attempt.status_code else attempt.error
            self.message_user(request, f"{subscription}: {outcome} in {attempt.latency_ms} ms",
                              messages.SUCCESS if attempt.success else messages.ERROR)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["created_at", "attempt", "success", "status_code", "latency_ms", "response_excerpt", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Whoever may see the delivery sees its attempts.
        if request.user.is_superuser:
            return True
        allowed = org_ids_granting(request, Permission.MANAGE_SETTINGS)
        return bool(allowed) if obj is None else obj.subscription.organization_id in allowed


@admin.register(WebhookDelivery)
class DeliveryAdmin(OrgScopedAdmin):
    org_field = "subscription__organization"
    view_permission = edit_permission = delete_permission = Permission.MANAGE_SETTINGS
    list_display = ["created_at", "event", "subscription", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "event"]
    list_select_related = ["subscription"]
    fields = ["subscription", "event", "status", "attempts", "next_attempt_at", "created_at", "delivered_at",
              "payload"]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=WebhookDelivery.Status.DELIVERED).update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=timezone.now())
        tasks.wake_deliverer()
        self.message_user(request, f"{count} deliveries queued again.")
