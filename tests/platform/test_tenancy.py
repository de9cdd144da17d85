"""Organization scoping: the request's organization, isolation between tenants, and the system
check that keeps every org-owned endpoint scoped (contract §2)."""

import pytest
from django.core import checks
from django.test import override_settings
from rest_framework import generics

from pixeepim.api.checks import check_org_scoped_views
from pixeepim.auth.models import ApiKey
from pixeepim.tenancy.models import Membership
from pixeepim.tenancy.roles import ROLE_PERMISSIONS, Permission, Role
from tests.conftest import login
from tests.factories import MembershipFactory, make_api_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.platform.probe_urls")]

PROBE = "/api/v1/probe"


def names(response):
    return sorted(item["name"] for item in response.json()["items"])


def test_a_user_sees_only_the_rows_of_the_default_organization(member_client, org, other_org):
    make_api_key(org, ["products:read"], name="ours")
    make_api_key(other_org, ["products:read"], name="theirs")

    assert names(member_client(org).get(PROBE)) == ["ours"]


def test_an_api_key_sees_only_its_own_organization(key_client, org, other_org):
    make_api_key(other_org, ["products:read"], name="theirs")
    client = key_client(org, ["products:read"])

    assert names(client.get(PROBE)) == ["Test key"]


def test_x_org_id_switches_between_the_users_organizations(member_client, org, other_org):
    make_api_key(other_org, ["products:read"], name="theirs")
    client = member_client(org)
    MembershipFactory(user=client.user, organization=other_org, role="viewer", is_default=False)

    assert names(client.get(PROBE, HTTP_X_ORG_ID=str(other_org.id))) == ["theirs"]


def test_x_org_id_of_an_organization_the_user_is_not_in_is_403(member_client, org, other_org):
    response = member_client(org).get(PROBE, HTTP_X_ORG_ID=str(other_org.id))

    assert response.status_code == 403
    assert response.json()["detail"] == "You are not a member of the organization named by X-Org-ID."


def test_malformed_x_org_id_is_400(member_client, org):
    response = member_client(org).get(PROBE, HTTP_X_ORG_ID="acme")

    assert response.status_code == 400
    assert response.json()["errors"] == {"X-Org-ID": ["X-Org-ID must be an organization UUID."]}


def test_x_org_id_does_not_widen_an_api_key(key_client, org, other_org):
    make_api_key(other_org, ["products:read"], name="theirs")
    client = key_client(org, ["products:read"])

    assert names(client.get(PROBE, HTTP_X_ORG_ID=str(other_org.id))) == ["Test key"]


def test_a_user_without_membership_is_403(api_client, org):
    membership = MembershipFactory(organization=org)
    login(api_client, membership.user.email)
    Membership.objects.all().delete()

    response = api_client.get(PROBE)

    assert response.status_code == 403
    assert response.json()["detail"] == "You are not a member of any organization."


def test_role_in_one_organization_does_not_carry_to_another(member_client, org, other_org):
    client = member_client(org, "owner")
    MembershipFactory(user=client.user, organization=other_org, role="viewer", is_default=False)

    response = client.post(PROBE, {}, HTTP_X_ORG_ID=str(other_org.id), format="json")

    assert response.status_code == 403


def test_roles_grant_the_documented_permissions():
    assert ROLE_PERMISSIONS[Role.OWNER] == ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert ROLE_PERMISSIONS[Role.EDITOR] == {"VIEW_PRODUCTS", "EDIT_PRODUCTS", "DELETE_PRODUCTS", "SUBMIT_PRODUCTS"}
    assert ROLE_PERMISSIONS[Role.REVIEWER] == {"VIEW_PRODUCTS", "REVIEW_PRODUCTS", "PUBLISH_PRODUCTS"}
    assert ROLE_PERMISSIONS[Role.VIEWER] == {"VIEW_PRODUCTS"}


class UnscopedKeyList(generics.ListAPIView):
    queryset = ApiKey.objects.all()


def test_the_system_check_refuses_an_endpoint_that_forgets_org_scoping():
    from django.urls import path

    import tests.platform.probe_urls as probe

    unscoped = type("urls", (), {"urlpatterns": [path("leak", UnscopedKeyList.as_view()), *probe.urlpatterns]})
    with override_settings(ROOT_URLCONF=unscoped):
        errors = check_org_scoped_views(None)

    assert [error.id for error in errors] == ["pixeepim.E001"]
    assert "UnscopedKeyList" in errors[0].msg


def test_the_real_urlconf_passes_the_check():
    assert [e for e in checks.run_checks() if e.id == "pixeepim.E001"] == []
