"""Serializers of the catalog surfaces.

Product bodies are checked by ``products.payload`` and rendered by ``products.representation``
(both fast paths); the serializers here parse query strings and envelopes, and describe product
bodies in the OpenAPI schema from the same field declarations.
"""

from rest_framework import serializers

from products.models import Product
from products.payload import ALIAS_FIELDS, PRODUCT_FIELDS, REFERENCE_FIELDS, REFERENCE_SPEC
from products.selectors import PRODUCT_SORTS

_DECIMAL = {"price", "cost_price", "weight", "width", "height", "depth"}
_CHOICES = {"status": Product.Status, "unit_of_measure": Product.UnitOfMeasure}


def _schema_field(name, spec, *, required=False):
    common = {"required": required, "help_text": spec.description, "allow_null": not required}
    if name in _DECIMAL:
        return serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False, **common)
    if name in _CHOICES:
        return serializers.ChoiceField(choices=_CHOICES[name].choices, **common)
    if name == "is_active":
        return serializers.BooleanField(**common)
    if spec is REFERENCE_SPEC:
        return serializers.UUIDField(**common)
    return serializers.CharField(**common)


def product_input_serializer(component_name, *, fields=None, required=()):
    """A serializer class describing a product write body (for the schema only)."""
    specs = {**PRODUCT_FIELDS, **{name: REFERENCE_SPEC for name in REFERENCE_FIELDS}, **ALIAS_FIELDS}
    names = fields or list(specs)
    attrs = {name: _schema_field(name, specs[name], required=name in required) for name in names}
    return type(component_name, (serializers.Serializer,), attrs)


class ProductSerializer(serializers.Serializer):
    """A product as the Products API returns it (rendered by ``products.representation.product_json``)."""

    id = serializers.UUIDField()
    ean = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    barcode = serializers.CharField()
    description = serializers.CharField()
    short_description = serializers.CharField()
    reference = serializers.CharField()
    supplier_id = serializers.UUIDField(allow_null=True)
    brand_id = serializers.UUIDField(allow_null=True)
    category_id = serializers.UUIDField(allow_null=True)
    template_id = serializers.UUIDField(allow_null=True)
    asin = serializers.CharField()
    upc = serializers.CharField()
    gtin = serializers.CharField()
    status = serializers.ChoiceField(choices=Product.Status.choices)
    is_active = serializers.BooleanField()
    price = serializers.FloatField(allow_null=True)
    cost_price = serializers.FloatField(allow_null=True)
    weight = serializers.FloatField(allow_null=True)
    width = serializers.FloatField(allow_null=True)
    height = serializers.FloatField(allow_null=True)
    depth = serializers.FloatField(allow_null=True)
    unit_of_measure = serializers.CharField()
    external_id = serializers.CharField()
    url_slug = serializers.CharField(allow_null=True)
    workflow_state = serializers.ChoiceField(choices=Product.WorkflowState.choices)
    completeness = serializers.IntegerField(min_value=0, max_value=100)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProductListQuery(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=200, help_text="Matches name, EAN or reference/SKU.")
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    supplier_id = serializers.UUIDField(required=False)
    sort_by = serializers.ChoiceField(choices=PRODUCT_SORTS, default="created_at")
    sort_order = serializers.ChoiceField(choices=["asc", "desc"], default="desc")


class ProductBatchField(serializers.ListField):
    """A list of product objects, taken as they are: ``products.payload`` checks each item, so the
    field only checks the list itself (no serializer pass per item)."""

    def __init__(self, *, max_length, **kwargs):
        super().__init__(allow_empty=False, max_length=max_length, child=serializers.DictField(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if not data:
            self.fail("empty")
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return data


class BulkCreateSerializer(serializers.Serializer):
    products = ProductBatchField(max_length=1000, help_text="Up to 1,000 product objects.")
    supplier_code = serializers.CharField(required=False, max_length=50)
    skip_duplicates = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)


class BulkUpdateSerializer(serializers.Serializer):
    products = ProductBatchField(max_length=1000, help_text="Objects with `ean` and the fields to change.")
    skip_not_found = serializers.BooleanField(default=False)
    dry_run = serializers.BooleanField(default=False)


class ItemResultSerializer(serializers.Serializer):
    ean = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "updated", "skipped", "error"])
    id = serializers.UUIDField(required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class BulkCreateResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    skipped = serializers.IntegerField()
    errors = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    results = ItemResultSerializer(many=True)


class BulkUpdateResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    skipped = serializers.IntegerField()
    errors = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    results = ItemResultSerializer(many=True)
