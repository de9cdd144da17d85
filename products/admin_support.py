"""Admin building blocks of the catalog: an audited org-scoped admin, org-limited inlines and
filters, a paginator that never counts a whole table, and the typed attribute fields."""

import csv

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import StreamingHttpResponse
from django.utils.functional import cached_property

from pixeepim.auth.actors import Actor
from pixeepim.tenancy.admin_scoping import OrgScopedAdmin, org_ids_granting
from pixeepim.tenancy.roles import Permission
from products.models import Attribute, OrgOwned, ValidationIssue
from products.representation import EXPORT_COLUMNS, export_rows
from products.services.audit import changes, event_row, record, snapshot

# Lists count at most this many rows: the exact total of a 100,000-row catalog is not worth a
# full scan on every page; past it the admin shows "10000+" pages' worth and filters narrow down.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    @cached_property
    def count(self):
        return self.object_list.order_by()[: COUNT_CAP + 1].count()


class AuditedOrgAdmin(OrgScopedAdmin):
    """Org-scoped admin whose saves and deletes leave audit events like the API's."""

    def save_model(self, request, obj, form, change):
        fields = [f.attname for f in obj._meta.concrete_fields if f.attname not in ("id", "organization_id")]
        before = snapshot(type(obj).objects.get(pk=obj.pk), fields) if change else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj, fields)
        old, new = changes(before, after) if change else (None, after)
        if not change or new:
            self._record(request, obj, "updated" if change else "created", old, new)

    def delete_model(self, request, obj):
        self._record(request, obj, "deleted", {"name": str(obj)}, None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, "deleted", {"name": str(obj)}, None)
        super().delete_queryset(request, queryset)

    def _record(self, request, obj, verb, before, after):
        entity_type = obj._meta.model_name
        record([event_row(organization=obj.organization, actor=Actor.of(request.user), action=f"{entity_type}.{verb}",
                          entity_type=entity_type, entity_id=obj.pk, before=before, after=after)])


class OrgScopedInline:
    """Inline of a product: editable by whoever may edit the product, offering in its foreign keys
    only rows of the product's organization."""

    edit_permission = Permission.EDIT_PRODUCTS

    def _allowed(self, request, obj):
        if request.user.is_superuser:
            return True
        org_ids = org_ids_granting(request, self.edit_permission)
        return bool(org_ids) if obj is None else obj.organization_id in org_ids

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        request._pixee_inline_parent = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        parent = getattr(request, "_pixee_inline_parent", None)
        related = db_field.related_model
        if issubclass(related, OrgOwned):
            if parent is not None:
                kwargs["queryset"] = related.objects.filter(organization_id=parent.organization_id)
            elif not request.user.is_superuser:
                kwargs["queryset"] = related.objects.filter(
                    organization_id__in=org_ids_granting(request, self.edit_permission))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrgRelatedFilter(admin.SimpleListFilter):
    """Filter by a related row, offering only rows of the organizations the user may see."""

    related_field = None  # e.g. "brand"

    def lookups(self, request, model_admin):
        model = model_admin.model._meta.get_field(self.related_field).related_model
        queryset = model.objects.all()
        if not request.user.is_superuser:
            queryset = queryset.filter(organization_id__in=org_ids_granting(request, model_admin.view_permission))
        return [(str(row.pk), str(row)) for row in queryset.order_by(*model._meta.ordering)[:500]]

    def queryset(self, request, queryset):
        return queryset.filter(**{f"{self.related_field}_id": self.value()}) if self.value() else queryset


def related_filter(field_name, title):
    return type(f"{field_name.title()}Filter", (OrgRelatedFilter,),
                {"related_field": field_name, "parameter_name": f"{field_name}_id", "title": title})


class CompletenessFilter(admin.SimpleListFilter):
    title = "completeness"
    parameter_name = "completeness"
    RANGES = {"0-24": (0, 24), "25-49": (25, 49), "50-69": (50, 69), "70-99": (70, 99), "100": (100, 100)}

    def lookups(self, request, model_admin):
        return [(key, f"{low}–{high}%" if low != high else "100%") for key, (low, high) in self.RANGES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.RANGES:
            low, high = self.RANGES[self.value()]
            return queryset.filter(completeness__gte=low, completeness__lte=high)
        return queryset


class ValidationIssuesFilter(admin.SimpleListFilter):
    title = "validation issues"
    parameter_name = "has_issues"

    def lookups(self, request, model_admin):
        return [("yes", "Has issues"), ("no", "No issues")]

    def queryset(self, request, queryset):
        has_issues = Exists(ValidationIssue.objects.filter(product_id=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has_issues)
        if self.value() == "no":
            return queryset.exclude(has_issues)
        return queryset


def attribute_form_field(attribute, *, required):
    """A form field of the attribute's type (the typed widget of the product form)."""
    options = {"label": attribute.name + (" *" if required else ""), "required": False}
    if attribute.data_type == Attribute.DataType.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=6, **options)
    if attribute.data_type == Attribute.DataType.BOOLEAN:
        return forms.NullBooleanField(widget=forms.NullBooleanSelect, **options)
    if attribute.data_type == Attribute.DataType.SELECT:
        return forms.ChoiceField(choices=[("", "---------")] + [(o, o) for o in attribute.options], **options)
    return forms.CharField(**options)


def stream_products_csv(products, filename):
    """A CSV download of ``products`` (the PIM export's columns), streamed row by row."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    rows = (writer.writerow(row) for row in _with_header(products))
    response = StreamingHttpResponse(rows, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _with_header(products):
    yield EXPORT_COLUMNS
    yield from export_rows(products)
