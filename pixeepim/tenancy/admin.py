from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from pixeepim.tenancy.admin_scoping import OrgScopedAdmin
from pixeepim.tenancy.models import Membership, Organization, Tenant, User
from pixeepim.tenancy.roles import Permission


# What a user may do comes from their role in each organization (memberships), not Django groups.
admin.site.unregister(Group)


class OrganizationInline(admin.TabularInline):
    model = Organization
    extra = 0


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "id", "created_at"]
    search_fields = ["name"]
    inlines = [OrganizationInline]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "id", "created_at"]
    list_filter = ["tenant"]
    search_fields = ["name", "tenant__name"]
    list_select_related = ["tenant"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organization"]


class EmailUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_superuser", "is_active", "locked_until"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "locked_until"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2", "is_staff"]}),
    ]
    filter_horizontal = []
    inlines = [MembershipInline]
    actions = ["unlock_accounts"]

    @admin.action(description="Unlock selected accounts (clear failed logins)")
    def unlock_accounts(self, request, queryset):
        count = queryset.update(locked_until=None, failed_login_count=0, first_failed_login_at=None)
        self.message_user(request, f"{count} account(s) unlocked.", messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(OrgScopedAdmin):
    view_permission = edit_permission = delete_permission = Permission.MANAGE_SETTINGS
    list_display = ["user", "organization", "role", "is_default", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]
