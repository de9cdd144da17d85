"""A fake BigCommerce store speaking the Catalog API v3 (and v2 store information).

- Paths under ``/stores/{store_hash}/``; header ``X-Auth-Token`` (401 otherwise).
- Every answer carries the rate-limit headers; past ``quota`` requests in a window of
  ``window_ms``, or when forced with ``rate_limit_next``, the answer is 429 and the client must wait
  ``X-Rate-Limit-Time-Reset-Ms``.
- Products: ``POST`` creates one (``name``, ``type``, ``weight``, ``price`` required → else 422;
  a duplicate name or SKU → 409, as BigCommerce does); ``PUT`` on the collection updates up to 10,
  each with its ``id`` (more → 413; an unknown id → 404 and nothing is written, so a client must
  retry the others); nested ``variants`` with ``option_values`` are created with their product.
- Variants: ``GET ?sku=`` and batch ``PUT`` (≤ 50, each with ``id``).
- Inventory: ``PUT /v3/inventory/adjustments/absolute`` (≤ 2,000 items, addressed by ``sku``,
  ``variant_id`` or ``product_id``); addressing by product a product tracked by variant answers 422
  (``application/problem+json``), as the documentation says.
"""

import itertools
import time

from tests.connectors.fakes.base import Answer, FakePlatform

PRODUCT_BATCH, VARIANT_BATCH, INVENTORY_BATCH = 10, 50, 2000
REQUIRED = ("name", "type", "weight", "price")
READ_ONLY = ("id", "date_created", "date_modified", "calculated_price", "base_variant_id")


def _problem(status, title, errors=None):
    return Answer(status, {"status": status, "title": title, "type": "https://developer.bigcommerce.com/api-docs/"
                           "getting-started/api-status-codes", "errors": errors or {}})


