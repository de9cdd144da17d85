"""Shopify, over the Admin GraphQL API (REST Admin is legacy since 2024-10).

- Products: ``productSet`` with a ``customId`` identifier (metafield ``pim.product_id`` = our
  product id), so a push is an upsert — re-sending a product after a crash updates it instead of
  creating a duplicate. Several ``productSet`` run in one request as aliased fields.
- Prices: ``productVariantsBulkUpdate`` per product (aliased, several products per request).
- Stock: ``inventorySetQuantities`` (``available``) at the connector's location
  (``settings.location_id``, else the shop's first location), with ``changeFromQuantity: null``
  on each quantity as API versions from 2026-07 require.
- Throttling is cost-based: a ``Throttled`` error (HTTP 200) is retried after the time the bucket
  needs to refill, and when a response shows the bucket nearly empty the next call waits first.
"""

from connectors.sync_base.adapter import (
    ItemOutcome,
    PlatformAdapter,
    PlatformError,
    PulledPage,
    PulledProduct,
    PushOutcome,
    as_ean,
    batches,
    money,
)

API_VERSION = "2026-10"
METAFIELD_NAMESPACE, METAFIELD_KEY = "pim", "product_id"
MAX_REQUEST_COST = 1000  # Shopify's ceiling for one document's requested cost
PRODUCTS_PER_REQUEST = 10  # aliased productSet fields per request, at most
PRICE_UPDATES_PER_REQUEST = 10
PULL_PAGE_SIZE, PULL_VARIANTS = 10, 40  # 2 + 10 × (3 + 40 × 2) = 832 points per page
MAX_VARIANTS_READ = 250
DEFAULT_OPTION, DEFAULT_VALUE = "Title", "Default Title"  # Shopify's own option of single-variant products
STATUSES = {"active": "ACTIVE", "inactive": "DRAFT", "archived": "ARCHIVED"}
PULLED_STATUSES = {value: key for key, value in STATUSES.items()}

PRODUCT_SET_RESULT = """
fragment ProductSetResult on ProductSetPayload {
  product { id variants(first: %d) { nodes { id sku inventoryItem { id } } } }
  userErrors { field message code }
}"""

PULL_QUERY = f"""
query PullProducts($after: String) {{
  products(first: {PULL_PAGE_SIZE}, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id title descriptionHtml vendor status
      variants(first: {PULL_VARIANTS}) {{ nodes {{ id sku barcode price inventoryItem {{ id }} }} }}
    }}
  }}
}}"""

SET_QUANTITIES = """
mutation SetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { userErrors { field message code } }
}"""


def _user_errors(errors):
    return "; ".join(
        f"{'.'.join(str(part) for part in error.get('field') or [])}: {error['message']}".lstrip(": ")
        for error in errors
    )


def _product_set_cost(variants):
    """Requested cost of one productSet reading back ``variants`` variants: the mutation (10), its
    product (1), the variants connection (2 + 2 per variant with its inventory item), userErrors (1)."""
    return 14 + 2 * variants


def _product_setbatches(items):
    """Items grouped for aliased productSet documents that stay under the per-request cost ceiling;
    yields (group, how many variants to read back per product)."""
    group, widest = [], 0
    for item in items:
        variants = min(len(item.payload["variants"]), MAX_VARIANTS_READ)
        wider = max(widest, variants)
        if group and (len(group) == PRODUCTS_PER_REQUEST
                      or (len(group) + 1) * _product_set_cost(wider) > MAX_REQUEST_COST):
            yield group, widest
            group, wider = [], variants
        group.append(item)
        widest = wider
    if group:
        yield group, widest


def _variant_map(variant_nodes):
    return {
        node["sku"]: {"id": node["id"], "inventory_item_id": (node.get("inventoryItem") or {}).get("id")}
        for node in variant_nodes if node.get("sku")
    }


