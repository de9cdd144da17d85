"""The catalog manager's back-office. Products are written through the same services as the APIs;
every other catalog row through audited admin saves. Non-superusers see their organizations only."""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.utils.html import format_html

from pixeepim import events
from pixeepim.auth.actors import SYSTEM, Actor
from pixeepim.tenancy.models import Organization
from products.admin_support import (
    AuditedOrgAdmin,
    CappedCountPaginator,
    CompletenessFilter,
    OrgScopedInline,
    ValidationIssuesFilter,
    attribute_form_field,
    related_filter,
    stream_products_csv,
)
from products.models import (
    Attribute,
    AttributeGroup,
    AttributeValue,
    AuditEvent,
    Brand,
    CatalogJob,
    Category,
    Media,
    PriceList,
    Product,
    ProductPrice,
    ProductStock,
    Supplier,
    Template,
    TemplateAttribute,
    ValidationIssue,
    Variant,
    Warehouse,
)
from products.payload import PRODUCT_FIELDS
from products.selectors import product_search
from products.services import catalog
from products.services import products as product_services
from products.services.audit import event_row, record
from products.services.validation import refresh_validation_issues

REFERENCE_FORM_FIELDS = ("brand", "category", "supplier", "template")
ATTRIBUTE_PREFIX = "attribute__"


# --- Product form ------------------------------------------------------------------------------


def _plain(name, value):
    """A form value in the words of ``products.payload`` (what the API would have received)."""
    if isinstance(value, Decimal):
        return str(value)
    if value == "" and PRODUCT_FIELDS[name].empty is None:
        return None
    return value


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = "__all__"

    def product_payload(self, names):
        payload = {}
        for name in names:
            if name in PRODUCT_FIELDS and name in self.cleaned_data:
                payload[name] = _plain(name, self.cleaned_data[name])
            elif name in REFERENCE_FORM_FIELDS and name in self.cleaned_data:
                row = self.cleaned_data[name]
                payload[f"{name}_id"] = str(row.pk) if row else None
        return payload

    def payload_names(self):
        if self.instance._state.adding:
            return [*PRODUCT_FIELDS, *REFERENCE_FORM_FIELDS]
        return [n for n in self.changed_data if n in PRODUCT_FIELDS or n in REFERENCE_FORM_FIELDS]

    def clean(self):
        """Checks the change with the product services themselves (a dry run), so the admin
        refuses exactly what the APIs refuse: bad values, duplicate EANs, other organizations' rows."""
        data = super().clean()
        organization = data.get("organization") if self.instance._state.adding else self.instance.organization
        if self.errors or organization is None:
            return data
        payload = self.product_payload(self.payload_names())
        if not payload:
            return data
        adding = self.instance._state.adding
        (result,) = product_services.save_products(
            organization=organization, payloads=[payload], actor=SYSTEM, dry_run=True,
            mode=product_services.CREATE if adding else product_services.UPDATE,
            match_ids=None if adding else [self.instance.pk],
        )
        for name, errors in result.errors.items():
            field = name.removesuffix("_id")
            for error in errors:
                self.add_error(field if field in self.fields else None, error)
        return data


def _attribute_fields(product):
    """(attribute, required) pairs shown on the product's form: its template's, else the organization's."""
    if product.template_id:
        links = TemplateAttribute.objects.filter(template_id=product.template_id).select_related("attribute__group")
        return [(link.attribute, link.required) for link in links]
    attributes = Attribute.objects.for_org(product.organization_id).select_related("group")
    return [(attribute, False) for attribute in attributes]


# --- Inlines -----------------------------------------------------------------------------------


class VariantFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        skus = {}
        for form in self.forms:
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("sku"):
                skus[form.cleaned_data["sku"]] = form
        taken = Variant.objects.filter(organization_id=self.instance.organization_id, sku__in=list(skus))
        for variant in taken.exclude(product=self.instance) if self.instance.pk else taken:
            skus[variant.sku].add_error("sku", "Another product already has a variant with this SKU.")


class VariantInline(OrgScopedInline, admin.TabularInline):
    model = Variant
    formset = VariantFormSet
    fields = ["sku", "barcode", "price", "currency"]
    extra = 0


