"""A fake Shopify shop speaking the Admin GraphQL API (``POST /admin/api/{version}/graphql.json``).

It is a real GraphQL server (graphql-core) over the subset of Shopify's schema the connector uses,
so malformed documents get GraphQL validation errors (HTTP 200, as Shopify answers) and aliased
multi-mutation documents work as they do on Shopify.

- Auth: ``X-Shopify-Access-Token``; a missing or wrong token answers 401 with Shopify's body.
- ``productSet`` upserts by ``identifier`` (``id``, ``handle`` or ``customId`` = a metafield);
  list fields are replaced: variants not sent are deleted, matched ones (by id, else SKU, else
  option values) keep their ids and inventory items.
- From API version 2026-07, ``inventorySetQuantities`` requires ``changeFromQuantity`` on every
  quantity (``null`` allowed), as Shopify documents.
- Cost-based throttling: each request's requested cost is computed from its document — a mutation
  field costs 10, an object 1, a scalar 0, and a connection 2 + ``first`` × the cost of one node —
  and paid from a leaky bucket (``bucket_size``, refilled at ``restore_rate`` points/s). A request
  the bucket cannot pay for answers ``Throttled`` (HTTP 200, ``actualQueryCost: null``) and changes
  nothing; a document costing more than 1,000 answers ``MAX_COST_EXCEEDED``. Every answer carries
  ``extensions.cost`` with the bucket's ``throttleStatus``.
"""

import base64
import itertools
import time
from decimal import Decimal, InvalidOperation

from graphql import GraphQLError, build_schema, execute, parse, validate
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    VariableNode,
)

from tests.connectors.fakes.base import Answer, FakePlatform

MAX_QUERY_COST = 1000
MAX_ARRAY_INPUT = 250
MAX_VARIANTS = 2048
COST_OF_MUTATION = 10

SDL = """
scalar Decimal
scalar DateTime
enum ProductStatus { ACTIVE ARCHIVED DRAFT }

type Shop { name: String! myshopifyDomain: String! }
type Location { id: ID! name: String! }
type LocationConnection { nodes: [Location!]! }
type PageInfo { hasNextPage: Boolean! endCursor: String }
type InventoryItem { id: ID! }
type ProductVariant {
  id: ID! sku: String barcode: String price: Decimal! compareAtPrice: Decimal inventoryQuantity: Int
  inventoryItem: InventoryItem! product: Product!
}
type ProductVariantConnection { nodes: [ProductVariant!]! pageInfo: PageInfo! }
type Metafield { namespace: String! key: String! value: String! }
type Product {
  id: ID! title: String! handle: String! descriptionHtml: String! vendor: String! productType: String!
  status: ProductStatus! updatedAt: DateTime!
  variants(first: Int): ProductVariantConnection!
  metafield(namespace: String!, key: String!): Metafield
}
type ProductConnection { nodes: [Product!]! pageInfo: PageInfo! }
type UserError { field: [String!] message: String! code: String }
type ProductSetPayload { product: Product userErrors: [UserError!]! }
type ProductVariantsBulkUpdatePayload {
  product: Product productVariants: [ProductVariant!] userErrors: [UserError!]!
}
type InventoryChange { name: String! delta: Int! quantityAfterChange: Int }
type InventoryAdjustmentGroup { reason: String! changes: [InventoryChange!]! }
type InventorySetQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup userErrors: [UserError!]!
}

input UniqueMetafieldValueInput { namespace: String! key: String! value: String! }
input ProductSetIdentifiers { id: ID handle: String customId: UniqueMetafieldValueInput }
input OptionValueSetInput { name: String! }
input OptionSetInput { name: String! values: [OptionValueSetInput!] }
input VariantOptionValueInput { optionName: String name: String! }
input ProductSetInventoryInput { locationId: ID! name: String! quantity: Int! }
input ProductVariantSetInput {
  id: ID optionValues: [VariantOptionValueInput!]! sku: String barcode: String price: Decimal
  compareAtPrice: Decimal inventoryQuantities: [ProductSetInventoryInput!]
}
input MetafieldInput { namespace: String! key: String! type: String value: String! }
input ProductSetInput {
  title: String handle: String descriptionHtml: String vendor: String productType: String
  status: ProductStatus tags: [String!] productOptions: [OptionSetInput!]
  variants: [ProductVariantSetInput!] metafields: [MetafieldInput!]
}
input ProductVariantsBulkInput { id: ID! price: Decimal compareAtPrice: Decimal barcode: String }
input InventoryQuantityInput {
  inventoryItemId: ID! locationId: ID! quantity: Int! compareQuantity: Int changeFromQuantity: Int
}
input InventorySetQuantitiesInput {
  name: String! reason: String! referenceDocumentUri: String ignoreCompareQuantity: Boolean
  quantities: [InventoryQuantityInput!]!
}

type Query {
  shop: Shop!
  locations(first: Int): LocationConnection!
  products(first: Int, after: String, query: String): ProductConnection!
  productVariants(first: Int, query: String): ProductVariantConnection!
}
type Mutation {
  productSet(synchronous: Boolean, identifier: ProductSetIdentifiers, input: ProductSetInput!): ProductSetPayload
  productVariantsBulkUpdate(productId: ID!, variants: [ProductVariantsBulkInput!]!): ProductVariantsBulkUpdatePayload
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
}
"""

