"""Domain events: how a lower layer tells higher ones what happened without importing them.

``emit`` calls the handlers subscribed to an event synchronously, inside the caller's transaction,
so what they write commits or rolls back with the change itself. Handlers are registered by each
app's ``AppConfig.ready`` with ``subscribe``; events carry plain values (ids, names), never requests.

Events in use:
- ``products.written`` (organization, product_ids): products were created or changed.
- ``product.transitioned`` (organization, transitions): workflow transitions were recorded.
"""

from collections import defaultdict

_handlers = defaultdict(list)


def subscribe(event, handler):
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def emit(event, **payload):
    for handler in _handlers[event]:
        handler(**payload)
