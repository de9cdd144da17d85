"""A fake BigCommerce store speaking the REST Catalog API v3 (and v2 store information), as
``https://api.bigcommerce.com/stores/{store_hash}/…`` does.

HTTP contract
- Paths under ``/stores/{store_hash}/``; another store hash → 404. Header ``X-Auth-Token`` missing
  or wrong → 401 ``{"status": 401, "title": …, "type": …, "errors": {}}``.
- Errors have BigCommerce's shape ``{"status", "title", "type", "errors": {field: message}}``
  (``application/problem+json`` from the inventory API, as documented).
- Rate limit: a fixed window of ``window_ms`` opened by the first request, ``quota`` requests in it.
  Every answer (faults included) carries ``X-Rate-Limit-Time-Window-Ms``,
  ``X-Rate-Limit-Time-Reset-Ms`` (until the window ends), ``X-Rate-Limit-Requests-Quota`` and
  ``X-Rate-Limit-Requests-Left``; an authenticated request over quota answers 429 with them, and
  the client must wait Reset-Ms. ``rate_limit_next(reset_ms=…, times=…)`` forces such 429s.
  Refused (401/404) and 429 requests, and injected faults, do not use the quota.

Endpoints (``/stores/{store_hash}/`` omitted)
- ``GET v2/store``: the store information object (bare, no envelope).
- ``GET v3/catalog/products``: ``{"data": [...], "meta": {"pagination": {total, count, per_page,
  current_page, total_pages, links: {previous?, current, next?}}}}``; ``page``, ``limit`` (default
  50, capped at 250; not a positive integer → 422); filters ``id``, ``id:in``, ``name``,
  ``name:like``, ``sku``, ``sku:in`` (the product's own SKU, not its variants'), ``upc``, ``mpn``,
  ``type``, ``is_visible``, ``keyword``; ``include=variants``; ``include_fields`` /
  ``exclude_fields``. Other parameters are ignored — ``gtin`` too: BigCommerce documents no such
  filter. Sorted by id.
- ``POST v3/catalog/products``: one product; ``name``, ``type`` (physical|digital), ``weight`` and
  ``price`` required, else 422 (``errors: {field: "error.path.missing"}``); a duplicate product
  name, or a SKU already used by any product or variant → 409; nested ``variants[]`` (each with
  ``sku`` and ``option_values`` [{option_display_name, label}], else 422) take the place of the
  base variant. Answers 200 ``{"data": the product with its variants, "meta": {}}``.
- ``PUT v3/catalog/products`` (batch): a JSON array of 1–10 products, each with ``id``; more than
  10 → 413 with BigCommerce's documented title. An unknown id → 404 and nothing is written: 404
  rather than 207, because BigCommerce documents 207 for products that were updated but some of
  whose attributes (inventory, URL) failed, not for products that do not exist. Answers
  ``{"data": [...], "meta": {}}``. ``GET`` / ``PUT v3/catalog/products/{id}`` (unknown → 404);
  nested ``variants`` of a product PUT update that product's variants by id (creating one → 422).
- ``GET v3/catalog/variants`` (``id``, ``id:in``, ``sku``, ``sku:in``, ``product_id``,
  ``product_id:in``, paged as products), ``GET v3/catalog/products/{id}/variants``, and
  ``PUT v3/catalog/variants``: a batch of 1–50 with ``id`` (more → 413, an unknown id → 404):
  ``price`` (null: the product's), ``sale_price``, ``retail_price``, ``cost_price``, ``sku``,
  ``upc``, ``gtin``, ``mpn``, ``weight``, ``inventory_level``, ….
- ``PUT v3/inventory/adjustments/absolute`` ``{"reason", "items": [{location_id, sku | variant_id |
  product_id, quantity}]}``: 1–2,000 items (else 422), all or nothing; answers 200
  ``{"transaction_id"}``. A product's stock is tracked by product or by variant — its
  ``inventory_tracking`` when that says which, else by variant exactly when it has option variants
  — and addressing the other level answers 422 in BigCommerce's words ("[Item with variant_id 106
  is tracked by product, please update stock by product id]"), as does an unknown item or
  location or a negative quantity. Stock is kept per location; the ``inventory_level`` of products
  and variants is its sum.

Simplifications: a simple product's base variant shares the product's SKU and stock;
``base_variant_id`` is null for products with option variants, as BigCommerce documents; fields
the fake does not know are ignored; no categories requirement (newer product experience), no
images, custom fields, modifiers or price lists.
"""

