"""A reviewer's session in a real browser: the workflow box on the product page moves a product."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from products.models import Product
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.workflow.test_workflow_api import complete_product
from workflow.models import WorkflowTransition


def test_a_reviewer_rejects_with_a_comment_from_the_product_page(browser, live_server, transactional_db):
    org = OrganizationFactory()
    reviewer = MembershipFactory(organization=org, role="reviewer", user=UserFactory(is_staff=True)).user
    product = complete_product(org)
    Product.objects.filter(pk=product.pk).update(workflow_state="review")
    wait = WebDriverWait(browser, 10)

    browser.get(f"{live_server.url}/admin/login/?next=/admin/products/product/{product.pk}/change/")
    browser.find_element(By.NAME, "username").send_keys(reviewer.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    box = wait.until(ec.presence_of_element_located((By.ID, "workflow")))
    assert "Workflow — review · completeness 100%" in box.text
    assert [b.text for b in box.find_elements(By.CSS_SELECTOR, "button")] == [
        "Approve → approved", "Reject → draft", "Archive → archived"]
    box.find_element(By.CSS_SELECTOR, "textarea[name=comment]").send_keys("Photos are blurry")
    box.find_element(By.XPATH, ".//button[starts-with(., 'Reject')]").click()

    message = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))
    assert "Reject: 1 product(s) moved to draft." in message.text
    assert "Workflow — draft" in browser.find_element(By.ID, "workflow").text
    transition = WorkflowTransition.objects.get(product=product)
    assert (transition.action, transition.comment, transition.actor_user) == ("reject", "Photos are blurry", reviewer)
