"""The fake platforms themselves, over real HTTP: what the connector tests rely on them to do."""

import pytest
import requests

from tests.connectors.fakes.bigcommerce import FakeBigCommerce
from tests.connectors.fakes.shopify import FakeShopify

LOCATION = "gid://shopify/Location/1"
CUSTOM_ID = {"customId": {"namespace": "pim", "key": "id", "value": "P-1"}}
PRODUCT_SET = """
mutation Up($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(synchronous: true, identifier: $identifier, input: $input) {
    product { id handle variants(first: 10) { nodes { id sku barcode price inventoryItem { id } } } }
    userErrors { field message code }
  }
}"""
SET_QUANTITIES = """
mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { reason changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}"""
BULK_UPDATE = """
mutation Prices($product: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $product, variants: $variants) {
    productVariants { id price compareAtPrice }
    userErrors { code }
  }
}"""


def tee(*sizes, title="Blue tee"):
    """A ProductSetInput with one variant per size, 5 of each available."""
    return {
        "title": title, "vendor": "Acme", "status": "ACTIVE",
        "productOptions": [{"name": "Size", "values": [{"name": size} for size in sizes]}],
        "variants": [{"optionValues": [{"optionName": "Size", "name": size}], "sku": f"TEE-{size}",
                      "barcode": "4006381333931" if size == "M" else "", "price": "19.90",
                      "inventoryQuantities": [{"locationId": LOCATION, "name": "available", "quantity": 5}]}
                     for size in sizes],
    }


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture
def shop():
    with FakeShopify() as fake:
        yield fake


def graphql(http, shop, query, variables=None, *, token="shpat_test", timeout=2):
    return http.post(f"{shop.base_url}/admin/api/2026-10/graphql.json", timeout=timeout,
                     json={"query": query, "variables": variables or {}},
                     headers={"X-Shopify-Access-Token": token})


def data(response):
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


# --- Shopify ------------------------------------------------------------------------------------------


def test_shopify_refuses_a_wrong_token_and_another_api_version(http, shop):
    refused = graphql(http, shop, "{ shop { name } }", token="wrong")
    assert refused.status_code == 401
    assert refused.json() == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    other_version = http.post(f"{shop.base_url}/admin/api/2024-01/graphql.json",
                              json={"query": "{ shop { name } }"},
                              headers={"X-Shopify-Access-Token": "shpat_test"})
    assert other_version.status_code == 404
    assert data(graphql(http, shop, "{ shop { name myshopifyDomain } }"))["shop"] == {
        "name": "Fake shop", "myshopifyDomain": "fake.myshopify.com"}
    assert shop.received[0].headers["x-shopify-access-token"] == "wrong"  # names are case-insensitive
    assert [r.status for r in shop.received] == [401, 404, 200]


def test_shopify_product_set_upserts_by_custom_id_and_replaces_variants(http, shop):
    created = data(graphql(http, shop, PRODUCT_SET, {"identifier": CUSTOM_ID, "input": tee("S", "M")}))
    product = created["productSet"]["product"]
    assert created["productSet"]["userErrors"] == [] and product["handle"] == "blue-tee"
    small, medium = product["variants"]["nodes"]
    assert (medium["sku"], medium["barcode"], medium["price"]) == ("TEE-M", "4006381333931", "19.90")
    state = shop.product_by_custom_id("pim", "id", "P-1")
    assert state["id"] == product["id"] and state["vendor"] == "Acme"
    assert shop.inventory_level(medium["inventoryItem"]["id"], LOCATION) == 5

    # The same identifier updates; the variant not sent is deleted, the one kept keeps its ids.
    again = {"identifier": CUSTOM_ID, "input": tee("M", title="Tee")}
    updated = data(graphql(http, shop, PRODUCT_SET, again))
    (kept,) = updated["productSet"]["product"]["variants"]["nodes"]
    assert kept == medium and len(shop.products) == 1 and state["title"] == "Tee"
    assert shop.inventory_level(small["inventoryItem"]["id"], LOCATION) is None

    found = data(graphql(http, shop, """{
        productVariants(first: 5, query: "sku:TEE-M") { nodes { id product { id } } }
        products(first: 5) { nodes { title metafield(namespace: "pim", key: "id") { value } } }
    }"""))
    assert found["productVariants"]["nodes"] == [{"id": medium["id"], "product": {"id": product["id"]}}]
    assert found["products"]["nodes"] == [{"title": "Tee", "metafield": {"value": "P-1"}}]


