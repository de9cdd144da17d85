"""Organization scoping in the admin, driven by the same roles as the API.

Superusers see everything. Other staff users see the rows of the organizations they belong to,
and may view, add, change or delete them when their role there grants the admin class's
permission for that action. Foreign keys to organizations and to org-owned models only offer
rows of those organizations.
"""

from django.contrib import admin

from pixeepim.tenancy.models import Membership, OrgOwned, Organization
from pixeepim.tenancy.roles import Permission


def memberships_of(request):
    if not hasattr(request, "_pixee_memberships"):
        request._pixee_memberships = list(Membership.objects.filter(user_id=request.user.pk))
    return request._pixee_memberships


def org_ids_granting(request, permission):
    return {m.organization_id for m in memberships_of(request) if permission in m.permissions}


class OrgScopedAdmin(admin.ModelAdmin):
    view_permission = Permission.VIEW_PRODUCTS
    edit_permission = Permission.EDIT_PRODUCTS
    delete_permission = Permission.DELETE_PRODUCTS
    org_field = "organization"

    def _allowed(self, request, permission, obj=None):
        if request.user.is_superuser:
            return True
        if not request.user.is_active or not request.user.is_staff:
            return False
        org_ids = org_ids_granting(request, permission)
        if obj is None:
            return bool(org_ids)
        return self._org_id(obj) in org_ids

    def _org_id(self, obj):
        """The organization of ``obj`` through ``org_field`` (a field, or a path like ``subscription__organization``)."""
        *path, last = self.org_field.split("__")
        for name in path:
            obj = getattr(obj, name)
        return getattr(obj, f"{last}_id")

    def has_module_permission(self, request):
        return self._allowed(request, self.view_permission)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, self.view_permission, obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self._allowed(request, self.edit_permission)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, self.edit_permission, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, self.delete_permission, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.org_field}__in": org_ids_granting(request, self.view_permission)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            org_ids = org_ids_granting(request, self.edit_permission)
            if db_field.related_model is Organization:
                kwargs["queryset"] = Organization.objects.filter(id__in=org_ids)
            elif issubclass(db_field.related_model, OrgOwned):
                kwargs["queryset"] = db_field.related_model.objects.filter(organization_id__in=org_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