class FakeBigCommerce(FakePlatform):
    def __init__(self, *, store_hash="abc123", access_token="bc_test", quota=150, window_ms=30000):
        super().__init__()
        self.store_hash, self.access_token = store_hash, access_token
        self.quota, self.window_ms = quota, window_ms
        self.products = {}  # id → product, variants included under "variants"
        self.inventory = {}  # (location id, variant id) → quantity
        self._ids = itertools.count(111)
        self._variant_ids = itertools.count(1)
        self._window_started, self._used = time.monotonic(), 0
        self._forced = []

    # --- inspection and seeding, for tests ----------------------------------------------------------

    def product_by_sku(self, sku):
        return next((p for p in self.products.values() if p["sku"] == sku), None)

    def inventory_level(self, *, location_id, product_id=None, variant_id=None):
        if variant_id is None:
            variant_id = self.products[product_id]["base_variant_id"]
        return self.inventory.get((location_id, variant_id))

    def add_product(self, **fields):
        """A product already in the store (for lookups and pulls); returns its id."""
        return self._create({"type": "physical", "weight": 0, "price": 0, **fields})["id"]

    def rate_limit_next(self, *, reset_ms=100, times=1):
        """The next ``times`` requests answer 429 with ``X-Rate-Limit-Time-Reset-Ms: reset_ms``."""
        self._forced.extend([reset_ms] * times)

    # --- HTTP -------------------------------------------------------------------------------------------

    def _rate_headers(self, reset_ms=None):
        elapsed_ms = (time.monotonic() - self._window_started) * 1000
        return {"X-Rate-Limit-Time-Window-Ms": self.window_ms,
                "X-Rate-Limit-Time-Reset-Ms": reset_ms if reset_ms is not None else max(0, int(self.window_ms - elapsed_ms)),
                "X-Rate-Limit-Requests-Quota": self.quota,
                "X-Rate-Limit-Requests-Left": max(0, self.quota - self._used)}

    def handle(self, request):
        if (time.monotonic() - self._window_started) * 1000 >= self.window_ms:
            self._window_started, self._used = time.monotonic(), 0
        if self._forced:
            reset_ms = self._forced.pop(0)
            return Answer(429, {"status": 429, "title": "Too many requests"}, self._rate_headers(reset_ms))
        if self._used >= self.quota:
            return Answer(429, {"status": 429, "title": "Too many requests"}, self._rate_headers())
        self._used += 1
        answer = self._route(request)
        answer.headers = {**self._rate_headers(), **answer.headers}
        return answer

    def _route(self, request):
        prefix = f"/stores/{self.store_hash}/"
        if not request.path.startswith(prefix):
            return _problem(404, "Store not found")
        if request.headers.get("x-auth-token") != self.access_token:
            return _problem(401, "Unauthorized")
        path, method = request.path[len(prefix):].rstrip("/"), request.method
        if (method, path) == ("GET", "v2/store"):
            return Answer(200, {"id": self.store_hash, "domain": "fake-store.example", "name": "Fake store",
                                "currency": "EUR"})
        if path == "v3/catalog/products":
            return {"GET": self._list, "POST": self._post, "PUT": self._put_batch}.get(
                method, lambda _: _problem(405, "Method not allowed"))(request)
        if path.startswith("v3/catalog/products/"):
            product = self.products.get(int(path.rsplit("/", 1)[1]) if path.rsplit("/", 1)[1].isdigit() else -1)
            if product is None:
                return _problem(404, "The requested product was not found.")
            if method == "GET":
                return Answer(200, {"data": self._view(product, True), "meta": {}})
            if method == "PUT":
                return self._put_batch(request, [{**(request.json or {}), "id": product["id"]}], single=True)
        if path == "v3/catalog/variants":
            return self._variants(request)
        if (method, path) == ("PUT", "v3/inventory/adjustments/absolute"):
            return self._adjust(request.json or {})
        return _problem(404, "Not found")

    # --- products -----------------------------------------------------------------------------------------

    def _view(self, product, with_variants):
        view = {k: v for k, v in product.items() if k != "variants"}
        if with_variants:
            view["variants"] = [dict(v) for v in product["variants"]]
        return view

    def _list(self, request):
        query = request.query
        limit = min(int(query.get("limit", 50)), 250)
        page = max(int(query.get("page", 1)), 1)
        products = list(self.products.values())
        for name, key in (("sku", "sku"), ("upc", "upc"), ("gtin", "gtin"), ("mpn", "mpn")):
            if name in query:
                products = [p for p in products if p.get(key) == query[name]]
        if "sku:in" in query:
            wanted = set(query["sku:in"].split(","))
            products = [p for p in products if p["sku"] in wanted]
        if "id:in" in query:
            wanted = {int(i) for i in query["id:in"].split(",") if i.isdigit()}
            products = [p for p in products if p["id"] in wanted]
        total, start = len(products), (page - 1) * limit
        pages = max(1, -(-total // limit))
        data = [self._view(p, "variants" in query.get("include", "")) for p in products[start : start + limit]]
        links = {"current": f"?page={page}&limit={limit}"}
        if page < pages:
            links["next"] = f"?page={page + 1}&limit={limit}"
        return Answer(200, {"data": data, "meta": {"pagination": {
            "total": total, "count": len(data), "per_page": limit, "current_page": page, "total_pages": pages,
            "links": links}}})

    def _conflict(self, fields, ignore_id=None):
        for product in self.products.values():
            if product["id"] == ignore_id:
                continue
            if fields.get("name") is not None and product["name"] == fields["name"]:
                return _problem(409, "The product name is a duplicate", {"name": "The product name is a duplicate"})
            if fields.get("sku") and product["sku"] == fields["sku"]:
                return _problem(409, "The product sku is a duplicate", {"sku": "The product sku is a duplicate"})
        return None

    def _post(self, request):
        fields = request.json if isinstance(request.json, dict) else {}
        missing = {name: f"{name} is required" for name in REQUIRED if fields.get(name) in (None, "")}
        if missing:
            return _problem(422, "JSON data is missing or invalid", missing)
        if fields["type"] not in ("physical", "digital"):
            return _problem(422, "JSON data is missing or invalid", {"type": "type must be physical or digital"})
        conflict = self._conflict(fields)
        if conflict:
            return conflict
        return Answer(200, {"data": self._view(self._create(fields), True), "meta": {}})

    def _create(self, fields):
        product_id = next(self._ids)
        product = {"id": product_id, "name": fields["name"], "type": fields["type"], "sku": fields.get("sku", ""),
                   "description": fields.get("description", ""), "weight": fields["weight"], "price": fields["price"],
                   "sale_price": fields.get("sale_price", 0), "upc": fields.get("upc", ""),
                   "gtin": fields.get("gtin", ""), "mpn": fields.get("mpn", ""),
                   "is_visible": fields.get("is_visible", True),
                   "inventory_tracking": fields.get("inventory_tracking", "none"), "variants": []}
        base = {"id": next(self._variant_ids), "product_id": product_id, "sku": product["sku"],
                "price": None, "option_values": []}
        product["base_variant_id"] = base["id"]
        product["variants"].append(base)
        for variant in fields.get("variants") or []:
            product["variants"].append({"id": next(self._variant_ids), "product_id": product_id,
                                        "sku": variant.get("sku", ""), "price": variant.get("price"),
                                        "sale_price": variant.get("sale_price"), "gtin": variant.get("gtin", ""),
                                        "option_values": variant.get("option_values", [])})
        if len(product["variants"]) > 1:
            product["variants"].pop(0)  # with options, the variants replace the base one
            product["base_variant_id"] = product["variants"][0]["id"]
        self.products[product_id] = product
        return product

    def _put_batch(self, request, items=None, single=False):
        items = items if items is not None else request.json
        if not isinstance(items, list) or not items:
            return _problem(422, "The request body must be a list of products.")
        if len(items) > PRODUCT_BATCH:
            return _problem(413, f"The batch exceeds the limit of {PRODUCT_BATCH} products.")
        for item in items:
            if not isinstance(item, dict) or item.get("id") not in self.products:
                return _problem(404, "The requested product was not found.", {"id": str(item.get("id"))})
            conflict = self._conflict(item, ignore_id=item["id"])
            if conflict:
                return conflict
        for item in items:
            product = self.products[item["id"]]
            product.update({k: v for k, v in item.items() if k not in READ_ONLY and k != "variants"})
        data = [self._view(self.products[item["id"]], False) for item in items]
        return Answer(200, {"data": data[0] if single else data, "meta": {}})

    # --- variants and inventory ---------------------------------------------------------------------------

    def _all_variants(self):
        return {v["id"]: v for p in self.products.values() for v in p["variants"]}

    def _variants(self, request):
        variants = self._all_variants()
        if request.method == "GET":
            found = [v for v in variants.values() if "sku" not in request.query or v["sku"] == request.query["sku"]]
            return Answer(200, {"data": found, "meta": {}})
        if request.method != "PUT":
            return _problem(405, "Method not allowed")
        items = request.json if isinstance(request.json, list) else []
        if not items or len(items) > VARIANT_BATCH:
            return _problem(422, f"Send between 1 and {VARIANT_BATCH} variants.")
        if any(item.get("id") not in variants for item in items):
            return _problem(404, "The requested variant was not found.")
        for item in items:
            variants[item["id"]].update({k: v for k, v in item.items() if k != "id"})
        return Answer(200, {"data": [variants[item["id"]] for item in items], "meta": {}})

    def _adjust(self, body):
        items = body.get("items") or []
        if not items or len(items) > INVENTORY_BATCH:
            return _problem(422, f"Send between 1 and {INVENTORY_BATCH} items.")
        variants = self._all_variants()
        targets = []
        for index, item in enumerate(items):
            if "product_id" in item:
                product = self.products.get(item["product_id"])
                if product is None:
                    return _problem(422, "Product not found", {f"items.{index}.product_id": "not found"})
                if len(product["variants"]) > 1:
                    return _problem(422, "The product's inventory is tracked by variant",
                                    {f"items.{index}.product_id": "inventory is tracked by variant"})
                variant_id = product["base_variant_id"]
            elif "variant_id" in item:
                variant_id = item["variant_id"] if item["variant_id"] in variants else None
            else:
                variant_id = next((v["id"] for v in variants.values() if v["sku"] == item.get("sku")), None)
            if variant_id is None:
                return _problem(422, "Item not found", {f"items.{index}": "no such variant or sku"})
            targets.append(((item.get("location_id", 1), variant_id), item["quantity"]))
        for key, quantity in targets:
            self.inventory[key] = quantity
        return Answer(200, {"transaction_id": f"txn-{len(self.received)}"})
