"""Reads of the catalog."""

from django.db.models import Q

from products.models import Product

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