UNAUTHORIZED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


def _error(field, message, code="INVALID"):
    return {"field": field, "message": message, "code": code}


def _decimal(value):
    try:
        return f"{Decimal(str(value)):.2f}"
    except (InvalidOperation, ValueError):
        return None


def _cursor(index):
    return base64.b64encode(f"cursor:{index}".encode()).decode()


def _index(cursor):
    try:
        return int(base64.b64decode(cursor.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        return -1


class FakeShopify(FakePlatform):
    def __init__(self, *, access_token="shpat_test", api_version="2026-10", bucket_size=2000,
                 restore_rate=1000.0, shop_name="Fake shop"):
        super().__init__()
        self.access_token, self.api_version, self.shop_name = access_token, api_version, shop_name
        self.bucket_size, self.restore_rate = bucket_size, restore_rate
        self.available, self._refilled_at = float(bucket_size), time.monotonic()
        self.locations = {"gid://shopify/Location/1": "Main warehouse"}
        self.products = {}  # gid → product state (see _new_product)
        self.inventory = {}  # (inventory item gid, location gid) → available quantity
        self._ids = itertools.count(1001)
        self._forced_throttles = 0
        self._operations = []
        self._documents = {}
        self._by_metafield = {}  # (namespace, key, value) → product gid: customId lookups stay O(1)
        self._inventory_items = set()
        self.schema = build_schema(SDL)
        self._bind_resolvers()

    # --- inspection and seeding, for tests ----------------------------------------------------------

    def operations(self):
        """The root fields of each GraphQL request received, in order (e.g. ``[["productSet"]]``)."""
        return [list(names) for names in self._operations]

    def product_by_custom_id(self, namespace, key, value):
        gid = self._by_metafield.get((namespace, key, value))
        return self.products.get(gid) if gid else None

    def inventory_level(self, inventory_item_id, location_id):
        return self.inventory.get((inventory_item_id, location_id))

    def throttle_next(self, times=1):
        """The next ``times`` GraphQL requests answer ``Throttled`` whatever the bucket holds."""
        self._forced_throttles += times

    def add_product(self, *, title, vendor="", status="ACTIVE", description="", variants=()):
        """A product already in the shop (for pulls); returns its gid."""
        product = self._new_product({"title": title, "vendor": vendor, "status": status, "descriptionHtml": description})
        self._set_variants(product, [{"optionValues": [{"optionName": "Title", "name": v.get("sku") or str(i)}], **v}
                                     for i, v in enumerate(variants or [{"price": "0.00"}])])
        return product["id"]

    # --- HTTP -------------------------------------------------------------------------------------------

    def handle(self, request):
        if request.method != "POST" or request.path != f"/admin/api/{self.api_version}/graphql.json":
            return Answer(404, {"errors": "Not Found"})
        if request.headers.get("x-shopify-access-token") != self.access_token:
            return Answer(401, UNAUTHORIZED)
        body = request.json if isinstance(request.json, dict) else {}
        document = self._parsed(body.get("query") or "")
        if isinstance(document, list):
            return Answer(200, {"errors": document})
        variables = body.get("variables") or {}
        self._operations.append(self._root_fields(document))
        requested = self._cost(document, variables)
        self._refill()
        if requested > MAX_QUERY_COST:
            return Answer(200, {"errors": [{"message": f"Query cost is {requested}, which exceeds the single query "
                                                      f"max cost limit ({MAX_QUERY_COST}).",
                                            "extensions": {"code": "MAX_COST_EXCEEDED"}}],
                                "extensions": self._cost_extension(requested, None)})
        if self._forced_throttles or requested > self.available:
            self._forced_throttles = max(0, self._forced_throttles - 1)
            return Answer(200, {"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": self._cost_extension(requested, None)})
        self.available -= requested
        result = execute(self.schema, document, variable_values=variables, operation_name=body.get("operationName"))
        answer = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        answer["extensions"] = self._cost_extension(requested, requested)
        return Answer(200, answer)

    def _parsed(self, query):
        """The parsed, validated document (cached: clients send the same documents again and
        again), or the list of GraphQL errors that refuse it."""
        if query not in self._documents:
            try:
                document = parse(query)
            except GraphQLError as exc:
                self._documents[query] = [exc.formatted]
            else:
                errors = validate(self.schema, document)
                self._documents[query] = [error.formatted for error in errors] if errors else document
        return self._documents[query]

    def _refill(self):
        now = time.monotonic()
        self.available = min(self.bucket_size, self.available + (now - self._refilled_at) * self.restore_rate)
        self._refilled_at = now

    def _cost_extension(self, requested, actual):
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": {
            "maximumAvailable": float(self.bucket_size), "currentlyAvailable": int(self.available),
            "restoreRate": float(self.restore_rate)}}}

    # --- cost ---------------------------------------------------------------------------------------------

    @staticmethod
    def _root_fields(document):
        return [selection.name.value for definition in document.definitions
                if isinstance(definition, OperationDefinitionNode)
                for selection in definition.selection_set.selections if isinstance(selection, FieldNode)]

    def _cost(self, document, variables):
        fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}

        def first_of(field):
            value = next((a.value for a in field.arguments if a.name.value == "first"), None)
            if value is None:
                return None
            return int(variables.get(value.name.value) or 0) if isinstance(value, VariableNode) else int(value.value)

        def selection_cost(selection_set):
            total = 0
            for selection in selection_set.selections if selection_set else ():
                if isinstance(selection, FragmentSpreadNode):
                    total += selection_cost(fragments[selection.name.value].selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    total += selection_cost(selection.selection_set)
                elif selection.selection_set is None or selection.name.value == "pageInfo":
                    continue
                elif first_of(selection) is not None:  # a connection: its nodes, ``first`` times
                    nodes = [s for s in selection.selection_set.selections
                             if isinstance(s, FieldNode) and s.name.value == "nodes"]
                    node_cost = 1 + (selection_cost(nodes[0].selection_set) if nodes else 0)
                    total += 2 + first_of(selection) * node_cost
                else:
                    total += 1 + selection_cost(selection.selection_set)
            return total

        total = 0
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                if definition.operation.value == "mutation":
                    total += sum(COST_OF_MUTATION + selection_cost(field.selection_set)
                                 for field in definition.selection_set.selections if isinstance(field, FieldNode))
                else:
                    total += selection_cost(definition.selection_set)
        return total

    # --- state --------------------------------------------------------------------------------------------

    def _gid(self, kind):
        return f"gid://shopify/{kind}/{next(self._ids)}"

    def _new_product(self, fields):
        product = {"id": self._gid("Product"), "title": "", "handle": "", "descriptionHtml": "", "vendor": "",
                   "productType": "", "status": "ACTIVE", "updatedAt": "2026-11-24T00:00:00Z", "variants": [],
                   "metafields": {}, "tags": []}
        product.update({k: v for k, v in fields.items() if v is not None})
        product["handle"] = product["handle"] or f"product-{product['id'].rsplit('/', 1)[1]}"
        self.products[product["id"]] = product
        return product

    def _set_variants(self, product, inputs):
        """Replaces the product's variants; matched ones keep their ids and inventory items."""
        old = product["variants"]
        by_id = {v["id"]: v for v in old}
        by_sku = {v["sku"]: v for v in old if v.get("sku")}
        by_options = {tuple(v["options"]): v for v in old}
        variants = []
        for data in inputs:
            options = [o["name"] for o in data["optionValues"]]
            match = by_id.get(data.get("id")) or by_sku.get(data.get("sku")) or by_options.get(tuple(options))
            variant = match or {"id": self._gid("ProductVariant"),
                                "inventoryItem": {"id": self._gid("InventoryItem")}, "price": "0.00",
                                "compareAtPrice": None, "sku": "", "barcode": ""}
            self._inventory_items.add(variant["inventoryItem"]["id"])
            variant.update(options=options, productId=product["id"])
            for key in ("sku", "barcode"):
                if key in data:
                    variant[key] = data[key] or ""
            if data.get("price") is not None:
                variant["price"] = _decimal(data["price"])
            if "compareAtPrice" in data:
                variant["compareAtPrice"] = _decimal(data["compareAtPrice"]) if data["compareAtPrice"] else None
            for level in data.get("inventoryQuantities") or []:
                self.inventory[(variant["inventoryItem"]["id"], level["locationId"])] = level["quantity"]
            variants.append(variant)
        product["variants"] = variants

    # --- resolvers ----------------------------------------------------------------------------------------

    def _bind_resolvers(self):
        types = self.schema.type_map
        query, mutation = types["Query"].fields, types["Mutation"].fields
        query["shop"].resolve = lambda *_: {"name": self.shop_name, "myshopifyDomain": "fake.myshopify.com"}
        query["locations"].resolve = lambda _, __, first=50: {
            "nodes": [{"id": gid, "name": name} for gid, name in list(self.locations.items())[:first]]}
        query["products"].resolve = self._resolve_products
        query["productVariants"].resolve = self._resolve_product_variants
        types["Product"].fields["variants"].resolve = lambda product, _, first=10: {
            "nodes": product["variants"][:first], "pageInfo": {"hasNextPage": len(product["variants"]) > first,
                                                               "endCursor": None}}
        types["Product"].fields["metafield"].resolve = lambda product, _, namespace, key: (
            {"namespace": namespace, "key": key, "value": product["metafields"][(namespace, key)]}
            if (namespace, key) in product["metafields"] else None)
        types["ProductVariant"].fields["product"].resolve = lambda variant, _: self.products[variant["productId"]]
        types["ProductVariant"].fields["inventoryQuantity"].resolve = lambda variant, _: sum(
            q for (item, _location), q in self.inventory.items() if item == variant["inventoryItem"]["id"])
        mutation["productSet"].resolve = self._product_set
        mutation["productVariantsBulkUpdate"].resolve = self._variants_bulk_update
        mutation["inventorySetQuantities"].resolve = self._inventory_set_quantities

    def _resolve_products(self, _, __, first=50, after=None, query=None):
        products = list(self.products.values())
        start = _index(after) + 1 if after else 0
        page = products[start : start + min(first, 250)]
        end = start + len(page)
        return {"nodes": page, "pageInfo": {"hasNextPage": end < len(products),
                                            "endCursor": _cursor(end - 1) if page else None}}

    def _resolve_product_variants(self, _, __, first=50, query=""):
        name, _, value = (query or "").partition(":")
        variants = [v for p in self.products.values() for v in p["variants"]
                    if name in ("sku", "barcode") and v.get(name) == value]
        return {"nodes": variants[:first], "pageInfo": {"hasNextPage": len(variants) > first, "endCursor": None}}

    def _product_set(self, _, __, input, identifier=None, synchronous=True):
        errors = self._product_set_errors(input)
        product = self._find(identifier or {})
        if product is None and not input.get("title"):
            errors.append(_error(["input", "title"], "Title can't be blank", "BLANK"))
        if errors:
            return {"product": None, "userErrors": errors}
        if product is None:
            product = self._new_product({})
        for key in ("title", "handle", "descriptionHtml", "vendor", "productType", "status", "tags"):
            if key in input and input[key] is not None:
                product[key] = input[key]
        custom = (identifier or {}).get("customId")
        for metafield in [*(input.get("metafields") or []), *([custom] if custom else [])]:
            self._set_metafield(product, metafield["namespace"], metafield["key"], metafield["value"])
        if input.get("variants") is not None:
            self._set_variants(product, input["variants"])
        return {"product": product, "userErrors": []}

    def _set_metafield(self, product, namespace, key, value):
        previous = product["metafields"].get((namespace, key))
        self._by_metafield.pop((namespace, key, previous), None)
        product["metafields"][(namespace, key)] = value
        self._by_metafield[(namespace, key, value)] = product["id"]

    def _find(self, identifier):
        if identifier.get("id"):
            return self.products.get(identifier["id"])
        if identifier.get("handle"):
            return next((p for p in self.products.values() if p["handle"] == identifier["handle"]), None)
        custom = identifier.get("customId")
        if custom:
            return self.product_by_custom_id(custom["namespace"], custom["key"], custom["value"])
        return None

    @staticmethod
    def _product_set_errors(input):
        errors = []
        variants = input.get("variants") or []
        if len(variants) > MAX_VARIANTS:
            errors.append(_error(["input", "variants"], f"A product can have at most {MAX_VARIANTS} variants."))
        options = {o["name"]: {v["name"] for v in o.get("values") or []} for o in input.get("productOptions") or []}
        seen = set()
        for index, variant in enumerate(variants):
            field = ["input", "variants", str(index)]
            if variant.get("price") is not None and _decimal(variant["price"]) is None:
                errors.append(_error([*field, "price"], "Price is invalid"))
            values = tuple((o.get("optionName"), o["name"]) for o in variant["optionValues"])
            if options and any(name not in options or value not in options[name] for name, value in values):
                errors.append(_error([*field, "optionValues"], "Option value does not exist in productOptions.",
                                     "OPTION_VALUE_DOES_NOT_EXIST"))
            if values in seen:
                errors.append(_error([*field, "optionValues"], "Variant options must be unique.", "DUPLICATE"))
            seen.add(values)
        return errors

    def _variants_bulk_update(self, _, __, productId, variants):
        product = self.products.get(productId)
        if product is None:
            return {"product": None, "productVariants": None,
                    "userErrors": [_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")]}
        if len(variants) > MAX_ARRAY_INPUT:
            return {"product": product, "productVariants": None,
                    "userErrors": [_error(["variants"], f"At most {MAX_ARRAY_INPUT} variants.", "TOO_MANY")]}
        by_id = {v["id"]: v for v in product["variants"]}
        errors = [_error(["variants", str(i), "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
                  for i, v in enumerate(variants) if v["id"] not in by_id]
        errors += [_error(["variants", str(i), "price"], "Price is invalid")
                   for i, v in enumerate(variants) if v.get("price") is not None and _decimal(v["price"]) is None]
        if errors:
            return {"product": product, "productVariants": None, "userErrors": errors}
        for data in variants:
            variant = by_id[data["id"]]
            if data.get("price") is not None:
                variant["price"] = _decimal(data["price"])
            if "compareAtPrice" in data:
                variant["compareAtPrice"] = _decimal(data["compareAtPrice"]) if data["compareAtPrice"] else None
            if data.get("barcode") is not None:
                variant["barcode"] = data["barcode"]
        return {"product": product, "productVariants": [by_id[v["id"]] for v in variants], "userErrors": []}

    def _inventory_set_quantities(self, _, __, input):
        quantities = input["quantities"]
        errors = []
        if input["name"] not in ("available", "on_hand"):
            errors.append(_error(["input", "name"], "The quantity name must be available or on_hand.",
                                 "INVALID_NAME"))
        if len(quantities) > MAX_ARRAY_INPUT:
            errors.append(_error(["input", "quantities"], f"At most {MAX_ARRAY_INPUT} quantities.", "TOO_MANY"))
        items = self._inventory_items
        for index, quantity in enumerate(quantities):
            field = ["input", "quantities", str(index)]
            if self.api_version >= "2026-07" and "changeFromQuantity" not in quantity:
                errors.append(_error([*field, "changeFromQuantity"], "changeFromQuantity must be provided "
                                     "(use null to skip the check).", "INVALID"))
            if quantity["inventoryItemId"] not in items:
                errors.append(_error([*field, "inventoryItemId"], "The specified inventory item could not be found.",
                                     "INVALID_INVENTORY_ITEM"))
            if quantity["locationId"] not in self.locations:
                errors.append(_error([*field, "locationId"], "The specified location could not be found.",
                                     "INVALID_LOCATION"))
            expected = quantity.get("changeFromQuantity")
            current = self.inventory.get((quantity["inventoryItemId"], quantity["locationId"]), 0)
            if expected is not None and expected != current:
                errors.append(_error([*field, "changeFromQuantity"], "The quantity changed since it was read.",
                                     "CHANGE_FROM_QUANTITY_STALE"))
        if errors:  # all or nothing
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        changes = []
        for quantity in quantities:
            key = (quantity["inventoryItemId"], quantity["locationId"])
            before = self.inventory.get(key, 0)
            self.inventory[key] = quantity["quantity"]
            changes.append({"name": input["name"], "delta": quantity["quantity"] - before,
                            "quantityAfterChange": quantity["quantity"]})
        return {"inventoryAdjustmentGroup": {"reason": input["reason"], "changes": changes}, "userErrors": []}
