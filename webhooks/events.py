"""The events a subscription can receive, and how audited changes become them."""

# Event type → what it means (shown by GET /webhooks/events).
EVENTS = {
    "product.created": "A product was created (data.after: its fields).",
    "product.updated": "A product's fields changed (data.before and data.after: the changed fields).",
    "product.deleted": "A product was deleted (data.before: its EAN and name).",
    "product.published": "A product reached the published state of the workflow (data.from, data.comment).",
    "supplier.created": "A supplier was created, by hand or named by a product write (data.after).",
    "supplier.updated": "A supplier changed (data.before and data.after: the changed fields).",
    "export.completed": "An export's file is ready (data.after: format, rows, size, filters).",
    "import.started": "An import job started reading its file (data.after: file name and format).",
    "import.completed": "An import job ended (data.after: status, rows, created, updated, skipped, failed).",
}
PING = "ping"


def from_audit_row(row):
    """The (event, data) an audit row stands for, or None when no webhook event matches it."""
    action = row["action"]
    data = {"id": row["entity_id"]}
    if action in ("product.created", "supplier.created", "export.completed", "import.started", "import.completed"):
        return action, {**data, "after": row["after"]}
    if action in ("product.updated", "supplier.updated"):
        return action, {**data, "before": row["before"], "after": row["after"]}
    if action == "product.deleted":
        return action, {**data, "before": row["before"]}
    if action == "product.transitioned" and (row["after"] or {}).get("workflow_state") == "published":
        return "product.published", {**data, "from": (row["before"] or {}).get("workflow_state"),
                                     "comment": row["after"].get("comment", "")}
    return None
