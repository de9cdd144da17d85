"""OpenAPI descriptions of the External API's bodies (rendering itself is in representation.py)."""

from rest_framework import serializers


class ExtMetaSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    updated_at = serializers.DateTimeField(help_text="For lists: the last item's updated_at (where to poll from).")


class ExtProductSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    ean = serializers.CharField()
    title = serializers.CharField()
    brand_name = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    short_description = serializers.CharField(allow_null=True)
    reference = serializers.CharField(allow_null=True)
    supplier_code = serializers.CharField(allow_null=True)
    category_id = serializers.UUIDField(allow_null=True)
    asin = serializers.CharField(allow_null=True)
    upc = serializers.CharField(allow_null=True)
    gtin = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["active", "inactive", "archived"])
    is_active = serializers.BooleanField()
    weight = serializers.FloatField(allow_null=True)
    width = serializers.FloatField(allow_null=True)
    height = serializers.FloatField(allow_null=True)
    depth = serializers.FloatField(allow_null=True)
    unit_of_measure = serializers.CharField(allow_null=True)
    external_id = serializers.CharField(allow_null=True)
    url_slug = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


def envelope_of(name, data_field):
    """A serializer class for the envelope around ``data_field``."""
    return type(name, (serializers.Serializer,), {
        "success": serializers.BooleanField(),
        "data": data_field,
        "meta": ExtMetaSerializer(),
        "errors": serializers.ListField(child=serializers.CharField()),
    })


class ExtStatusSerializer(serializers.Serializer):
    status = serializers.CharField()
    version = serializers.CharField()
    api_key_name = serializers.CharField()
    api_key_scopes = serializers.ListField(child=serializers.CharField())
    timestamp = serializers.DateTimeField()


class ExtUpsertSerializer(serializers.Serializer):
    created = serializers.BooleanField()
    ean = serializers.CharField()
    id = serializers.UUIDField()
    product = ExtProductSerializer()


class ExtBatchItemSerializer(serializers.Serializer):
    ean = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "updated", "error"])
    id = serializers.UUIDField(required=False)
    errors = serializers.ListField(child=serializers.CharField(), required=False)


class ExtBatchSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = serializers.IntegerField()
    results = ExtBatchItemSerializer(many=True)


ErrorEnvelope = envelope_of("ExtErrorEnvelope", serializers.JSONField(allow_null=True))
ProductEnvelope = envelope_of("ExtProductEnvelope", ExtProductSerializer())
ProductListEnvelope = envelope_of("ExtProductListEnvelope", ExtProductSerializer(many=True))
StatusEnvelope = envelope_of("ExtStatusEnvelope", ExtStatusSerializer())
UpsertEnvelope = envelope_of("ExtUpsertEnvelope", ExtUpsertSerializer())
BatchEnvelope = envelope_of("ExtBatchEnvelope", ExtBatchSerializer())