def test_shopify_runs_aliased_product_sets_and_reports_user_errors(http, shop):
    invalid_price = tee("S")
    invalid_price["variants"][0]["price"] = "cheap"
    unknown_option = tee("S")
    unknown_option["variants"][0]["optionValues"] = [{"optionName": "Size", "name": "XL"}]
    result = data(graphql(http, shop, """
        mutation Many($a: ProductSetInput!, $b: ProductSetInput!, $c: ProductSetInput!,
                      $d: ProductSetInput!) {
          p0: productSet(input: $a) { product { id } userErrors { field code } }
          p1: productSet(input: $b) { product { id } userErrors { field code } }
          p2: productSet(input: $c) { product { id } userErrors { field code } }
          p3: productSet(input: $d) { product { id } userErrors { field code } }
        }""", {"a": tee("S"), "b": {"vendor": "No title"}, "c": invalid_price, "d": unknown_option}))

    assert result["p0"]["product"]["id"] in shop.products and result["p0"]["userErrors"] == []
    assert result["p1"] == {"product": None, "userErrors": [{"field": ["input", "title"], "code": "BLANK"}]}
    assert result["p2"]["userErrors"] == [
        {"field": ["input", "variants", "0", "price"], "code": "INVALID_VARIANT"}]
    assert result["p3"]["userErrors"][0]["code"] == "OPTION_VALUE_DOES_NOT_EXIST"
    assert len(shop.products) == 1  # refused inputs changed nothing
    assert shop.operations() == [["productSet"] * 4]

    invalid = graphql(http, shop, "{ shop { nope } }")  # GraphQL validation: HTTP 200 with errors
    assert invalid.status_code == 200 and "nope" in invalid.json()["errors"][0]["message"]


