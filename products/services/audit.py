"""The audit trail: one AuditEvent per write, holding the changed fields before and after."""

import datetime
import decimal
import uuid

from products.models import AuditEvent


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


def audit_event(*, organization, actor, action, entity_type, entity_id, before=None, after=None):
    """An unsaved event; callers save many at once with ``record``."""
    return AuditEvent(
        organization=organization,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        actor_user=actor.user,
        actor_api_key=actor.api_key,
        actor_label=actor.label[:200],
        before=before,
        after=after,
    )


def record(events):
    if events:
        AuditEvent.objects.bulk_create(events)
