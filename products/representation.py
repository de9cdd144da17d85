"""How a product reads on the REST surfaces: plain dicts built without a serializer per row, so a
500-row page renders in a few milliseconds. ``products.api.serializers`` documents the same shape."""

from pixeepim.api.formats import iso_utc, number

DECIMAL_FIELDS = ("price", "cost_price", "weight", "width", "height", "depth")


def product_json(product):
    return {
        "id": str(product.id),
        "ean": product.ean,
        "name": product.name,
        "barcode": product.barcode,
        "description": product.description,
        "short_description": product.short_description,
        "reference": product.reference,
        "supplier_id": _id(product.supplier_id),
        "brand_id": _id(product.brand_id),
        "category_id": _id(product.category_id),
        "template_id": _id(product.template_id),
        "asin": product.asin,
        "upc": product.upc,
        "gtin": product.gtin,
        "status": product.status,
        "is_active": product.is_active,
        **{name: number(getattr(product, name)) for name in DECIMAL_FIELDS},
        "unit_of_measure": product.unit_of_measure,
        "external_id": product.external_id,
        "url_slug": product.url_slug,
        "workflow_state": product.workflow_state,
        "completeness": product.completeness,
        "created_at": iso_utc(product.created_at),
        "updated_at": iso_utc(product.updated_at),
    }


def _id(value):
    return str(value) if value is not None else None
