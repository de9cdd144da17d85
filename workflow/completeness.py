"""Completeness: the share of a product's required items that are filled (0–100, contract §8).

Required items come from the product's template (its required attributes); a product without a
template needs the eight default items below. Computed set-based — a constant number of queries
for any number of products. ``workflow.services`` stores it and keeps it current on every product
write (the ``products.written`` event).
"""

from products.models import Media, Product
from products.selectors import template_requirements

DEFAULT_ITEMS = {
    "name": "name",
    "ean": "EAN",
    "brand_id": "brand",
    "category_id": "category",
    "description": "description",
    "price": "price",
    "weight": "weight",
}
IMAGE = "at least one image"
COLUMNS = ["id", "organization_id", "template_id", "workflow_state", "completeness", *DEFAULT_ITEMS]


def evaluate(rows, *, new=False):
    """``{product id: (completeness, [missing item labels])}`` for product rows (``COLUMNS``).

    ``new``: the products are being created, so they have no attribute values or media yet."""
    if not rows:
        return {}
    ids = [row["id"] for row in rows]
    required, filled = template_requirements(rows, new=new)
    with_images = set()
    if not new and any(not row["template_id"] for row in rows):
        with_images = set(Media.objects.filter(product_id__any=ids).values_list("product_id", flat=True).distinct())
    results = {}
    for row in rows:
        if row["template_id"]:
            items = [(a.name, (row["id"], a.id) in filled) for a in required[row["template_id"]]]
        else:
            items = [(label, row[name] not in (None, "")) for name, label in DEFAULT_ITEMS.items()]
            items.append((IMAGE, row["id"] in with_images))
        missing = [label for label, ok in items if not ok]
        # Rounded down: a product is never shown as more complete than it is.
        score = 100 if not items else 100 * (len(items) - len(missing)) // len(items)
        results[row["id"]] = (score, missing)
    return results


def product_rows(product_ids):
    return list(Product.objects.filter(id__any=product_ids).values(*COLUMNS))
