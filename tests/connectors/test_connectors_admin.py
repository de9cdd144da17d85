"""Connectors in the admin: what a settings manager sees and does, with the same rules as the API."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from connectors.models import Connector, SyncJob
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory, staff_client

LIST = "/admin/connectors/connector/"


def form(org, base_url, **fields):
    return {"organization": str(org.id), "name": "Shop", "platform": "shopify", "base_url": base_url,
            "settings": "{}", "channel": "", "status": "active", "sync_interval_minutes": "",
            "scheduled_kinds": "[]", **fields}


@pytest.mark.django_db
def test_a_new_connector_stores_its_token_encrypted_and_never_shows_it(org, shopify):
    admin = staff_client(org, "admin")

    response = admin.post(f"{LIST}add/", form(org, shopify.base_url, access_token="shpat_from_admin"))

    assert response.status_code == 302, response.content.decode()[:2000]
    connector = Connector.objects.get()
    assert connector.credentials == {"access_token": "shpat_from_admin"}
    page = admin.get(f"{LIST}{connector.pk}/change/").content.decode()
    assert "shpat_from_admin" not in page and "Leave empty to keep the stored token" in page


@pytest.mark.django_db
def test_saving_without_a_token_keeps_the_stored_one(org, shopify, shopify_connector):
    admin = staff_client(org, "admin")

    response = admin.post(f"{LIST}{shopify_connector.pk}/change/", form(org, shopify.base_url, name="Renamed"))

    assert response.status_code == 302
    shopify_connector.refresh_from_db()
    assert shopify_connector.name == "Renamed" and shopify_connector.credentials == {"access_token": "shpat_test"}


@pytest.mark.django_db
def test_the_admin_refuses_what_the_api_refuses(org, public_dns):
    admin = staff_client(org, "admin")

    page = admin.post(f"{LIST}add/", form(org, "http://acme.myshopify.com", access_token="t")).content.decode()
    assert "must use https" in page
    page = admin.post(f"{LIST}add/", form(org, "https://acme.myshopify.com")).content.decode()
    assert "access_token" in page
    assert not Connector.objects.exists()


@pytest.mark.django_db
def test_editors_see_connectors_but_cannot_change_them(org, shopify_connector):
    editor = staff_client(org, "editor")

    assert editor.get(f"{LIST}{shopify_connector.pk}/change/").status_code == 200
    assert editor.post(f"{LIST}{shopify_connector.pk}/change/", form(org, "https://x.myshopify.com")).status_code == 403
    editor.post(LIST, {"action": "push_stock", "_selected_action": [str(shopify_connector.pk)]})
    assert not SyncJob.objects.exists()
    assert "push_stock" not in editor.get(LIST).content.decode()  # the actions are not offered


@pytest.mark.django_db
def test_sync_actions_queue_jobs_and_jobs_are_listed(org, shopify_connector):
    admin = staff_client(org, "admin")

    response = admin.post(LIST, {"action": "push_products", "_selected_action": [str(shopify_connector.pk)]},
                          follow=True)

    job = SyncJob.objects.get()
    assert (job.kind, job.trigger) == ("push_products", "admin")
    assert "push products queued" in response.content.decode()
    assert "0 / 0" in admin.get("/admin/connectors/syncjob/").content.decode()


def test_a_settings_manager_tests_a_connection_from_the_list(browser, live_server, transactional_db, shopify):
    org = OrganizationFactory()
    manager = MembershipFactory(organization=org, role="admin", user=UserFactory(is_staff=True)).user
    Connector.objects.create(organization=org, name="Paris shop", platform="shopify", base_url=shopify.base_url,
                             credentials={"access_token": shopify.access_token})
    wait = WebDriverWait(browser, 10)

    browser.get(f"{live_server.url}/admin/login/?next={LIST}")
    browser.find_element(By.NAME, "username").send_keys(manager.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()

    row = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#result_list tbody tr")))
    assert "Paris shop" in row.text and "Shopify" in row.text
    row.find_element(By.CSS_SELECTOR, "input.action-select").click()
    browser.find_element(By.CSS_SELECTOR, "select[name=action] option[value=test_connection]").click()
    browser.find_element(By.CSS_SELECTOR, "button[name=index]").click()

    message = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ul.messagelist li.success")))
    assert "Paris shop: Connected to the Shopify shop Fake shop" in message.text
    assert [ops for ops in shopify.operations()] == [["shop"]]
