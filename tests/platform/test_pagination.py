"""Pagination of list endpoints: page/per_page, the skip/limit aliases, and bad values (contract §4)."""

import pytest

from tests.factories import make_api_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.platform.probe_urls")]

PROBE = "/api/v1/probe"


@pytest.fixture
def reader(org, key_client):
    client = key_client(org, ["products:read"])  # itself one of the 45 rows listed
    for index in range(44):
        make_api_key(org, ["products:read"], name=f"key {index:02}")
    return client


def test_default_page_is_20_items_with_full_meta(reader):
    body = reader.get(PROBE).json()

    assert len(body["items"]) == 20
    assert body["meta"] == {
        "total": 45, "page": 1, "per_page": 20, "total_pages": 3, "has_next": True, "has_previous": False,
    }


def test_last_page_is_short_and_has_no_next(reader):
    body = reader.get(PROBE, {"page": 3, "per_page": 20}).json()

    assert len(body["items"]) == 5
    assert body["meta"]["has_next"] is False
    assert body["meta"]["has_previous"] is True


def test_page_past_the_end_is_an_empty_page(reader):
    response = reader.get(PROBE, {"page": 9})

    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["meta"]["total"] == 45
    assert response.json()["meta"]["has_next"] is False


def test_per_page_above_100_is_capped(reader):
    body = reader.get(PROBE, {"per_page": 101}).json()

    assert body["meta"]["per_page"] == 100
    assert len(body["items"]) == 45


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5"])
def test_bad_per_page_is_a_400_naming_the_parameter(reader, value):
    response = reader.get(PROBE, {"per_page": value})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["per_page"]
    assert response.json()["detail"].startswith("Invalid input: per_page:")


@pytest.mark.parametrize("value", ["0", "abc"])
def test_bad_page_is_a_400(reader, value):
    assert reader.get(PROBE, {"page": value}).status_code == 400


def test_skip_and_limit_are_aliases(reader):
    paged = reader.get(PROBE, {"page": 2, "per_page": 10}).json()
    aliased = reader.get(PROBE, {"skip": 10, "limit": 10}).json()

    assert aliased == paged


def test_unaligned_skip_returns_the_rows_after_it(reader):
    everything = [item["id"] for item in reader.get(PROBE, {"per_page": 100}).json()["items"]]

    body = reader.get(PROBE, {"skip": 7, "limit": 5}).json()

    assert [item["id"] for item in body["items"]] == everything[7:12]
    assert body["meta"]["has_previous"] is True


def test_limit_is_capped_at_100_and_negative_skip_refused(reader):
    assert reader.get(PROBE, {"limit": 500}).json()["meta"]["per_page"] == 100
    assert reader.get(PROBE, {"skip": -1}).status_code == 400


def test_page_and_per_page_win_over_the_aliases(reader):
    body = reader.get(PROBE, {"page": 2, "per_page": 5, "skip": 40, "limit": 50}).json()

    assert body["meta"]["page"] == 2 and body["meta"]["per_page"] == 5
