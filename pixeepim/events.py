"""Domain events: how a lower layer tells higher ones what happened without importing them.

``emit`` calls the handlers subscribed to an event synchronously, inside the caller's transaction,
so what they write commits or rolls back with the change itself, and returns what they returned.
Handlers are registered by each app's ``AppConfig.ready`` with ``subscribe``; events carry plain
values (ids, rows), never requests.

Events in use:
- ``products.saving`` (organization, created, updated): product rows about to be written in a
  batch; handlers may fill derived columns of the rows and return a callable to run once they are
  written.
- ``products.written`` (organization, product_ids): content a product's completeness depends on
  changed outside a batch write (media, attribute values, admin inlines).
- ``product.transitioned`` (organization, transitions): workflow transitions were recorded.
- ``audit.recorded`` (rows): audit events were saved (``action`` such as ``product.created``,
  ``supplier.updated``, ``product.transitioned``); webhooks turn them into outgoing events.
"""

from collections import defaultdict

_handlers = defaultdict(list)


def subscribe(event, handler):
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def emit(event, **payload):
    return [handler(**payload) for handler in _handlers[event]]
