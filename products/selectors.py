"""Reads of the catalog."""

from collections import defaultdict

from django.db.models import Q

from products.models import AttributeValue, Product, TemplateAttribute

PRODUCT_SORTS = ("created_at", "name", "price")


def product_search(term):
    """What ``search`` matches, on every surface: the phrase within the name, EAN or reference.

    (Served by the trigram indexes on PostgreSQL; see migration 0002.)"""
    return Q(name__icontains=term) | Q(ean__icontains=term) | Q(reference__icontains=term)


def product_list(*, organization, search=None, is_active=None, supplier_id=None, sort_by="created_at",
                 sort_order="desc"):
    """Live products of an organization, filtered and sorted as the Products API offers."""
    queryset = Product.objects.for_org(organization).live()
    if search:
        queryset = queryset.filter(product_search(search))
    if is_active is not None:
        queryset = queryset.filter(status=Product.Status.ACTIVE) if is_active else queryset.exclude(status=Product.Status.ACTIVE)
    if supplier_id is not None:
        queryset = queryset.filter(supplier_id=supplier_id)
    direction = "-" if sort_order == "desc" else ""
    return queryset.order_by(f"{direction}{sort_by}", f"{direction}id")


def template_requirements(products, *, new=False):
    """For product rows (``id``, ``template_id``): ``(required, filled)`` where ``required`` maps a
    template id to its required attributes and ``filled`` holds the ``(product id, attribute id)``
    pairs that have a value. Two queries at most, for any number of products; ``new`` products have
    no values yet, so the second is skipped."""
    template_ids = {p["template_id"] for p in products if p["template_id"]}
    required, filled = defaultdict(list), set()
    if not template_ids:
        return required, filled
    for link in TemplateAttribute.objects.filter(template_id__in=template_ids, required=True).select_related("attribute"):
        required[link.template_id].append(link.attribute)
    if not new:
        values = AttributeValue.objects.filter(
            product_id__any=[p["id"] for p in products], variant__isnull=True,
        ).values_list("product_id", "attribute_id", "value_text", "value_number", "value_boolean")
        # Only the column of the attribute's type is ever set, so any set column means filled.
        filled = {(product_id, attribute_id) for product_id, attribute_id, text, number, boolean in values
                  if text or number is not None or boolean is not None}
    return required, filled