import itertools
import time
import uuid
from datetime import UTC, datetime

from tests.connectors.fakes.base import Answer, FakePlatform

PRODUCT_BATCH, VARIANT_BATCH, INVENTORY_BATCH, MAX_PAGE_SIZE = 10, 50, 2000, 250
ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
REQUIRED = ("name", "type", "weight", "price")
NUMBERS = ("price", "weight", "width", "depth", "height", "cost_price", "retail_price", "sale_price",
           "map_price")
PRODUCT_DEFAULTS = {  # in BigCommerce's order
    "name": "", "type": "physical", "sku": "", "description": "", "weight": 0, "width": 0, "depth": 0,
    "height": 0, "price": 0, "cost_price": 0, "retail_price": 0, "sale_price": 0, "map_price": 0,
    "tax_class_id": 0, "product_tax_code": "", "categories": (), "brand_id": 0, "inventory_level": 0,
    "inventory_warning_level": 0, "inventory_tracking": "none", "is_free_shipping": False, "is_visible": True,
    "is_featured": False, "upc": "", "mpn": "", "gtin": "", "search_keywords": "",
    "availability": "available", "condition": "New", "page_title": "", "meta_description": "",
}
PRODUCT_FIELDS = set(PRODUCT_DEFAULTS)  # what a POST or PUT may set
VARIANT_FIELDS = {
    "sku", "price", "sale_price", "retail_price", "cost_price", "map_price", "weight", "width", "height",
    "depth", "upc", "mpn", "gtin", "inventory_level", "inventory_warning_level", "bin_picking_number",
    "purchasing_disabled", "purchasing_disabled_message", "is_free_shipping",
}
INTERNAL = ("variants", "stock")  # product keys that are the fake's, not BigCommerce's
SUB_RESOURCES = {"images", "custom_fields", "bulk_pricing_rules", "primary_image", "modifiers", "options",
                 "videos"}


def _now():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _problem(status, title, errors=None, *, problem_json=False):
    body = {"status": status, "title": title, "type": ERROR_TYPE, "errors": errors or {}}
    return Answer(status, body, {"Content-Type": "application/problem+json"} if problem_json else {})


def _too_large(limit):
    return _problem(413, "The request payload is too large. The maximum items allowed in the array is "
                         f"{limit}.")


def _invalid(errors):
    return _problem(422, "JSON data is missing or invalid", errors)


