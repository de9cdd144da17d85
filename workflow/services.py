"""Writes of the workflow: transitions and stored completeness. The API, the admin, bulk
operations and the completeness rule all go through ``apply_transition``."""

from dataclasses import dataclass

from django.db import transaction
from rest_framework.exceptions import ValidationError

from pixeepim import events
from pixeepim.auth.actors import SYSTEM
from products.models import Product
from products.services.products import allocate_write_times
from products.services.rows import append_rows, update_rows
from workflow.completeness import COLUMNS, evaluate, product_rows
from workflow.machine import GATE, PUBLISHED, REVIEW, TRANSITIONS, Transition, actions_from
from workflow.models import WorkflowTransition

# The system's own transition when required content disappears from a published product.
DEMOTE = Transition("demote", (PUBLISHED,), REVIEW, permission=None)


@dataclass
class TransitionResult:
    product_id: object
    status: int = 200  # 200 done, or the error status: 403, 404, 409, 422
    detail: str = ""
    state: str | None = None
    completeness: int | None = None
    missing: tuple = ()

    def as_dict(self):
        body = {"product_id": str(self.product_id), "status": "ok" if self.status == 200 else "error",
                "state": self.state}
        if self.status != 200:
            body.update(code=self.status, detail=self.detail)
        return body


def apply_transition(*, organization, product_ids, action, actor, permissions, comment=""):
    """Runs ``action`` on each product; returns one ``TransitionResult`` per id, in order.

    Each product is checked on its own: the caller's permission (403), the product's state (409,
    naming the actions its state allows), the completeness gate for submit and publish (422, naming
    what is missing). The ones that pass move together, in a constant number of queries.
    """
    definition = TRANSITIONS.get(action)
    if definition is None:
        raise ValidationError({"action": [f"Unknown action; one of: {', '.join(TRANSITIONS)}."]})
    if definition.needs_comment and not (comment or "").strip():
        raise ValidationError({"comment": [f"A comment is required to {action}."]})
    with transaction.atomic():
        rows = {row["id"]: row for row in Product.objects.for_org(organization).live().filter(id__in=product_ids)
                .order_by("id").select_for_update().values(*COLUMNS)}
        scores = evaluate(list(rows.values())) if definition.gated else {}
        results = []
        for product_id in product_ids:
            row = rows.get(product_id)
            result = TransitionResult(product_id, state=row["workflow_state"] if row else None)
            if row is None:
                result.status, result.detail = 404, "No product with this id."
            elif definition.permission not in permissions:
                result.status, result.detail = 403, f"Your access does not allow '{action}'."
            elif row["workflow_state"] not in definition.sources:
                allowed = ", ".join(actions_from(row["workflow_state"])) or "none"
                result.status = 409
                result.detail = f"Cannot {action} a product in {row['workflow_state']}; allowed: {allowed}."
            elif definition.gated and scores[product_id][0] < GATE:
                score, missing = scores[product_id]
                result.status, result.completeness, result.missing = 422, score, tuple(missing)
                result.detail = f"Completeness is {score}%, under the {GATE}% gate; missing: {', '.join(missing)}."
            results.append(result)
        passed = [r for r in results if r.status == 200]
        _move(organization, [rows[r.product_id] for r in passed], definition, actor, comment, scores)
        for result in passed:
            result.state = definition.target
    return results


def _move(organization, rows, definition, actor, comment, scores):
    """Moves ``rows`` to the transition's target and records it; ``comment`` is one text or one
    per product id."""
    if not rows:
        return
    stamps = allocate_write_times(organization, len(rows))
    updates = [{**row, "workflow_state": definition.target, "updated_at": stamp,
                "completeness": scores[row["id"]][0] if row["id"] in scores else row["completeness"]}
               for row, stamp in zip(rows, stamps)]
    update_rows(Product, updates, ["workflow_state", "updated_at", "completeness"])
    _record(organization, rows, definition, actor, comment, stamps)


def _record(organization, rows, definition, actor, comment, stamps):
    """History rows for ``rows`` (as they were before the transition) and the domain event."""
    transitions = [
        {"organization_id": organization.id, "product_id": row["id"], "action": definition.action,
         "from_state": row["workflow_state"], "to_state": definition.target,
         "actor_user_id": actor.user.pk if actor.user else None,
         "actor_api_key_id": actor.api_key.pk if actor.api_key else None, "actor_label": actor.label[:200],
         "comment": (comment.get(row["id"], "") if isinstance(comment, dict) else comment) or "",
         "created_at": stamp}
        for row, stamp in zip(rows, stamps)
    ]
    append_rows(WorkflowTransition, transitions)
    events.emit("product.transitioned", organization=organization, transitions=transitions)


def _demotion_comment(score):
    return f"Completeness fell to {score}%, under the {GATE}% gate."


def refresh_completeness(organization, product_ids):
    """Recomputes and stores completeness; a published product that falls under the gate goes
    back to review (the rule: a channel never keeps content that is no longer complete enough)."""
    rows = product_rows(product_ids)
    scores = evaluate(rows)
    changed = [{**row, "completeness": scores[row["id"]][0]} for row in rows
               if row["completeness"] != scores[row["id"]][0]]
    update_rows(Product, changed, ["completeness"])
    fallen = [row for row in changed if row["workflow_state"] == PUBLISHED and row["completeness"] < GATE]
    _move(organization, fallen, DEMOTE, SYSTEM, {row["id"]: _demotion_comment(row["completeness"]) for row in fallen}, {})
    return scores


def on_products_written(*, organization, product_ids):
    refresh_completeness(organization, product_ids)


def on_products_saving(*, organization, created, updated):
    """Fills the completeness of product rows about to be written (so the write carries it: no
    second pass over the rows), and sends published ones that fall under the gate back to review;
    returns what records those demotions once the rows are written."""
    for rows, new in ((created, True), (updated, False)):
        scores = evaluate(rows, new=new)
        for row in rows:
            row["completeness"] = scores[row["id"]][0]
    fallen = [dict(row) for row in updated if row["workflow_state"] == PUBLISHED and row["completeness"] < GATE]
    if not fallen:
        return None
    for row in updated:
        if row["workflow_state"] == PUBLISHED and row["completeness"] < GATE:
            row["workflow_state"] = DEMOTE.target
    comments = {row["id"]: _demotion_comment(row["completeness"]) for row in fallen}
    return lambda: _record(organization, fallen, DEMOTE, SYSTEM, comments, [row["updated_at"] for row in fallen])


RECOMPUTE_CHUNK = 5000


def recompute_organization(organization, *, on_progress=None):
    """Recomputes every live product's completeness, chunk by chunk (each chunk one transaction,
    a constant number of queries); ``on_progress(count)`` is told after each. Returns the total."""
    ids = list(Product.objects.for_org(organization).live().order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), RECOMPUTE_CHUNK):
        chunk = ids[start : start + RECOMPUTE_CHUNK]
        with transaction.atomic():
            refresh_completeness(organization, chunk)
        if on_progress:
            on_progress(len(chunk))
    return len(ids)
