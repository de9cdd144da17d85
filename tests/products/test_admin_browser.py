"""A catalog manager's session in a real browser: log in, find a product, edit it, see it saved."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from products.models import AuditEvent, Product
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory
from tests.products.factories import BrandFactory, MediaFactory, ProductFactory


def test_a_catalog_manager_finds_and_edits_a_product(browser, live_server, transactional_db):
    org = OrganizationFactory()
    manager = MembershipFactory(organization=org, role="editor", user=UserFactory(is_staff=True)).user
    kimex = BrandFactory(organization=org, name="Kimex")
    mount = ProductFactory(organization=org, name="Support TV mural", brand=kimex, completeness=80)
    MediaFactory(organization=org, product=mount, url=f"{live_server.url}/static/admin/img/icon-yes.svg")
    ProductFactory(organization=org, name="Câble HDMI")
    ProductFactory(organization=OrganizationFactory(), name="Not ours")
    wait = WebDriverWait(browser, 10)

    browser.get(f"{live_server.url}/admin/login/?next=/admin/products/product/")
    browser.find_element(By.NAME, "username").send_keys(manager.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    wait.until(ec.presence_of_element_located((By.ID, "result_list")))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == 2
    table = browser.find_element(By.ID, "result_list").text
    assert "Support TV mural" in table and "Câble HDMI" in table and "Not ours" not in table
    assert "Kimex" in table
    thumbnail = browser.find_element(By.CSS_SELECTOR, "#result_list td.field-thumbnail img")
    assert browser.execute_script("return arguments[0].naturalWidth", thumbnail) > 0

    search = browser.find_element(By.ID, "searchbar")
    search.send_keys("support")
    search.submit()
    wait.until(ec.url_contains("q=support"))
    assert "Câble HDMI" not in browser.find_element(By.ID, "result_list").text

    browser.find_element(By.LINK_TEXT, "Support TV mural").click()
    name = wait.until(ec.presence_of_element_located((By.NAME, "name")))
    name.clear()
    name.send_keys("Support TV mural 37-75 pouces")
    browser.find_element(By.NAME, "_save").click()

    message = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))
    assert "was changed successfully" in message.text
    assert "Support TV mural 37-75 pouces" in browser.find_element(By.ID, "result_list").text
    mount.refresh_from_db()
    assert mount.name == "Support TV mural 37-75 pouces"
    assert AuditEvent.objects.get(action="product.updated").actor_user == manager
    assert Product.objects.filter(name="Câble HDMI").exists()
