"""The publication workflow, defined once (contract §8): states, transitions, who may run them,
and which need the completeness gate. The API, the admin and bulk operations all read it here."""

from dataclasses import dataclass

from pixeepim.tenancy.roles import Permission

DRAFT, REVIEW, APPROVED, PUBLISHED, ARCHIVED = "draft", "review", "approved", "published", "archived"
STATES = (DRAFT, REVIEW, APPROVED, PUBLISHED, ARCHIVED)
GATE = 70  # completeness a product needs to be submitted or published


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple
    target: str
    permission: str
    gated: bool = False
    needs_comment: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("submit", (DRAFT,), REVIEW, Permission.SUBMIT_PRODUCTS, gated=True),
        Transition("approve", (REVIEW,), APPROVED, Permission.REVIEW_PRODUCTS),
        Transition("reject", (REVIEW,), DRAFT, Permission.REVIEW_PRODUCTS, needs_comment=True),
        Transition("publish", (APPROVED,), PUBLISHED, Permission.PUBLISH_PRODUCTS, gated=True),
        Transition("archive", (DRAFT, REVIEW, APPROVED, PUBLISHED), ARCHIVED, Permission.PUBLISH_PRODUCTS),
        Transition("restore", (ARCHIVED,), DRAFT, Permission.RESTORE_PRODUCTS),
    )
}
# What an API key with the workflow:write scope may do: everything but restoring (owners, admins).
API_KEY_PERMISSIONS = frozenset({Permission.SUBMIT_PRODUCTS, Permission.REVIEW_PRODUCTS, Permission.PUBLISH_PRODUCTS})


def actions_from(state):
    return [t.action for t in TRANSITIONS.values() if state in t.sources]


def allowed_actions(state, permissions):
    """The actions a caller holding ``permissions`` may run on a product in ``state``."""
    return [t.action for t in TRANSITIONS.values() if state in t.sources and t.permission in permissions]