class MediaInline(OrgScopedInline, admin.TabularInline):
    model = Media
    fk_name = "product"
    fields = ["preview", "url", "alt", "position", "variant"]
    readonly_fields = ["preview"]
    extra = 0

    @admin.display(description="")
    def preview(self, media):
        return format_html('<img src="{}" alt="" style="height:48px">', media.url) if media.url else ""


class StockInline(OrgScopedInline, admin.TabularInline):
    model = ProductStock
    fields = ["warehouse", "quantity"]
    extra = 0


class PriceInline(OrgScopedInline, admin.TabularInline):
    model = ProductPrice
    fields = ["price_list", "price"]
    extra = 0
    verbose_name_plural = "channel prices"


# --- Product admin -----------------------------------------------------------------------------


@admin.register(Product)
class ProductAdmin(AuditedOrgAdmin):
    form = ProductForm
    list_display = ["thumbnail", "ean", "name", "brand", "category", "status", "workflow_state", "completeness_bar"]
    list_display_links = ["ean", "name"]
    list_filter = [related_filter("brand", "brand"), related_filter("category", "category"),
                   related_filter("supplier", "supplier"), "status", "workflow_state", CompletenessFilter,
                   ValidationIssuesFilter]
    search_fields = ["ean", "name", "reference"]
    search_help_text = "EAN, name or reference"
    list_select_related = ["brand", "category"]
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    autocomplete_fields = ["brand", "category", "supplier"]
    readonly_fields = ["workflow_state", "completeness", "created_at", "updated_at"]
    inlines = [VariantInline, MediaInline, StockInline, PriceInline]
    actions = ["activate", "deactivate", "assign_category", "export_selection"]
    base_fieldsets = [
        (None, {"fields": ["organization", "name", "ean", "reference", "status"]}),
        ("Classification", {"fields": ["brand", "category", "supplier", "template"]}),
        ("Content", {"fields": ["description", "short_description"]}),
        ("Prices and logistics", {"fields": ["price", "cost_price", "weight", "width", "height", "depth",
                                             "unit_of_measure"]}),
        ("Identifiers", {"fields": ["barcode", "gtin", "upc", "asin", "external_id", "url_slug"],
                         "classes": ["collapse"]}),
        ("Publication", {"fields": ["workflow_state", "completeness", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        first_image = Media.objects.filter(product=OuterRef("pk")).order_by("position", "created_at").values("url")[:1]
        return super().get_queryset(request).live().annotate(thumbnail_url=Subquery(first_image))

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "organization"] if obj else self.readonly_fields

    def get_search_results(self, request, queryset, search_term):
        # The whole phrase, as the APIs' search: splitting it into words that each match most of
        # the catalog ("modèle", "4242") makes 100,000-row scans for no better result.
        term = search_term.strip()
        return (queryset.filter(product_search(term)) if term else queryset), False

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(self.base_fieldsets)
        if obj is None:
            return fieldsets
        groups = {}
        for attribute, _required in _attribute_fields(obj):
            title = f"Attributes — {attribute.group.name}" if attribute.group else "Attributes"
            groups.setdefault(title, []).append(f"{ATTRIBUTE_PREFIX}{attribute.id}")
        return fieldsets[:3] + [(title, {"fields": names}) for title, names in groups.items()] + fieldsets[3:]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return super().get_form(request, obj, change=change, **kwargs)
        attributes = _attribute_fields(obj)
        values = {v.attribute_id: v.value for v in AttributeValue.objects.filter(product=obj, variant__isnull=True)
                  .select_related("attribute")}
        declared = {f"{ATTRIBUTE_PREFIX}{a.id}": attribute_form_field(a, required=r) for a, r in attributes}
        for attribute, _required in attributes:
            declared[f"{ATTRIBUTE_PREFIX}{attribute.id}"].initial = values.get(attribute.id)
        form_class = type("ProductAttributesForm", (self.form,), declared)
        form_class.attribute_objects = {f"{ATTRIBUTE_PREFIX}{a.id}": a for a, _r in attributes}
        kwargs["form"] = form_class
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="")
    def thumbnail(self, product):
        if not product.thumbnail_url:
            return ""
        return format_html('<img src="{}" alt="" style="height:40px;width:40px;object-fit:contain">',
                           product.thumbnail_url)

    @admin.display(description="completeness", ordering="completeness")
    def completeness_bar(self, product):
        color = "#2e7d32" if product.completeness >= 70 else "#ef6c00" if product.completeness >= 40 else "#c62828"
        return format_html(
            '<div title="{}%" style="display:flex;align-items:center;gap:6px">'
            '<div style="width:100px;background:#e0e0e0;border-radius:3px">'
            '<div style="width:{}px;background:{};height:10px;border-radius:3px"></div></div>'
            '<span>{}%</span></div>',
            product.completeness, product.completeness, color, product.completeness,
        )

    # Saving goes through the product services, as the APIs do.

    def save_model(self, request, obj, form, change):
        actor = Actor.of(request.user)
        payload = form.product_payload(form.payload_names())
        if change:
            if payload:
                product_services.update_product(product=obj, data=payload, actor=actor)
        else:
            created = product_services.create_product(organization=form.cleaned_data["organization"], data=payload,
                                                      actor=actor)
            # The inlines are saved next, against the product the service created.
            obj.pk, obj._state.adding = created.pk, False
        attribute_values = {attribute: form.cleaned_data.get(name)
                            for name, attribute in getattr(form, "attribute_objects", {}).items()
                            if name in form.changed_data}
        if attribute_values:
            catalog.set_attribute_values(product=obj, values=attribute_values, actor=actor)

    def save_formset(self, request, form, formset, change):
        """Inline rows join the product's organization, and every change is audited."""
        product = form.instance
        actor = Actor.of(request.user)
        changes = []
        instances = formset.save(commit=False)
        for row in formset.deleted_objects:
            changes.append(self._inline_event(product, actor, row, "deleted"))
            row.delete()
        for row in instances:
            row.organization_id = product.organization_id
            verb = "added" if row._state.adding else "changed"
            row.save()
            changes.append(self._inline_event(product, actor, row, verb))
        formset.save_m2m()
        record(changes)
        if changes:
            refresh_validation_issues([Product.objects.get(pk=product.pk).as_row()])
            events.emit("products.written", organization=product.organization, product_ids=[product.pk])

    def _inline_event(self, product, actor, row, verb):
        name = row._meta.model_name
        return event_row(organization=product.organization, actor=actor, action=f"product.{name}_{verb}",
                         entity_type="product", entity_id=product.pk, after={name: str(row)})

    def delete_model(self, request, obj):
        product_services.delete_product(product=obj, actor=Actor.of(request.user))

    def delete_queryset(self, request, queryset):
        for organization, ids in products_by_org(queryset).items():
            product_services.delete_products(organization=organization, product_ids=ids, actor=Actor.of(request.user))

    def history_view(self, request, object_id, extra_context=None):
        product = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, product):
            raise PermissionDenied
        events = AuditEvent.objects.filter(entity_type="product", entity_id=str(product.pk)).order_by("-created_at", "-id")
        return TemplateResponse(request, "admin/products/product/audit_history.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "object": product, "events": events[:500],
            "title": f"History of {product}",
        })

    # Bulk actions

    def _set_status(self, request, queryset, status):
        actor = Actor.of(request.user)
        count = 0
        with transaction.atomic():
            for organization, ids in products_by_org(queryset).items():
                results = product_services.save_products(
                    organization=organization, payloads=[{"status": status}] * len(ids), actor=actor,
                    mode=product_services.UPDATE, match_ids=ids)
                count += sum(r.status == "updated" for r in results)
        self.message_user(request, f"{count} product(s) set to {status}.", messages.SUCCESS)

    @admin.action(description="Activate selected products", permissions=["change"])
    def activate(self, request, queryset):
        self._set_status(request, queryset, Product.Status.ACTIVE)

    @admin.action(description="Deactivate selected products", permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_status(request, queryset, Product.Status.INACTIVE)

    @admin.action(description="Assign a category to selected products", permissions=["change"])
    def assign_category(self, request, queryset):
        organizations = set(queryset.order_by().values_list("organization_id", flat=True))
        if len(organizations) != 1:
            self.message_user(request, "Select products of one organization to assign a category.", messages.ERROR)
            return None
        (organization_id,) = organizations
        choices = Category.objects.filter(organization_id=organization_id)
        form = AssignCategoryForm(request.POST if "apply" in request.POST else None, categories=choices)
        if form.is_valid():
            category = form.cleaned_data["category"]
            ids = list(queryset.values_list("pk", flat=True))
            product_services.save_products(
                organization=category.organization, payloads=[{"category_id": str(category.pk)}] * len(ids),
                actor=Actor.of(request.user), mode=product_services.UPDATE, match_ids=ids)
            self.message_user(request, f"{len(ids)} product(s) moved to {category}.", messages.SUCCESS)
            return None
        return render(request, "admin/products/product/assign_category.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "products": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME, "title": "Assign a category",
        })

    @admin.action(description="Export selected products (CSV)")
    def export_selection(self, request, queryset):
        return stream_products_csv(queryset.order_by("created_at", "pk"), "products.csv")