def _is_amount(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _ints(text):
    """``"1,2,x"`` → {1, 2}: the integers of a comma-separated filter."""
    return {int(part) for part in str(text).split(",") if part.strip().isdigit()}


def _names(text):
    return {name.strip() for name in str(text or "").split(",") if name.strip()}


class FakeBigCommerce(FakePlatform):
    """A BigCommerce store; see the module docstring for the protocol and the simplifications."""

    def __init__(self, store_hash="abc123", access_token="bc_test", quota=150, window_ms=30000, *,
                 store_name="Fake store", locations=None):
        super().__init__()
        self.store_hash, self.access_token, self.store_name = store_hash, access_token, store_name
        self.quota, self.window_ms = quota, window_ms
        self.locations = dict(locations or {1: "Default location"})  # id → name
        self.products = {}  # id → product; its variants under "variants", its own stock under "stock"
        self.prefix = f"/stores/{store_hash}/"
        self._ids, self._variant_ids = itertools.count(111), itertools.count(1)
        self._option_ids, self._value_ids = itertools.count(1), itertools.count(1)
        self._window_started, self._used = None, 0
        self._forced_429 = []  # Reset-Ms of the next forced 429s
        # Indexes, so no request scans the catalog; entries are checked on use, which keeps them
        # right when a test edits ``products`` directly (e.g. ``products.clear()``).
        self._variants = {}  # variant id → variant (its stock per location under "stock")
        self._by_name = {}  # product name → product id
        self._product_skus = {}  # product-level SKU → product id
        self._variant_skus = {}  # variant SKU → variant id
        self._order, self._variant_order = [], []  # ids, ascending

    # --- inspection and seeding, for tests ----------------------------------------------------------

    def rate_limit_next(self, *, reset_ms=100, times=1):
        """The next ``times`` authenticated requests answer 429, with ``X-Rate-Limit-Time-Reset-Ms:
        reset_ms`` and ``X-Rate-Limit-Requests-Left: 0``."""
        with self._lock:
            self._forced_429.extend([reset_ms] * times)

    def product_by_sku(self, sku):
        """The product whose own SKU, or one of whose variants' SKU, is ``sku`` (None if none)."""
        product = self._product_of_sku(sku)
        if product is None:
            variant = self._variant_of_sku(sku)
            product = self.products.get(variant["product_id"]) if variant else None
        return product

    def variant_by_sku(self, sku):
        return self._variant_of_sku(sku)

    def inventory_level(self, *, location_id, product_id=None, variant_id=None, sku=None):
        """The quantity at ``location_id`` of a product (its own stock, or the sum of its variants'),
        a variant or a SKU; None when nothing was ever set there."""
        with self._lock:
            if product_id is not None:
                product = self.products.get(product_id)
                if product is None:
                    return None
                if self._tracked_by(product) == "product":
                    return product["stock"].get(location_id)
                levels = [v["stock"][location_id] for v in product["variants"] if location_id in v["stock"]]
                return sum(levels) if levels else None
            variant = self._variant_of_sku(sku) if sku is not None else self._live_variant(variant_id)
            if variant is None:
                return None
            product = self.products[variant["product_id"]]
            holder = product if self._tracked_by(product) == "product" else variant
            return holder["stock"].get(location_id)

    def add_product(self, **fields):
        """A product already in the store (for lookups and pulls): the fields of a POST, with
        defaults for the required ones. Returns its id."""
        fields = {"type": "physical", "weight": 0, "price": 0, **fields}
        with self._lock:
            refusal = self._product_errors(fields, creating=True) or self._conflict(fields)
            if refusal:
                raise ValueError(f"add_product refused: {refusal.body}")
            return self._create(fields)["id"]

    # --- HTTP -------------------------------------------------------------------------------------------

    def fault_body(self, status):
        return _problem(status, f"HTTP {status}").body

    def common_headers(self):
        return self._rate_headers()

    def _rate_headers(self, *, reset_ms=None, left=None):
        now = time.monotonic()
        if self._window_started is None or (now - self._window_started) * 1000 >= self.window_ms:
            elapsed_ms, used = 0, 0  # the next counted request opens a new window
        else:
            elapsed_ms, used = (now - self._window_started) * 1000, self._used
        if reset_ms is None:
            reset_ms = int(self.window_ms - elapsed_ms)
        return {"X-Rate-Limit-Time-Window-Ms": self.window_ms, "X-Rate-Limit-Time-Reset-Ms": reset_ms,
                "X-Rate-Limit-Requests-Quota": self.quota,
                "X-Rate-Limit-Requests-Left": max(0, self.quota - used) if left is None else left}

    def handle(self, request):
        if not request.path.startswith(self.prefix):
            return _problem(404, "Store not found")
        if request.headers.get("X-Auth-Token") != self.access_token:
            return _problem(401, "Unauthorized: the X-Auth-Token is missing or invalid")
        too_many = _problem(429, "Too many requests: the rate limit of this store is exceeded")
        if self._forced_429:
            too_many.headers.update(self._rate_headers(reset_ms=self._forced_429.pop(0), left=0))
            return too_many
        now = time.monotonic()
        if self._window_started is None or (now - self._window_started) * 1000 >= self.window_ms:
            self._window_started, self._used = now, 0
        if self._used >= self.quota:
            too_many.headers.update(self._rate_headers(left=0))
            return too_many
        self._used += 1
        return self._route(request)

    def _route(self, request):
        path, method, query = request.path[len(self.prefix):].strip("/"), request.method, request.query
        parts = path.split("/")
        if path == "v2/store":
            return self._allow(method, GET=lambda: Answer(200, self._store_information()))
        if path == "v3/catalog/products":
            return self._allow(method, GET=lambda: self._list_products(query),
                               POST=lambda: self._post_product(request),
                               PUT=lambda: self._put_products(request))
        if parts[:3] == ["v3", "catalog", "products"] and len(parts) in (4, 5):
            product = self.products.get(int(parts[3])) if parts[3].isdigit() else None
            if product is None:
                return _problem(404, "The requested product was not found.")
            if len(parts) == 5:
                if parts[4] != "variants":
                    return _problem(404, "Not found")
                return self._allow(method, GET=lambda: self._list_variants(query, product["id"]))
            return self._allow(method, PUT=lambda: self._put_product(request, product),
                               GET=lambda: Answer(200, {"data": self._view(product, query), "meta": {}}))
        if path == "v3/catalog/variants":
            return self._allow(method, GET=lambda: self._list_variants(query),
                               PUT=lambda: self._put_variants(request))
        if path == "v3/inventory/adjustments/absolute":
            return self._allow(method, PUT=lambda: self._adjust(request))
        return _problem(404, "Not found")

    @staticmethod
    def _allow(method, **handlers):
        handler = handlers.get(method)
        return handler() if handler else _problem(405, f"Method {method} is not allowed here")

    def _store_information(self):
        domain = f"{self.store_name.lower().replace(' ', '-')}.mybigcommerce.com"
        return {
            "id": self.store_hash, "account_uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, self.store_hash)),
            "domain": domain, "secure_url": f"https://{domain}",
            "control_panel_base_url": f"https://store-{self.store_hash}.mybigcommerce.com", "status": "live",
            "name": self.store_name, "first_name": "Fake", "last_name": "Owner", "address": "",
            "country": "France", "country_code": "FR", "phone": "", "admin_email": f"owner@{domain}",
            "order_email": f"orders@{domain}", "language": "en", "currency": "EUR", "currency_symbol": "€",
            "decimal_separator": ",", "thousands_separator": ".", "decimal_places": 2, "weight_units": "kg",
            "dimension_units": "Centimeters", "plan_name": "Standard",
            "timezone": {"name": "Europe/Paris", "raw_offset": 3600, "dst_offset": 7200,
                         "dst_correction": True},
        }

    # --- indexes ------------------------------------------------------------------------------------------

    def _product_of_sku(self, sku):
        product = self.products.get(self._product_skus.get(sku))
        return product if product is not None and sku and product["sku"] == sku else None

    def _live_variant(self, variant_id):
        variant = self._variants.get(variant_id)
        product = self.products.get(variant["product_id"]) if variant else None
        return variant if product is not None and any(v is variant for v in product["variants"]) else None

    def _variant_of_sku(self, sku):
        variant = self._live_variant(self._variant_skus.get(sku))
        return variant if variant is not None and sku and variant["sku"] == sku else None

    def _sku_taken(self, sku, product_id):
        """Whether ``sku`` is another product's than ``product_id`` (its own or one of its variants')."""
        variant = self._variant_of_sku(sku)
        owner = self._product_of_sku(sku) or (self.products.get(variant["product_id"]) if variant else None)
        return owner is not None and owner["id"] != product_id

    def _name_taken(self, name, product_id):
        owner = self.products.get(self._by_name.get(name))
        return owner is not None and owner["name"] == name and owner["id"] != product_id

    def _set_product_sku(self, product, sku):
        if self._product_skus.get(product["sku"]) == product["id"]:
            del self._product_skus[product["sku"]]
        product["sku"] = sku
        if sku:
            self._product_skus[sku] = product["id"]
        if product["base_variant_id"] is not None:  # a simple product: its base variant has the same SKU
            self._set_variant_sku(self._variants[product["base_variant_id"]], sku)

    def _set_variant_sku(self, variant, sku):
        if self._variant_skus.get(variant["sku"]) == variant["id"]:
            del self._variant_skus[variant["sku"]]
        variant["sku"] = sku
        if sku:
            self._variant_skus[sku] = variant["id"]

    @staticmethod
    def _ordered(order, objects):
        """``order`` (ids, ascending) made to match ``objects`` again if it drifted (a test removed
        entries); creations append to it, so it stays sorted without a rebuild."""
        if len(order) != len(objects):
            order[:] = sorted(objects)
        return order

    # --- views and pages ------------------------------------------------------------------------------------

    @staticmethod
    def _tracked_by(product):
        if product["inventory_tracking"] in ("product", "variant"):
            return product["inventory_tracking"]
        return "product" if product["base_variant_id"] is not None else "variant"

    def _variant_view(self, variant, product, query=None):
        view = {k: v for k, v in variant.items() if k != "stock"}
        # A variant without its own price has the product's (and its sale price).
        if variant["price"] is None:
            view["calculated_price"] = variant["sale_price"] or product["sale_price"] or product["price"]
        else:
            view["calculated_price"] = variant["sale_price"] or variant["price"]
        view["calculated_weight"] = product["weight"] if variant["weight"] is None else variant["weight"]
        holder = product if self._tracked_by(product) == "product" else variant
        view["inventory_level"] = sum(holder["stock"].values())
        return self._select(view, query)

    def _view(self, product, query, *, with_variants=False):
        view = {k: v for k, v in product.items() if k not in INTERNAL}
        view["categories"] = list(product["categories"])
        view["calculated_price"] = product["sale_price"] or product["price"]
        if self._tracked_by(product) == "product":
            view["inventory_level"] = sum(product["stock"].values())
        else:
            view["inventory_level"] = sum(sum(v["stock"].values()) for v in product["variants"])
        view = self._select(view, query)
        includes = _names(query.get("include"))
        if with_variants or "variants" in includes:
            view["variants"] = [self._variant_view(v, product) for v in product["variants"]]
        for sub_resource in includes & SUB_RESOURCES:  # the fake has none of these
            view[sub_resource] = None if sub_resource == "primary_image" else []
        return view

    @staticmethod
    def _select(view, query):
        """``include_fields`` / ``exclude_fields`` applied (``id`` always stays)."""
        if not query:
            return view
        included, excluded = _names(query.get("include_fields")), _names(query.get("exclude_fields"))
        if included:
            view = {k: v for k, v in view.items() if k in included or k == "id"}
        return {k: v for k, v in view.items() if k not in excluded or k == "id"}

    def _page(self, ids, query, view):
        """A page of ``ids`` (ascending) as ``{"data", "meta": {"pagination"}}``, or a 422."""
        try:
            limit, page = int(query.get("limit", 50)), int(query.get("page", 1))
        except ValueError:
            limit = page = 0
        if limit < 1 or page < 1:
            return _problem(422, "The filter(s): page, limit are invalid.",
                            {"page": "a positive integer", "limit": "a positive integer"})
        limit = min(limit, MAX_PAGE_SIZE)
        pages = max(1, -(-len(ids) // limit))
        data = [view(i) for i in ids[(page - 1) * limit : page * limit]]
        links = {"current": f"?page={page}&limit={limit}"}
        if page > 1:
            links["previous"] = f"?page={page - 1}&limit={limit}"
        if page < pages:
            links["next"] = f"?page={page + 1}&limit={limit}"
        return Answer(200, {"data": data, "meta": {"pagination": {
            "total": len(ids), "count": len(data), "per_page": limit, "current_page": page,
            "total_pages": pages, "links": links}}})

    # --- products -----------------------------------------------------------------------------------------

    def _list_products(self, query):
        # Filters with an index give the candidates; the others are checked on each candidate.
        indexed = []
        if "id" in query:
            indexed.append(_ints(query["id"]))
        if "id:in" in query:
            indexed.append(_ints(query["id:in"]))
        if "sku" in query or "sku:in" in query:
            skus = [query["sku"]] if "sku" in query else query["sku:in"].split(",")
            indexed.append({p["id"] for p in map(self._product_of_sku, skus) if p is not None})
        if "name" in query:
            indexed.append({self._by_name[query["name"]]} if query["name"] in self._by_name else set())
        checks = []
        for key in ("name", "upc", "mpn", "type"):
            if key in query:
                checks.append(lambda p, key=key: str(p[key]) == query[key])
        if "is_visible" in query:
            checks.append(lambda p: p["is_visible"] == (query["is_visible"].lower() in ("1", "true")))
        if "name:like" in query:
            checks.append(lambda p: query["name:like"].lower() in p["name"].lower())
        if "keyword" in query:
            word = query["keyword"].lower()
            checks.append(lambda p: word in p["name"].lower() or word in p["sku"].lower())
        ids = sorted(set.intersection(*indexed)) if indexed else self._ordered(self._order, self.products)
        if checks or indexed:
            ids = [i for i in ids if i in self.products and all(check(self.products[i]) for check in checks)]
        return self._page(ids, query, lambda i: self._view(self.products[i], query))

    def _product_errors(self, fields, *, creating):
        """A 422 for what is missing or malformed in a product's fields, or None."""
        if not isinstance(fields, dict):
            return _invalid({"product": "must be a JSON object"})
        errors = {name: "error.path.missing" for name in REQUIRED if creating and fields.get(name) is None}
        name = fields.get("name", "")
        if "name" in fields and not (isinstance(name, str) and 1 <= len(name.strip()) <= 250):
            errors["name"] = "The name must be 1 to 250 characters."
        if "type" in fields and fields["type"] not in ("physical", "digital"):
            errors["type"] = "The type must be physical or digital."
        for name in NUMBERS:
            if fields.get(name) is not None and not _is_amount(fields[name]):
                errors[name] = f"The {name} must be a number of at least 0."
        for name in ("sku", "upc", "mpn", "gtin", "description"):
            if fields.get(name) is not None and not isinstance(fields[name], str):
                errors[name] = f"The {name} must be a string."
        if fields.get("inventory_tracking", "none") not in ("none", "product", "variant"):
            errors["inventory_tracking"] = "The inventory_tracking must be none, product or variant."
        level = fields.get("inventory_level")
        if level is not None and not (isinstance(level, int) and _is_amount(level)):
            errors["inventory_level"] = "The inventory_level must be an integer of at least 0."
        variants = fields.get("variants")
        if variants is not None and not isinstance(variants, list):
            errors["variants"] = "The variants must be an array."
        for n, variant in enumerate(variants if isinstance(variants, list) else []):
            if not isinstance(variant, dict):
                errors[f"variants.{n}"] = "A variant must be a JSON object."
                continue
            if creating and not variant.get("sku"):
                errors[f"variants.{n}.sku"] = "error.path.missing"
            if creating and not variant.get("option_values"):
                errors[f"variants.{n}.option_values"] = "error.path.missing"
            if not creating and not variant.get("id"):
                errors[f"variants.{n}.id"] = "Create variants with POST /v3/catalog/products/{id}/variants."
            for name in NUMBERS:
                if variant.get(name) is not None and not _is_amount(variant[name]):
                    errors[f"variants.{n}.{name}"] = f"The {name} must be a number of at least 0."
        return _invalid(errors) if errors else None

    def _conflict(self, fields, product_id=None):
        """A 409 when a product's name, or a SKU it brings, is another product's; else None."""
        if fields.get("name") is not None and self._name_taken(fields["name"], product_id):
            return _problem(409, "The product name is a duplicate", {"name": "The name is already in use"})
        skus = [fields.get("sku")] + [v.get("sku") for v in fields.get("variants") or []]
        skus = [sku for sku in skus if sku]
        if len(skus) != len(set(skus)):
            return _problem(409, "The product sku is a duplicate", {"sku": "A SKU is given twice"})
        for sku in skus:
            if self._sku_taken(sku, product_id):
                return _problem(409, "The product sku is a duplicate", {"sku": f"The SKU {sku} is in use"})
        return None

    def _post_product(self, request):
        fields = request.json
        refusal = self._product_errors(fields, creating=True) or self._conflict(fields)
        if refusal:
            return refusal
        product = self._create(fields)
        return Answer(200, {"data": self._view(product, request.query, with_variants=True), "meta": {}})

    def _create(self, fields):
        now = _now()
        product = {"id": next(self._ids), **PRODUCT_DEFAULTS, "name": fields["name"], "type": fields["type"],
                   "weight": fields["weight"], "price": fields["price"], "date_created": now,
                   "date_modified": now, "base_variant_id": None, "variants": [], "stock": {}}
        product.update({k: v for k, v in fields.items() if k in PRODUCT_FIELDS - {"sku", "inventory_level"}})
        self.products[product["id"]] = product
        self._order.append(product["id"])
        self._by_name[product["name"]] = product["id"]
        options = {}  # option display name → {"id": option id, label: value id}
        for data in fields.get("variants") or []:
            values = []
            for value in data["option_values"]:
                option = options.setdefault(value.get("option_display_name"), {"id": next(self._option_ids)})
                value_id = option.setdefault(value.get("label"), next(self._value_ids))
                values.append({"id": value_id, "label": value.get("label"), "option_id": option["id"],
                               "option_display_name": value.get("option_display_name")})
            product["variants"].append(self._new_variant(product, data, values))
        if not product["variants"]:  # a simple product: one base variant, the product itself
            base = self._new_variant(product, {}, [])
            product["variants"].append(base)
            product["base_variant_id"] = base["id"]
        self._set_product_sku(product, fields.get("sku") or "")
        if fields.get("inventory_level") is not None and self._tracked_by(product) == "product":
            product["stock"][min(self.locations)] = fields["inventory_level"]
        return product

    def _new_variant(self, product, data, option_values):
        variant = {
            "id": next(self._variant_ids), "product_id": product["id"], "sku": "",
            "sku_id": next(self._value_ids) if option_values else None, "price": None, "sale_price": None,
            "retail_price": None, "cost_price": 0, "map_price": None, "weight": None, "width": None,
            "height": None, "depth": None, "upc": "", "mpn": "", "gtin": "", "inventory_warning_level": 0,
            "bin_picking_number": "", "purchasing_disabled": False, "purchasing_disabled_message": "",
            "is_free_shipping": False, "option_values": option_values, "stock": {},
        }
        variant.update({k: v for k, v in data.items() if k in VARIANT_FIELDS - {"sku", "inventory_level"}})
        self._variants[variant["id"]] = variant
        self._variant_order.append(variant["id"])
        self._set_variant_sku(variant, data.get("sku") or "")
        if data.get("inventory_level") is not None:
            variant["stock"][min(self.locations)] = data["inventory_level"]
        return variant

    def _update(self, product, fields):
        """Applies a validated PUT to a product (and to its variants, by id)."""
        for key, value in fields.items():
            if key == "sku":
                self._set_product_sku(product, value)
            elif key == "name":
                if self._by_name.get(product["name"]) == product["id"]:
                    del self._by_name[product["name"]]
                product["name"] = value
                self._by_name[value] = product["id"]
            elif key == "inventory_level":  # the legacy way: the default location's stock
                if self._tracked_by(product) == "product":
                    product["stock"][min(self.locations)] = value
            elif key in PRODUCT_FIELDS:
                product[key] = value
        for data in fields.get("variants") or []:
            self._update_variant(self._variants[data["id"]], data)
        product["date_modified"] = _now()

    def _update_variant(self, variant, fields):
        product = self.products[variant["product_id"]]
        for key, value in fields.items():
            if key == "sku" and variant["id"] == product["base_variant_id"]:
                self._set_product_sku(product, value)
            elif key == "sku":
                self._set_variant_sku(variant, value)
            elif key == "inventory_level":
                variant["stock"][min(self.locations)] = value
            elif key in VARIANT_FIELDS:
                variant[key] = value
        product["date_modified"] = _now()

    def _put_product(self, request, product):
        fields = request.json
        refusal = (self._product_errors(fields, creating=False) or self._foreign_variants(product, fields)
                   or self._conflict(fields, product["id"]))
        if refusal:
            return refusal
        self._update(product, fields)
        return Answer(200, {"data": self._view(product, request.query), "meta": {}})

    @staticmethod
    def _foreign_variants(product, fields):
        """A 422 when a product PUT names variants that are not the product's, or None."""
        ids = {v["id"] for v in product["variants"]}
        unknown = [v["id"] for v in fields.get("variants") or [] if v.get("id") not in ids]
        if unknown:
            return _invalid({"variants": f"Variants {unknown} are not variants of product {product['id']}."})
        return None

    def _put_products(self, request):
        items = request.json
        if not isinstance(items, list) or not items:
            return _invalid({"products": "must be a non-empty array"})
        if len(items) > PRODUCT_BATCH:
            return _too_large(PRODUCT_BATCH)
        for n, item in enumerate(items):
            refusal = self._product_errors(item, creating=False)
            if refusal:
                return refusal
            if item.get("id") is None:
                return _invalid({f"{n}.id": "error.path.missing"})
        for item in items:
            product = self.products.get(item["id"])
            if product is None:
                return _problem(404, "The requested product was not found.", {"id": f"unknown: {item['id']}"})
            refusal = self._foreign_variants(product, item) or self._conflict(item, item["id"])
            if refusal:
                return refusal
        for field in ("name", "sku"):  # two items of the batch taking the same name or SKU
            values = [item[field] for item in items if item.get(field)]
            if len(values) != len(set(values)):
                return _problem(409, f"The product {field} is a duplicate", {field: "Twice in the batch"})
        for item in items:
            self._update(self.products[item["id"]], item)
        return Answer(200, {"data": [self._view(self.products[item["id"]], request.query) for item in items],
                            "meta": {}})

    # --- variants -------------------------------------------------------------------------------------------

    def _list_variants(self, query, product_id=None):
        indexed = []
        if product_id is not None:
            indexed.append({v["id"] for v in self.products[product_id]["variants"]})
        for key in ("product_id", "product_id:in"):
            if key in query:
                products = [self.products.get(i) for i in _ints(query[key])]
                indexed.append({v["id"] for p in products if p for v in p["variants"]})
        for key in ("id", "id:in"):
            if key in query:
                indexed.append(_ints(query[key]))
        if "sku" in query or "sku:in" in query:
            skus = [query["sku"]] if "sku" in query else query["sku:in"].split(",")
            indexed.append({v["id"] for v in map(self._variant_of_sku, skus) if v is not None})
        if indexed:
            ids = [i for i in sorted(set.intersection(*indexed)) if self._live_variant(i)]
        else:
            ids = [i for i in self._ordered(self._variant_order, self._variants) if self._live_variant(i)]

        def view(variant_id):
            variant = self._variants[variant_id]
            return self._variant_view(variant, self.products[variant["product_id"]], query)

        return self._page(ids, query, view)

    def _put_variants(self, request):
        items = request.json
        if not isinstance(items, list) or not items:
            return _invalid({"variants": "must be a non-empty array"})
        if len(items) > VARIANT_BATCH:
            return _too_large(VARIANT_BATCH)
        errors = {}
        for n, item in enumerate(items):
            if not isinstance(item, dict) or not item.get("id"):
                errors[f"{n}.id"] = "error.path.missing (the fake does not create variants in a batch)"
                continue
            for name in ("sale_price", "retail_price", "cost_price", "map_price", "weight"):
                if item.get(name) is not None and not _is_amount(item[name]):
                    errors[f"{n}.{name}"] = f"The {name} must be a number of at least 0."
            if item.get("price") is not None and not _is_amount(item["price"]):
                errors[f"{n}.price"] = "The price must be a number of at least 0, or null."
            for name in ("sku", "upc", "mpn", "gtin"):
                if item.get(name) is not None and not isinstance(item[name], str):
                    errors[f"{n}.{name}"] = f"The {name} must be a string."
        if errors:
            return _invalid(errors)
        unknown = [item["id"] for item in items if self._live_variant(item["id"]) is None]
        if unknown:
            return _problem(404, "The requested variant was not found.", {"id": f"No variant {unknown}"})
        skus = [item["sku"] for item in items if item.get("sku")]
        if len(skus) != len(set(skus)):
            return _problem(409, "The variant sku is a duplicate", {"sku": "Given twice in the batch"})
        for item in items:
            if item.get("sku") and self._sku_taken(item["sku"], self._variants[item["id"]]["product_id"]):
                return _problem(409, "The variant sku is a duplicate", {"sku": f"{item['sku']} is in use"})
        for item in items:
            self._update_variant(self._variants[item["id"]], item)
        variants = [self._variants[item["id"]] for item in items]
        return Answer(200, {"data": [self._variant_view(v, self.products[v["product_id"]]) for v in variants],
                            "meta": {}})

    # --- inventory ------------------------------------------------------------------------------------------

    def _adjust(self, request):
        body = request.json
        items = body.get("items") if isinstance(body, dict) else None

        def refused(title, errors=None):
            return _problem(422, title, errors, problem_json=True)

        if not isinstance(items, list) or not items:
            return refused("The items are missing", {"items": "error.path.missing"})
        if len(items) > INVENTORY_BATCH:
            return refused(f"Too many items: at most {INVENTORY_BATCH} per request", {"items": "too many"})
        targets = []
        for n, item in enumerate(items):
            item = item if isinstance(item, dict) else {}
            keys = [key for key in ("sku", "variant_id", "product_id") if key in item]
            if len(keys) != 1:
                return refused("Payload contains invalid fields", {
                    f"items.{n}": "One of sku, variant_id or product_id is required to identify the item"})
            key, value = keys[0], item[keys[0]]
            if item.get("location_id") not in self.locations:
                return refused(f"Location {item.get('location_id')} not found",
                               {f"items.{n}.location_id": "Unknown location"})
            quantity = item.get("quantity")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                return refused("Payload contains invalid fields", {f"items.{n}.quantity": "an integer >= 0"})
            if key == "product_id":
                product = holder = self.products.get(value)
                if product is not None and self._tracked_by(product) == "variant":
                    return refused(f"[Item with product_id {value} is tracked by variant, please update "
                                   "stock by variant id or sku]")
            else:
                holder = self._variant_of_sku(value) if key == "sku" else self._live_variant(value)
                product = self.products[holder["product_id"]] if holder else None
                if product is not None and self._tracked_by(product) == "product":
                    return refused(f"[Item with {key} {value} is tracked by product, please update stock by "
                                   "product id]")
            if product is None:
                return refused(f"Items with identity: [{key} {value}] not found",
                               {f"items.{n}.{key}": "not found"})
            targets.append((product, holder, item["location_id"], quantity))
        for product, holder, location, quantity in targets:
            holder["stock"][location] = quantity
            product["date_modified"] = _now()
        return Answer(200, {"transaction_id": str(uuid.uuid4())})
