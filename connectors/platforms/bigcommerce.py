"""BigCommerce, over the Catalog API v3 (``https://api.bigcommerce.com/stores/{store_hash}/v3``).

- Products: BigCommerce creates or fails, so products not linked yet are first looked up by SKU
  (``sku:in``); found ones are linked and updated, the others created one per call (variants
  nested). Updates go in batches of 10 (``PUT /catalog/products``); a refused batch is retried
  item by item so one bad product does not fail its nine neighbours.
- Prices: product prices in batches of 10, variant prices in batches of 50 (``PUT /catalog/variants``).
- Stock: absolute inventory adjustments (``PUT /inventory/adjustments/absolute``) at the connector's
  location (``settings.location_id``, default 1), addressed by product id.
- Rate limits: a 429 waits ``X-Rate-Limit-Time-Reset-Ms``; a response showing no request left in
  the window waits for the reset before the next call.
"""

import re

from connectors.sync_base.adapter import (
    ItemOutcome,
    PlatformAdapter,
    PlatformError,
    PulledPage,
    PulledProduct,
    PushOutcome,
    as_ean,
    batches,
)

STORE_HASH = re.compile(r"^[a-z0-9]{1,32}$")
UPDATE_BATCH = 10
VARIANT_BATCH = 50
STOCK_BATCH = 2000
PULL_PAGE_SIZE = 250
VARIANT_OPTION = "Variant"


def _number(value):
    return None if value is None else float(value)