def test_shopify_throttles_by_cost_and_on_demand(http):
    with FakeShopify(bucket_size=40, restore_rate=1) as shop:
        body = graphql(http, shop, "{ products(first: 5) { nodes { id title } } }").json()
        assert body["extensions"]["cost"]["requestedQueryCost"] == 7  # 2 + 5 × 1
        assert body["extensions"]["cost"]["actualQueryCost"] == 2  # no product: the rest is refunded
        assert body["extensions"]["cost"]["throttleStatus"] == {
            "maximumAvailable": 40.0, "currentlyAvailable": 38, "restoreRate": 1.0}

        shop.throttle_next()
        throttled = graphql(http, shop, PRODUCT_SET, {"input": tee("S")})
        assert throttled.status_code == 200
        assert throttled.json()["errors"] == [{"message": "Throttled", "extensions": {
            "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
        assert throttled.json()["extensions"]["cost"]["actualQueryCost"] is None
        assert shop.products == {}

        # 10 + product 1 + variants (2 + 10 × 2) + userErrors 1 = 34 points: 38 available, then 4.
        assert "errors" not in graphql(http, shop, PRODUCT_SET, {"input": tee("S")}).json()
        again = graphql(http, shop, PRODUCT_SET, {"input": tee("M", title="Other")}).json()
        assert again["errors"][0]["message"] == "Throttled" and len(shop.products) == 1

        too_big = graphql(
            http, shop, "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }")
        assert too_big.json()["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_shopify_paginates_products_with_opaque_cursors(http, shop):
    for n in range(5):
        shop.add_product(title=f"Remote {n}", variants=[{"sku": f"R-{n}", "price": "1.00"}])
    page_query = """query($after: String) {
        products(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { title } } }"""
    titles, after = [], None
    while True:
        page = data(graphql(http, shop, page_query, {"after": after}))["products"]
        titles += [node["title"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert titles == [f"Remote {n}" for n in range(5)]
    assert len(shop.operations()) == 3


def test_shopify_sets_inventory_and_prices(http, shop):
    product = data(graphql(http, shop, PRODUCT_SET, {"input": tee("S")}))["productSet"]["product"]
    (variant,) = product["variants"]["nodes"]
    item = variant["inventoryItem"]["id"]

    def set_quantities(*quantities):
        response = graphql(http, shop, SET_QUANTITIES, {"input": {
            "name": "available", "reason": "correction", "quantities": list(quantities)}})
        return data(response)["inventorySetQuantities"]

    missing_change_from = set_quantities({"inventoryItemId": item, "locationId": LOCATION, "quantity": 7})
    assert [e["code"] for e in missing_change_from["userErrors"]] == ["CHANGE_FROM_QUANTITY_REQUIRED"]
    unknown = set_quantities(
        {"inventoryItemId": "gid://shopify/InventoryItem/9", "locationId": LOCATION, "quantity": 1,
         "changeFromQuantity": None},
        {"inventoryItemId": item, "locationId": "gid://shopify/Location/9", "quantity": 1,
         "changeFromQuantity": None})
    assert [e["code"] for e in unknown["userErrors"]] == ["INVALID_INVENTORY_ITEM", "INVALID_LOCATION"]
    assert shop.inventory_level(item, LOCATION) == 5  # all or nothing

    done = set_quantities({"inventoryItemId": item, "locationId": LOCATION, "quantity": 7,
                           "changeFromQuantity": 5})
    assert done["userErrors"] == [] and shop.inventory_level(item, LOCATION) == 7
    assert done["inventoryAdjustmentGroup"]["changes"][0] == {
        "name": "available", "delta": 2, "quantityAfterChange": 7}

    prices = data(graphql(http, shop, BULK_UPDATE, {"product": product["id"], "variants": [
        {"id": variant["id"], "price": "17.5", "compareAtPrice": "19.90"}]}))["productVariantsBulkUpdate"]
    assert prices == {"productVariants": [{"id": variant["id"], "price": "17.50", "compareAtPrice": "19.90"}],
                      "userErrors": []}
    unknown_variant = data(graphql(http, shop, BULK_UPDATE, {"product": product["id"], "variants": [
        {"id": "gid://shopify/ProductVariant/1", "price": "1.00"}]}))["productVariantsBulkUpdate"]
    assert unknown_variant["userErrors"] == [{"code": "PRODUCT_VARIANT_DOES_NOT_EXIST"}]


def test_shopify_injected_faults_are_logged_and_change_nothing(http, shop):
    shop.fail_next(500)
    shop.fail_next(429, headers={"Retry-After": "2.0"})
    assert graphql(http, shop, PRODUCT_SET, {"input": tee("S")}).status_code == 500
    throttled = graphql(http, shop, PRODUCT_SET, {"input": tee("S")})
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2.0"
    assert shop.products == {}

    shop.delay_next(0.3)
    with pytest.raises(requests.Timeout):
        graphql(http, shop, "{ shop { name } }", timeout=0.05)
    assert [r.status for r in shop.received][:2] == [500, 429]
    assert shop.operations() == [["productSet"], ["productSet"], ["shop"]]


# --- BigCommerce --------------------------------------------------------------------------------------

RATE_HEADERS = ("X-Rate-Limit-Time-Window-Ms", "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Requests-Quota",
                "X-Rate-Limit-Requests-Left")


@pytest.fixture
def store():
    with FakeBigCommerce() as fake:
        yield fake


def bc(http, store, method, path, *, token="bc_test", store_hash="abc123", **kwargs):
    return http.request(method, f"{store.base_url}/stores/{store_hash}/{path}", timeout=2,
                        headers={"X-Auth-Token": token, "Accept": "application/json"}, **kwargs)


def new_product(name, **fields):
    return {"name": name, "type": "physical", "weight": 1, "price": 1, **fields}


def test_bigcommerce_refuses_a_wrong_token_or_store_and_always_sends_rate_headers(http, store):
    refused = bc(http, store, "GET", "v2/store", token="wrong")
    assert refused.status_code == 401
    assert set(refused.json()) == {"status", "title", "type", "errors"} and refused.json()["status"] == 401
    assert bc(http, store, "GET", "v2/store", store_hash="other").status_code == 404
    info = bc(http, store, "GET", "v2/store")
    assert info.status_code == 200 and info.json()["id"] == "abc123"
    for response in (refused, info):
        assert all(name in response.headers for name in RATE_HEADERS)
    assert info.headers["X-Rate-Limit-Requests-Left"] == "149"  # refused requests used no quota


def test_bigcommerce_creates_a_product_with_variants_and_reads_it_back(http, store):
    created = bc(http, store, "POST", "v3/catalog/products", json=new_product(
        "Blue tee", sku="TEE", price=19.9, inventory_tracking="variant",
        variants=[{"sku": f"TEE-{size}", "price": 21.0, "option_values": [
            {"option_display_name": "Size", "label": size}]} for size in ("S", "M")]))
    assert created.status_code == 200 and created.json()["meta"] == {}
    product = created.json()["data"]
    assert product["base_variant_id"] is None
    assert [v["sku"] for v in product["variants"]] == ["TEE-S", "TEE-M"]

    read = bc(http, store, "GET", f"v3/catalog/products/{product['id']}", params={"include": "variants"})
    assert read.json()["data"]["name"] == "Blue tee" and len(read.json()["data"]["variants"]) == 2
    listed = bc(http, store, "GET", "v3/catalog/products",
                params={"sku:in": "TEE,OTHER", "include_fields": "name"})
    assert listed.json()["data"] == [{"id": product["id"], "name": "Blue tee"}]
    variants = bc(http, store, "GET", "v3/catalog/variants", params={"sku": "TEE-M"}).json()["data"]
    assert [v["id"] for v in variants] == [product["variants"][1]["id"]]
    assert store.product_by_sku("TEE-M") is store.products[product["id"]]

    prices = [{"id": variants[0]["id"], "price": 25, "sale_price": 20}]
    updated = bc(http, store, "PUT", "v3/catalog/variants", json=prices)
    assert updated.status_code == 200 and updated.json()["data"][0]["calculated_price"] == 20


def test_bigcommerce_refuses_invalid_and_duplicate_products(http, store):
    store.add_product(name="Taken", sku="TAKEN")
    missing = bc(http, store, "POST", "v3/catalog/products", json={"name": "No price", "type": "physical"})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"weight": "error.path.missing", "price": "error.path.missing"}
    same_name = bc(http, store, "POST", "v3/catalog/products", json=new_product("Taken"))
    same_sku = bc(http, store, "POST", "v3/catalog/products", json=new_product("New", sku="TAKEN"))
    assert (same_name.status_code, same_sku.status_code) == (409, 409)
    assert len(store.products) == 1


def test_bigcommerce_batch_updates_take_ten_known_products(http, store):
    ids = [store.add_product(name=f"P{n}", sku=f"P-{n}") for n in range(3)]
    too_many = bc(http, store, "PUT", "v3/catalog/products", json=[{"id": ids[0], "price": 2}] * 11)
    assert too_many.status_code == 413
    assert "maximum items allowed in the array is 10" in too_many.json()["title"]
    unknown = bc(http, store, "PUT", "v3/catalog/products",
                 json=[{"id": ids[0], "price": 2}, {"id": 9, "price": 2}])
    assert unknown.status_code == 404 and store.products[ids[0]]["price"] == 0  # nothing written
    done = bc(http, store, "PUT", "v3/catalog/products", json=[{"id": i, "price": 9.9} for i in ids])
    assert done.status_code == 200 and [p["price"] for p in done.json()["data"]] == [9.9] * 3


def test_bigcommerce_paginates_the_catalog(http, store):
    for n in range(5):
        store.add_product(name=f"P{n}", sku=f"P-{n}")
    first = bc(http, store, "GET", "v3/catalog/products", params={"limit": 2}).json()
    assert first["meta"]["pagination"] == {
        "total": 5, "count": 2, "per_page": 2, "current_page": 1, "total_pages": 3,
        "links": {"current": "?page=1&limit=2", "next": "?page=2&limit=2"}}
    last = bc(http, store, "GET", "v3/catalog/products", params={"limit": 2, "page": 3}).json()
    assert [p["name"] for p in last["data"]] == ["P4"] and "next" not in last["meta"]["pagination"]["links"]


def test_bigcommerce_rate_limits_over_quota_and_on_demand(http):
    with FakeBigCommerce(quota=2, window_ms=60_000) as store:
        assert [bc(http, store, "GET", "v2/store").status_code for _ in range(3)] == [200, 200, 429]
        limited = bc(http, store, "GET", "v2/store")
        assert limited.status_code == 429 and limited.headers["X-Rate-Limit-Requests-Left"] == "0"
        assert 0 < int(limited.headers["X-Rate-Limit-Time-Reset-Ms"]) <= 60_000
    with FakeBigCommerce() as store:
        store.rate_limit_next(reset_ms=50)
        forced = bc(http, store, "GET", "v2/store")
        assert (forced.status_code, forced.headers["X-Rate-Limit-Time-Reset-Ms"]) == (429, "50")
        assert bc(http, store, "GET", "v2/store").status_code == 200


def test_bigcommerce_sets_stock_at_the_level_it_is_tracked(http, store):
    simple = store.add_product(name="Simple", sku="SIMPLE", inventory_tracking="product")
    by_variant = store.add_product(name="Tee", inventory_tracking="variant", variants=[
        {"sku": "TEE-S", "option_values": [{"option_display_name": "Size", "label": "S"}]}])
    variant_id = store.products[by_variant]["variants"][0]["id"]
    done = bc(http, store, "PUT", "v3/inventory/adjustments/absolute", json={"reason": "sync", "items": [
        {"location_id": 1, "product_id": simple, "quantity": 7},
        {"location_id": 1, "sku": "TEE-S", "quantity": 3}]})
    assert done.status_code == 200 and done.json()["transaction_id"]
    assert store.inventory_level(location_id=1, product_id=simple) == 7
    assert store.inventory_level(location_id=1, variant_id=variant_id) == 3

    wrong_level = bc(http, store, "PUT", "v3/inventory/adjustments/absolute", json={"items": [
        {"location_id": 1, "product_id": by_variant, "quantity": 1}]})
    assert wrong_level.status_code == 422
    assert wrong_level.headers["Content-Type"] == "application/problem+json"
    assert "tracked by variant" in wrong_level.json()["title"]
    assert store.inventory_level(location_id=1, variant_id=variant_id) == 3


def test_bigcommerce_injected_faults_change_nothing(http, store):
    store.fail_next(500)
    failed = bc(http, store, "POST", "v3/catalog/products", json=new_product("A"))
    assert failed.status_code == 500 and failed.json()["status"] == 500 and store.products == {}
    assert "X-Rate-Limit-Requests-Left" in failed.headers
    assert [(r.method, r.status, r.json["name"]) for r in store.received] == [("POST", 500, "A")]
