"""How a product reads on the External API: the seed's field names (``title``, ``brand_name``,
``supplier_code``), built from plain rows so a 500-product page renders in milliseconds."""

from pixeepim.api.formats import iso_utc, number
from products.models import Product

# Columns read for a product (values() names), including the joined brand name and supplier code.
COLUMNS = [
    "id", "ean", "name", "brand__name", "description", "short_description", "reference", "supplier__code",
    "category_id", "asin", "upc", "gtin", "status", "weight", "width", "height", "depth", "unit_of_measure",
    "external_id", "url_slug", "created_at", "updated_at",
]


def _text(value):
    return value or None  # an empty optional text reads as null, as PUT documents


def ext_product(row):
    return {
        "id": str(row["id"]),
        "ean": row["ean"],
        "title": row["name"],
        "brand_name": row["brand__name"],
        "description": _text(row["description"]),
        "short_description": _text(row["short_description"]),
        "reference": _text(row["reference"]),
        "supplier_code": row["supplier__code"],
        "category_id": str(row["category_id"]) if row["category_id"] else None,
        "asin": _text(row["asin"]),
        "upc": _text(row["upc"]),
        "gtin": _text(row["gtin"]),
        "status": row["status"],
        "is_active": row["status"] == Product.Status.ACTIVE,
        "weight": number(row["weight"]),
        "width": number(row["width"]),
        "height": number(row["height"]),
        "depth": number(row["depth"]),
        "unit_of_measure": _text(row["unit_of_measure"]),
        "external_id": _text(row["external_id"]),
        "url_slug": row["url_slug"],
        "created_at": iso_utc(row["created_at"]),
        "updated_at": iso_utc(row["updated_at"]),
    }


def product_rows(queryset):
    return queryset.values(*COLUMNS)