def products_by_org(queryset):
    """``{organization: [product ids]}`` of the selected products (actions run per organization)."""
    ids = {}
    for organization_id, pk in queryset.order_by().values_list("organization_id", "pk"):
        ids.setdefault(organization_id, []).append(pk)
    organizations = Organization.objects.in_bulk(list(ids))
    return {organizations[org_id]: pks for org_id, pks in ids.items()}


class AssignCategoryForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.none())

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


# --- Taxonomy, attributes and the rest ---------------------------------------------------------


@admin.register(Brand)
class BrandAdmin(AuditedOrgAdmin):
    list_display = ["name", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(Category)
class CategoryAdmin(AuditedOrgAdmin):
    list_display = ["name", "slug", "parent", "organization"]
    list_filter = ["organization"]
    list_select_related = ["parent", "organization"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Supplier)
class SupplierAdmin(AuditedOrgAdmin):
    list_display = ["code", "name", "organization"]
    list_filter = ["organization"]
    search_fields = ["code", "name"]


@admin.register(AttributeGroup)
class AttributeGroupAdmin(AuditedOrgAdmin):
    list_display = ["name", "code", "position", "organization"]
    search_fields = ["name", "code"]


@admin.register(Attribute)
class AttributeAdmin(AuditedOrgAdmin):
    list_display = ["name", "code", "data_type", "group", "organization"]
    list_filter = ["data_type", "organization"]
    list_select_related = ["group", "organization"]
    search_fields = ["name", "code"]


class TemplateAttributeInline(OrgScopedInline, admin.TabularInline):
    model = TemplateAttribute
    fields = ["attribute", "required", "position"]
    extra = 1


@admin.register(Template)
class TemplateAdmin(AuditedOrgAdmin):
    list_display = ["name", "organization", "created_at"]
    search_fields = ["name"]
    inlines = [TemplateAttributeInline]


@admin.register(Warehouse)
class WarehouseAdmin(AuditedOrgAdmin):
    list_display = ["code", "name", "organization"]
    search_fields = ["code", "name"]


@admin.register(PriceList)
class PriceListAdmin(AuditedOrgAdmin):
    list_display = ["name", "channel", "currency", "organization"]
    search_fields = ["name", "channel"]


class ReadOnlyOrgAdmin(AuditedOrgAdmin):
    """Rows written by the system, listed for reading."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ValidationIssue)
class ValidationIssueAdmin(ReadOnlyOrgAdmin):
    list_display = ["product", "code", "field", "message", "created_at"]
    list_filter = ["code"]
    list_select_related = ["product"]
    paginator = CappedCountPaginator
    show_full_result_count = False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyOrgAdmin):
    list_display = ["created_at", "action", "entity_type", "entity_id", "actor_label"]
    list_filter = ["action", "entity_type"]
    search_fields = ["entity_id", "actor_label"]
    paginator = CappedCountPaginator
    show_full_result_count = False


@admin.register(CatalogJob)
class CatalogJobAdmin(ReadOnlyOrgAdmin):
    list_display = ["created_at", "job_type", "status", "processed", "total", "failed", "organization"]
    list_filter = ["job_type", "status"]
