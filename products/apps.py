from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = "Catalog"

    def ready(self):
        from pixeepim import events
        from products.services import audit

        events.subscribe("product.transitioned", audit.record_transitions)