class ShopifyAdapter(PlatformAdapter):
    slug = "shopify"
    host_patterns = ("*.myshopify.com",)
    required_credentials = ("access_token",)

    @property
    def endpoint(self):
        return f"{self.connector.base_url.rstrip('/')}/admin/api/{API_VERSION}/graphql.json"

    # --- the GraphQL call -------------------------------------------------------------------------

    def graphql(self, query, variables=None):
        response = self.transport.request(
            "POST", self.endpoint, json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": self.credentials.get("access_token", "")},
            retry_delay=self._throttle_delay,
        )
        if response.status_code in (401, 403):
            raise PlatformError(f"Shopify refused the access token (HTTP {response.status_code}).")
        if response.status_code != 200:
            raise PlatformError(f"Shopify answered HTTP {response.status_code}: {response.text[:200]}")
        body = response.json()
        if body.get("errors"):
            raise PlatformError("Shopify refused the request: " + "; ".join(e.get("message", "") for e in body["errors"]))
        self._spare_the_bucket(body)
        return body["data"]

    @staticmethod
    def _cost(body):
        return (body.get("extensions") or {}).get("cost") or {}

    def _throttle_delay(self, response):
        """Seconds until the cost bucket holds what the throttled request asked for (None: not throttled)."""
        if response.status_code != 200 or b"Throttled" not in response.content:
            return None
        cost = self._cost(response.json())
        status = cost.get("throttleStatus") or {}
        rate = status.get("restoreRate") or 50.0
        missing = (cost.get("requestedQueryCost") or rate) - (status.get("currentlyAvailable") or 0)
        return max(missing / rate, 0.05)

    def _spare_the_bucket(self, body):
        # When the bucket could not pay for another call like this one, wait for it to refill first.
        cost = self._cost(body)
        status = cost.get("throttleStatus") or {}
        requested, available = cost.get("requestedQueryCost"), status.get("currentlyAvailable")
        if requested and available is not None and available < requested and status.get("restoreRate"):
            self.transport.pause((requested - available) / status["restoreRate"])

    # --- interface ----------------------------------------------------------------------------------

    def test_connection(self):
        shop = self.graphql("query { shop { name myshopifyDomain } }")["shop"]
        return f"Connected to the Shopify shop {shop['name']} ({shop['myshopifyDomain']})."

    def product_payload(self, product):
        if product.variants:
            option = "Variant"
            variants = [
                {"optionValues": [{"optionName": option, "name": v.sku}], "sku": v.sku, "barcode": v.barcode,
                 "price": money(v.price if v.price is not None else product.price)}
                for v in product.variants
            ]
        else:
            option = DEFAULT_OPTION
            variants = [{"optionValues": [{"optionName": option, "name": DEFAULT_VALUE}], "sku": product.sku,
                         "barcode": product.ean or "", "price": money(product.price)}]
        for variant in variants:
            if variant["price"] is None:
                del variant["price"]
        return {
            "title": product.name,
            "descriptionHtml": product.description,
            "vendor": product.brand,
            "productType": product.category,
            "status": STATUSES.get(product.status, "DRAFT"),
            "productOptions": [{"name": option, "values": [{"name": v["optionValues"][0]["name"]} for v in variants]}],
            "variants": variants,
            "metafields": [{"namespace": METAFIELD_NAMESPACE, "key": METAFIELD_KEY,
                            "type": "single_line_text_field", "value": str(product.id)}],
        }

    def push_products(self, items):
        outcomes = []
        for group, variants_read in _product_setbatches(items):
            declarations, fields, variables = [], [], {}
            for n, item in enumerate(group):
                declarations.append(f"$id{n}: ProductSetIdentifiers, $in{n}: ProductSetInput!")
                fields.append(f"p{n}: productSet(synchronous: true, identifier: $id{n}, input: $in{n}) "
                              "{ ...ProductSetResult }")
                variables[f"id{n}"] = {"customId": {"namespace": METAFIELD_NAMESPACE, "key": METAFIELD_KEY,
                                                    "value": str(item.product.id)}}
                variables[f"in{n}"] = item.payload
            data = self.graphql(
                f"mutation PushProducts({', '.join(declarations)}) {{ {' '.join(fields)} }}"
                + PRODUCT_SET_RESULT % variants_read,
                variables,
            )
            for n, item in enumerate(group):
                result = data[f"p{n}"]
                if result["userErrors"] or not result.get("product"):
                    outcomes.append(PushOutcome(item.product.id, error=_user_errors(result["userErrors"])
                                                or "Shopify returned no product."))
                    continue
                product = result["product"]
                outcomes.append(PushOutcome(
                    item.product.id, remote_id=product["id"], remote_variants=_variant_map(product["variants"]["nodes"]),
                    created=item.remote_id is None,
                ))
        return outcomes

    def push_prices(self, lines):
        outcomes, sendable = [], []
        for line in lines:
            variants = [
                {"id": ids["id"], "price": money(line.variant_prices.get(sku) or line.price)}
                for sku, ids in line.remote_variants.items()
                if (line.variant_prices.get(sku) or line.price) is not None
            ]
            if variants:
                sendable.append((line, variants))
            else:
                outcomes.append(ItemOutcome(line.product_id, error="No price to send."))
        for group in batches(sendable, PRICE_UPDATES_PER_REQUEST):
            declarations, fields, variables = [], [], {}
            for n, (line, variants) in enumerate(group):
                declarations.append(f"$product{n}: ID!, $variants{n}: [ProductVariantsBulkInput!]!")
                fields.append(f"v{n}: productVariantsBulkUpdate(productId: $product{n}, variants: $variants{n}) "
                              "{ userErrors { field message code } }")
                variables[f"product{n}"], variables[f"variants{n}"] = line.remote_id, variants
            data = self.graphql(f"mutation PushPrices({', '.join(declarations)}) {{ {' '.join(fields)} }}", variables)
            for n, (line, _) in enumerate(group):
                errors = data[f"v{n}"]["userErrors"]
                outcomes.append(ItemOutcome(line.product_id, error=_user_errors(errors) if errors else None))
        return outcomes

    def push_stock(self, lines):
        outcomes, quantities = [], []
        location = self._location_id()
        for line in lines:
            if len(line.remote_variants) != 1:
                outcomes.append(ItemOutcome(line.product_id, error=(
                    f"Stock is kept per product, and this product has {len(line.remote_variants)} variants on "
                    "Shopify: its stock is not sent.")))
                continue
            (ids,) = line.remote_variants.values()
            quantities.append((line, {"inventoryItemId": ids["inventory_item_id"], "locationId": location,
                                      "quantity": line.quantity, "changeFromQuantity": None}))
        while quantities:
            errors = self.graphql(SET_QUANTITIES, {"input": {
                "name": "available", "reason": "correction",
                "referenceDocumentUri": f"gid://pixeepim/Connector/{self.connector.id}",
                "quantities": [quantity for _, quantity in quantities],
            }})["inventorySetQuantities"]["userErrors"]
            refused = self._refused_quantities(errors, len(quantities))
            if not errors:
                outcomes += [ItemOutcome(line.product_id) for line, _ in quantities]
                break
            if not refused:  # an error about the whole call: every item shares it
                outcomes += [ItemOutcome(line.product_id, error=_user_errors(errors)) for line, _ in quantities]
                break
            # The mutation is all-or-nothing: report the refused items, send the others again.
            outcomes += [ItemOutcome(quantities[i][0].product_id, error=message) for i, message in refused.items()]
            quantities = [q for i, q in enumerate(quantities) if i not in refused]
        return outcomes

    @staticmethod
    def _refused_quantities(errors, count):
        """{index in quantities: message} of the user errors that point at one quantity."""
        refused = {}
        for error in errors:
            field = [str(part) for part in error.get("field") or []]
            if "quantities" in field and field.index("quantities") + 1 < len(field):
                index = field[field.index("quantities") + 1]
                if index.isdigit() and int(index) < count:
                    refused[int(index)] = error["message"]
        return refused

    def _location_id(self):
        if self.settings.get("location_id"):
            return self.settings["location_id"]
        if not hasattr(self, "_first_location"):
            nodes = self.graphql("query { locations(first: 1) { nodes { id } } }")["locations"]["nodes"]
            if not nodes:
                raise PlatformError("The Shopify shop has no location to hold stock.")
            self._first_location = nodes[0]["id"]
        return self._first_location

    def pull_products(self, cursor):
        products = self.graphql(PULL_QUERY, {"after": cursor})["products"]
        pulled = []
        for node in products["nodes"]:
            variants = node["variants"]["nodes"]
            first = variants[0] if variants else {}
            pulled.append(PulledProduct(
                remote_id=node["id"], name=node["title"], description=node.get("descriptionHtml") or "",
                ean=as_ean(first.get("barcode")), reference=first.get("sku") or "", brand=node.get("vendor") or None,
                status=PULLED_STATUSES.get(node.get("status")), price=first.get("price"),
                remote_variants=_variant_map(variants),
            ))
        page_info = products["pageInfo"]
        return PulledPage(pulled, page_info["endCursor"] if page_info["hasNextPage"] else None)
