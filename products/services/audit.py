"""The audit trail: one AuditEvent per write, holding the changed fields before and after."""

import datetime
import decimal
import uuid

from django.utils import timezone

from pixeepim import events
from products.models import AuditEvent
from products.services.rows import append_rows


def json_value(value):
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def snapshot(instance, fields):
    return {name: json_value(getattr(instance, name)) for name in fields}


def changes(before, after):
    """The fields whose value differs: ``(before_subset, after_subset)``."""
    changed = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


def event_row(*, organization, actor, action, entity_type, entity_id, before=None, after=None, at=None):
    """One audit event as a row; callers save many at once with ``record``. ``at``: when (default
    now; batch writers pass the write's own timestamp, which also spares a clock read per row)."""
    return {
        "organization_id": organization.pk,
        "created_at": at or timezone.now(),
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "actor_user_id": actor.user.pk if actor.user else None,
        "actor_api_key_id": actor.api_key.pk if actor.api_key else None,
        "actor_label": actor.label[:200],
        "before": before,
        "after": after,
    }


def record(rows):
    """Saves audit event rows in one statement, and tells subscribers (``audit.recorded``) in the
    same transaction: what is audited is what happened, whichever surface did it."""
    if not rows:
        return
    append_rows(AuditEvent, rows)
    events.emit("audit.recorded", rows=rows)


def record_transitions(*, organization, transitions):
    """Audit events for workflow transitions (subscribed to ``product.transitioned``)."""
    record([
        {"organization_id": organization.pk, "created_at": t["created_at"], "action": "product.transitioned",
         "entity_type": "product", "entity_id": str(t["product_id"]), "actor_user_id": t["actor_user_id"],
         "actor_api_key_id": t["actor_api_key_id"], "actor_label": t["actor_label"],
         "before": {"workflow_state": t["from_state"]},
         "after": {"workflow_state": t["to_state"], "action": t["action"], "comment": t["comment"]}}
        for t in transitions
    ])
