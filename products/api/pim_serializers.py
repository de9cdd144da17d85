"""Serializers of the tenant PIM surface (seed 004). Bodies are checked here; rows referenced by id
are looked up in the request's organization only (``context["organization"]``)."""

from decimal import Decimal

from rest_framework import serializers

from pixeepim.api.formats import iso_utc

from products.currencies import ISO_4217
from products.services.catalog import parse_attribute_values
from products.models import (
    Attribute,
    AttributeGroup,
    AuditEvent,
    Brand,
    CatalogJob,
    Category,
    Media,
    Product,
    Template,
    ValidationIssue,
    Variant,
)


class OrgRowField(serializers.PrimaryKeyRelatedField):
    """A UUID naming a row of the request's organization; others read as "does not exist"."""

    def get_queryset(self):
        return self.queryset.model.objects.for_org(self.context["organization"])


# --- Products ----------------------------------------------------------------------------------


class PimProductSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="name")
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "title", "description", "category", "brand_id", "ean", "reference", "price", "status",
                  "workflow_state", "completeness", "created_at", "updated_at"]

    def get_status(self, product) -> str:
        return product.status.upper()


class PimProductInput(serializers.Serializer):
    """POST and PUT body: title, description and category slug (seed 004), plus common identifiers."""

    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.SlugField(required=False, allow_null=True, help_text="Category slug.")
    ean = serializers.CharField(required=False, allow_null=True)
    reference = serializers.CharField(required=False, allow_blank=True)
    price = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True, coerce_to_string=False)
    brand_id = serializers.UUIDField(required=False, allow_null=True)

    def to_product_payload(self, *, organization):
        """The body in the words of ``products.payload`` (title → name, category slug → category_id)."""
        data = dict(self.initial_data)
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        payload = {("name" if key == "title" else key): value for key, value in data.items() if key != "category"}
        if "category" in data:
            slug = data["category"]
            category = Category.objects.for_org(organization).filter(slug=slug).first() if slug else None
            if slug and category is None:
                raise serializers.ValidationError({"category": [f"No category with slug '{slug}'."]})
            payload["category_id"] = str(category.id) if category else None
        if "price" in payload and payload["price"] is not None:
            payload["price"] = str(payload["price"])
        return payload


class VariantSerializer(serializers.ModelSerializer):
    currency = serializers.CharField(default="EUR", help_text="ISO 4217 code, e.g. USD.")
    price = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True,
                                     coerce_to_string=False)
    attributes = serializers.DictField(required=False, help_text="Attribute values by attribute code, e.g. "
                                       '{"color": "red", "size": "M"}; typed as each attribute is.')

    class Meta:
        model = Variant
        fields = ["id", "product_id", "sku", "barcode", "price", "currency", "attributes", "created_at", "updated_at"]
        read_only_fields = ["id", "product_id", "created_at", "updated_at"]
        extra_kwargs = {"sku": {"validators": []}}

    def validate_currency(self, value):
        value = value.upper()
        if value not in ISO_4217:
            raise serializers.ValidationError(f"'{value}' is not an ISO 4217 currency code.")
        return value

    def validate_attributes(self, raw):
        values, errors = parse_attribute_values(organization=self.context["organization"], raw=raw)
        if errors:
            raise serializers.ValidationError([f"{key.removeprefix('attributes.')}: {msgs[0]}" for key, msgs in errors.items()])
        return values

    def to_representation(self, variant):
        body = super().to_representation(variant)
        body["attributes"] = {value.attribute.code: _json(value.value) for value in variant.attribute_values.all()}
        return body


def _json(value):
    return float(value) if isinstance(value, Decimal) else value


# --- Taxonomy ----------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    parent_id = OrgRowField(source="parent", queryset=Category.objects, required=False, allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "parent_id", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"description": {"required": False}}


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name", "description", "logo_url", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"description": {"required": False}, "logo_url": {"required": False}}


class AttributeGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = AttributeGroup
        fields = ["id", "name", "code", "position", "created_at"]
        read_only_fields = ["id", "created_at"]


