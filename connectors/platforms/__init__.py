"""One adapter per platform; this registry is how the rest of the app finds them."""

from connectors.platforms.bigcommerce import BigCommerceAdapter
from connectors.platforms.shopify import ShopifyAdapter
from connectors.sync_base.transport import Transport

ADAPTERS = {adapter.slug: adapter for adapter in (ShopifyAdapter, BigCommerceAdapter)}


def adapter_for(connector):
    """The connector's adapter, with a fresh guarded transport (one per job or connection test)."""
    adapter_class = ADAPTERS[connector.platform]
    return adapter_class(connector, Transport(host_patterns=adapter_class.host_patterns))