def _problem(response):
    """BigCommerce's error body (``title`` and per-field ``errors``) as one sentence."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}: {str(body)[:200]}"
    details = body.get("errors") or {}
    detail = "; ".join(f"{field}: {message}" for field, message in details.items()) if isinstance(details, dict) else ""
    return " — ".join(part for part in (body.get("title") or f"HTTP {response.status_code}", detail) if part)


class BigCommerceAdapter(PlatformAdapter):
    slug = "bigcommerce"
    host_patterns = ("api.bigcommerce.com",)
    required_credentials = ("access_token",)
    required_settings = ("store_hash",)

    @classmethod
    def validate_settings(cls, settings):
        errors = {}
        if not STORE_HASH.match(str(settings.get("store_hash", ""))):
            errors["store_hash"] = ["The store hash is the short lowercase code in the store's API path."]
        if "location_id" in settings and not str(settings["location_id"]).isdigit():
            errors["location_id"] = ["A BigCommerce location id is a number."]
        return errors

    # --- the HTTP call ----------------------------------------------------------------------------

    def call(self, method, path, **kwargs):
        url = f"{self.connector.base_url.rstrip('/')}/stores/{self.settings['store_hash']}/{path}"
        response = self.transport.request(
            method, url, retry_delay=self._reset_delay,
            headers={"X-Auth-Token": self.credentials.get("access_token", ""), "Accept": "application/json"},
            **kwargs,
        )
        if response.status_code in (401, 403):
            raise PlatformError(f"BigCommerce refused the access token (HTTP {response.status_code}).")
        if response.status_code == 404 and path.startswith("v2/store"):
            raise PlatformError("BigCommerce knows no store with this store hash.")
        if response.headers.get("X-Rate-Limit-Requests-Left") == "0":
            self.transport.pause(self._reset_seconds(response) or 0)
        return response

    @staticmethod
    def _reset_seconds(response):
        value = response.headers.get("X-Rate-Limit-Time-Reset-Ms")
        return int(value) / 1000 if value and value.isdigit() else None

    def _reset_delay(self, response):
        return self._reset_seconds(response) if response.status_code == 429 else None

    def _checked(self, response, doing):
        if response.status_code >= 400:
            raise PlatformError(f"BigCommerce refused to {doing}: {_problem(response)}")
        return response.json()

    # --- interface ----------------------------------------------------------------------------------

    def test_connection(self):
        store = self._checked(self.call("GET", "v2/store"), "show the store")
        return f"Connected to the BigCommerce store {store.get('name', '')} ({store.get('domain', '')})."

    def product_payload(self, product):
        payload = {
            "name": product.name,
            "type": "physical",
            "sku": product.sku,
            "description": product.description,
            "price": _number(product.price) or 0.0,
            "weight": _number(product.weight) or 0.0,
            "gtin": product.ean or product.gtin or "",
            "upc": product.upc,
            "is_visible": product.status == "active",
            "inventory_tracking": "variant" if product.variants else "product",
        }
        if product.variants:
            payload["variants"] = [
                {"sku": v.sku, "gtin": v.barcode, "price": _number(v.price if v.price is not None else product.price),
                 "option_values": [{"option_display_name": VARIANT_OPTION, "label": v.sku}]}
                for v in product.variants
            ]
        return payload

    def push_products(self, items):
        outcomes = []
        unlinked = [item for item in items if item.remote_id is None]
        existing = self._find_by_sku([item.product.sku for item in unlinked])
        creates = []
        for item in unlinked:
            found = existing.get(item.product.sku)
            if found:
                item.remote_id, item.remote_variants = str(found["id"]), self._variant_map(found)
            else:
                creates.append(item)
        for item in creates:
            response = self.call("POST", "v3/catalog/products", json=item.payload)
            if response.status_code >= 400:
                outcomes.append(PushOutcome(item.product.id, error=_problem(response)))
                continue
            data = response.json()["data"]
            outcomes.append(PushOutcome(item.product.id, remote_id=str(data["id"]),
                                        remote_variants=self._variant_map(data), created=True))
        updates = [item for item in items if item.remote_id is not None]
        for batch in batches(updates, UPDATE_BATCH):
            outcomes += self._update(batch)
        return outcomes

    def _update(self, batch):
        # Nested variants are created with a product; existing ones are updated by their own calls.
        body = [{**{k: v for k, v in item.payload.items() if k != "variants"}, "id": int(item.remote_id)}
                for item in batch]
        response = self.call("PUT", "v3/catalog/products", json=body)
        if response.status_code < 300:
            return [PushOutcome(item.product.id, remote_id=item.remote_id, remote_variants=item.remote_variants)
                    for item in batch]
        if len(batch) == 1:
            return [PushOutcome(batch[0].product.id, error=_problem(response))]
        return [outcome for item in batch for outcome in self._update([item])]

    def _find_by_sku(self, skus):
        found = {}
        for batch in batches(sorted(set(skus)), 50):
            body = self._checked(self.call("GET", "v3/catalog/products", params={
                "sku:in": ",".join(batch), "include": "variants", "limit": PULL_PAGE_SIZE,
            }), "look products up by SKU")
            found.update({product["sku"]: product for product in body["data"]})
        return found

    @staticmethod
    def _variant_map(product):
        return {v["sku"]: {"id": v["id"]} for v in product.get("variants") or [] if v.get("sku")}

    def push_prices(self, lines):
        outcomes, product_prices, variant_prices = [], [], []
        for line in lines:
            if len(line.remote_variants) > 1:
                for sku, ids in line.remote_variants.items():
                    price = line.variant_prices.get(sku)
                    price = line.price if price is None else price
                    if price is not None:
                        variant_prices.append((line, {"id": ids["id"], "price": _number(price)}))
            elif line.price is not None:
                product_prices.append((line, {"id": int(line.remote_id), "price": _number(line.price)}))
            else:
                outcomes.append(ItemOutcome(line.product_id, error="No price to send."))
        errors = {
            **self._send("v3/catalog/products", product_prices, UPDATE_BATCH, lambda items: items),
            **self._send("v3/catalog/variants", variant_prices, VARIANT_BATCH, lambda items: items),
        }
        return outcomes + [ItemOutcome(product_id, error=error) for product_id, error in errors.items()]

    def push_stock(self, lines):
        outcomes, items = [], []
        location = int(self.settings.get("location_id", 1))
        for line in lines:
            if len(line.remote_variants) > 1:
                outcomes.append(ItemOutcome(line.product_id, error=(
                    f"Stock is kept per product, and this product has {len(line.remote_variants)} variants on "
                    "BigCommerce: its stock is not sent.")))
            else:
                items.append((line, {"location_id": location, "product_id": int(line.remote_id),
                                     "quantity": line.quantity}))
        errors = self._send("v3/inventory/adjustments/absolute", items, STOCK_BATCH,
                            lambda batch: {"reason": "PIM sync", "items": batch})
        return outcomes + [ItemOutcome(product_id, error=error) for product_id, error in errors.items()]

    def _send(self, path, pairs, size, wrap):
        """PUTs (line, item) pairs in batches; a refused batch is re-sent item by item to find the
        culprit. Returns {product id: None, or the first error of one of its items}."""
        results = {}
        for batch in batches(pairs, size):
            response = self.call("PUT", path, json=wrap([item for _, item in batch]))
            if response.status_code < 300:
                for line, _ in batch:
                    results.setdefault(line.product_id, None)
            elif len(batch) == 1:
                results[batch[0][0].product_id] = results.get(batch[0][0].product_id) or _problem(response)
            else:
                for pair in batch:
                    for product_id, error in self._send(path, [pair], 1, wrap).items():
                        results[product_id] = results.get(product_id) or error
        return results

    def pull_products(self, cursor):
        page = cursor or 1
        body = self._checked(self.call("GET", "v3/catalog/products", params={
            "page": page, "limit": PULL_PAGE_SIZE, "include": "variants",
        }), "list products")
        pulled = [
            PulledProduct(
                remote_id=str(p["id"]), name=p["name"], description=p.get("description") or "",
                ean=as_ean(p.get("gtin")) or as_ean(p.get("upc")), reference=p.get("sku") or "",
                status="active" if p.get("is_visible", True) else "inactive",
                price=p.get("price"), weight=p.get("weight"), remote_variants=self._variant_map(p),
            )
            for p in body["data"]
        ]
        pagination = body["meta"]["pagination"]
        return PulledPage(pulled, page + 1 if pagination["current_page"] < pagination["total_pages"] else None)