class AttributeSerializer(serializers.ModelSerializer):
    group_id = OrgRowField(source="group", queryset=AttributeGroup.objects, required=False, allow_null=True)
    options = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list)

    class Meta:
        model = Attribute
        fields = ["id", "name", "code", "data_type", "options", "group_id", "position", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate(self, data):
        is_select = data.get("data_type", Attribute.DataType.TEXT) == Attribute.DataType.SELECT
        if is_select and not data.get("options"):
            raise serializers.ValidationError({"options": ["A SELECT attribute needs at least one option."]})
        if not is_select and data.get("options"):
            raise serializers.ValidationError({"options": ["Only SELECT attributes have options."]})
        if len(set(data.get("options", []))) != len(data.get("options", [])):
            raise serializers.ValidationError({"options": ["Options must be distinct."]})
        return data


class TemplateAttributeInput(serializers.Serializer):
    attribute_id = OrgRowField(queryset=Attribute.objects)
    required = serializers.BooleanField(default=False)


class TemplateSerializer(serializers.ModelSerializer):
    attributes = TemplateAttributeInput(many=True, required=False, source="template_attributes")

    class Meta:
        model = Template
        fields = ["id", "name", "description", "attributes", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"description": {"required": False}}

    def validate_attributes(self, links):
        ids = [link["attribute_id"].id for link in links]
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError("An attribute may appear once per template.")
        return links

    def to_representation(self, template):
        return {
            "id": str(template.id),
            "name": template.name,
            "description": template.description,
            "attributes": [
                {"attribute_id": str(link.attribute_id), "required": link.required}
                for link in template.template_attributes.all()
            ],
            "created_at": iso_utc(template.created_at),
        }


class MediaSerializer(serializers.ModelSerializer):
    product_id = OrgRowField(source="product", queryset=Product.objects, required=False, allow_null=True)
    variant_id = OrgRowField(source="variant", queryset=Variant.objects, required=False, allow_null=True)

    class Meta:
        model = Media
        fields = ["id", "url", "product_id", "variant_id", "alt", "position", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate(self, data):
        product, variant = data.get("product"), data.get("variant")
        if product is None and variant is None:
            raise serializers.ValidationError({"product_id": ["Give product_id or variant_id."]})
        if product is not None and product.deleted_at is not None:
            raise serializers.ValidationError({"product_id": ["Invalid pk - object does not exist."]})
        if product is not None and variant is not None and variant.product_id != product.id:
            raise serializers.ValidationError({"variant_id": ["This variant belongs to another product."]})
        return data


# --- Reads: stats, jobs, issues, audit ---------------------------------------------------------


class StatsSerializer(serializers.Serializer):
    products = serializers.IntegerField()
    active_products = serializers.IntegerField()
    variants = serializers.IntegerField()
    brands = serializers.IntegerField()
    categories = serializers.IntegerField()
    attributes = serializers.IntegerField()
    templates = serializers.IntegerField()
    media = serializers.IntegerField()
    validation_issues = serializers.IntegerField()
    products_by_workflow_state = serializers.DictField(child=serializers.IntegerField())
    average_completeness = serializers.FloatField()


class CatalogJobSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="job_type")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = CatalogJob
        fields = ["id", "type", "status", "total", "processed", "failed", "errors", "download_url", "created_at",
                  "started_at", "finished_at"]

    def get_download_url(self, job) -> str | None:
        if job.job_type != CatalogJob.Type.EXPORT or not job.file:
            return None
        return f"/api/v1/pim/export/{job.id}/download"


class BulkJobInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=[CatalogJob.Type.BULK_UPDATE, CatalogJob.Type.BULK_DELETE])
    payload = serializers.DictField(help_text='{"product_ids": [...], "changes": {...}} (changes: BULK_UPDATE only).')


class ValidationIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = ValidationIssue
        fields = ["id", "product_id", "code", "field", "message", "created_at"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = AuditEvent
        fields = ["id", "action", "entity_type", "entity_id", "actor", "before", "after", "created_at"]
