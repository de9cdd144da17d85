from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from pixeepim.auth.models import ApiKey, Scope
from pixeepim.auth.services import assign_new_secret, revoke_api_key
from pixeepim.tenancy.admin_scoping import OrgScopedAdmin
from pixeepim.tenancy.roles import Permission


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    test_key = forms.BooleanField(required=False, label="Test key (pm_test_…)")

    class Meta:
        model = ApiKey
        fields = ["organization", "name", "scopes", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at and expires_at <= timezone.now() and "expires_at" in self.changed_data:
            raise forms.ValidationError("The expiry must be in the future.")
        return expires_at


@admin.register(ApiKey)
class ApiKeyAdmin(OrgScopedAdmin):
    view_permission = edit_permission = delete_permission = Permission.MANAGE_API_KEYS
    form = ApiKeyForm
    list_display = ["name", "organization", "display_prefix", "scope_list", "state", "last_used_at", "created_at"]
    list_filter = ["organization", "is_test", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "display_prefix"]
    list_select_related = ["organization"]
    readonly_fields = ["display_prefix", "is_test", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_keys"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organization", "name", "scopes", "test_key", "expires_at"]
        return ["organization", "name", "display_prefix", "scopes", "is_test", "expires_at",
                "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "organization"] if obj else []

    @admin.display(description="Scopes")
    def scope_list(self, api_key):
        return ", ".join(api_key.scopes)

    @admin.display(description="State")
    def state(self, api_key):
        if api_key.revoked_at:
            return "revoked"
        return "active" if api_key.is_usable else "expired"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            request._pixee_new_api_key = assign_new_secret(obj, test=form.cleaned_data["test_key"])
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The raw key is rendered into this one response and stored nowhere.
        return TemplateResponse(
            request,
            "admin/pixee_auth/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "api_key": obj,
                "raw_key": request._pixee_new_api_key,
                "change_url": reverse("admin:pixee_auth_apikey_change", args=[obj.pk]),
                "opts": self.opts,
            },
        )

    @admin.action(description="Revoke selected API keys")
    def revoke_keys(self, request, queryset):
        for api_key in queryset.filter(revoked_at__isnull=True):
            revoke_api_key(api_key=api_key)
        self.message_user(request, "Selected API keys are revoked.", messages.SUCCESS)
