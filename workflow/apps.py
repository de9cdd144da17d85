from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Publication workflow"

    def ready(self):
        from pixeepim import events
        from workflow import services

        # Every product write keeps completeness current (and may send a published product back).
        events.subscribe("products.saving", services.on_products_saving)
        events.subscribe("products.written", services.on_products_written)
