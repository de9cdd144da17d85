"""The workflow in the admin: state, completeness and history on the product page, transition
buttons and list actions running the same rules as the API."""

import pytest

from products.models import Product
from tests.factories import staff_client
from tests.products.factories import ProductFactory
from tests.workflow.test_workflow_api import complete_product
from workflow.models import WorkflowTransition

pytestmark = pytest.mark.django_db

LIST = "/admin/products/product/"


def test_product_page_shows_state_completeness_and_the_callers_transitions(org):
    product = complete_product(org)

    page = staff_client(org, "editor").get(f"{LIST}{product.pk}/change/").content.decode()

    assert "Workflow — draft · completeness 100%" in page
    assert "Submit → review" in page and "Approve" not in page


def test_a_transition_button_moves_the_product_and_history_shows_it(org):
    product = complete_product(org)
    editor = staff_client(org, "editor")

    response = editor.post(f"{LIST}{product.pk}/transition/submit/", {"comment": "Ready for review"})

    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).workflow_state == "review"
    page = editor.get(f"{LIST}{product.pk}/change/").content.decode()
    assert "Ready for review" in page and "workflow history" in page.lower()


def test_the_gate_and_permissions_hold_in_the_admin(org):
    incomplete = ProductFactory(organization=org)
    editor = staff_client(org, "editor")

    editor.post(f"{LIST}{incomplete.pk}/transition/submit/", {})
    editor.post(f"{LIST}{incomplete.pk}/transition/approve/", {})

    assert Product.objects.get(pk=incomplete.pk).workflow_state == "draft"
    assert not WorkflowTransition.objects.exists()


def test_list_actions_run_transitions_and_reject_asks_for_a_comment(org):
    products = [complete_product(org) for _ in range(2)]
    editor, reviewer = staff_client(org, "editor"), staff_client(org, "reviewer")
    selected = [str(p.pk) for p in products]

    editor.post(LIST, {"action": "submit_products", "_selected_action": selected})
    assert set(Product.objects.values_list("workflow_state", flat=True)) == {"review"}

    ask = reviewer.post(LIST, {"action": "reject_products", "_selected_action": selected})
    assert 'name="comment"' in ask.content.decode()
    reviewer.post(LIST, {"action": "reject_products", "_selected_action": selected, "apply": "1",
                         "comment": "Missing sizes"})
    assert set(Product.objects.values_list("workflow_state", flat=True)) == {"draft"}
    assert set(WorkflowTransition.objects.filter(action="reject").values_list("comment", flat=True)) == {"Missing sizes"}
