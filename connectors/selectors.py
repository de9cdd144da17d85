"""Reads of the connectors domain: what a sync sends, and the figures a connector shows."""

from django.db.models import Exists, OuterRef, Q

from connectors.models import RemoteProduct
from connectors.sync_base.adapter import ProductSnapshot, VariantSnapshot
from products.models import PriceList, Product, ProductPrice, Variant


def push_candidates(connector, product_ids=None):
    """The products a push sends (contract §8): published and active ones, or — when the caller
    named products — the named ones that are published."""
    products = Product.objects.for_org(connector.organization).live().filter(
        workflow_state=Product.WorkflowState.PUBLISHED
    )
    if product_ids is None:
        return products.filter(status=Product.Status.ACTIVE)
    return products.filter(id__in=product_ids)


def named_products(connector, product_ids):
    """{product id (str): workflow state} of the named products that exist in the organization."""
    rows = Product.objects.for_org(connector.organization).live().filter(id__in=product_ids)
    return {str(pk): state for pk, state in rows.values_list("id", "workflow_state")}


def mapped_products(connector):
    """The connector's links to products still in the catalog (what stock and price pushes update)."""
    return RemoteProduct.objects.filter(connector=connector, product__deleted_at__isnull=True)


def price_list_for(connector):
    """The price list of the connector's sales channel, if the organization has one."""
    return (PriceList.objects.for_org(connector.organization).filter(channel=connector.price_channel)
            .order_by("created_at").first())


def product_snapshots(products, price_list):
    """Snapshots of a chunk of products (3 queries whatever the chunk's size).

    The price is the channel price of ``price_list`` when it has one for the product, else the
    base price; a channel price applies to every variant, else a variant keeps its own price."""
    ids = [p.id for p in products]
    channel_prices = {}
    if price_list is not None:
        channel_prices = dict(ProductPrice.objects.filter(price_list=price_list, product_id__in=ids)
                              .values_list("product_id", "price"))
    variants = {}
    for variant in Variant.objects.filter(product_id__in=ids).order_by("created_at", "id"):
        variants.setdefault(variant.product_id, []).append(variant)
    snapshots = []
    for product in products:
        channel_price = channel_prices.get(product.id)
        price = channel_price if channel_price is not None else product.price
        snapshots.append(ProductSnapshot(
            id=product.id, name=product.name, description=product.description, ean=product.ean,
            reference=product.reference, brand=product.brand.name if product.brand_id else "",
            category=product.category.name if product.category_id else "", status=product.status,
            price=price, weight=product.weight, upc=product.upc, gtin=product.gtin,
            variants=tuple(
                VariantSnapshot(v.sku, v.barcode, channel_price if channel_price is not None else v.price)
                for v in variants.get(product.id, ())
            ),
        ))
    return snapshots


def sync_stats(connector, *, last_error=None):
    """``products_synced`` (linked to a platform product), ``products_pending`` (published and active
    products never pushed or changed since their last push) and the last job's error."""
    pushed_since_change = RemoteProduct.objects.filter(
        connector=connector, product=OuterRef("pk"), pushed_at__gte=OuterRef("updated_at")
    )
    pending = push_candidates(connector).filter(~Exists(pushed_since_change)).count()
    synced = mapped_products(connector).filter(Q(pushed_at__isnull=False) | Q(pulled_at__isnull=False)).count()
    return {"products_synced": synced, "products_pending": pending, "last_error": last_error}
