"""A fake Shopify shop speaking the Admin GraphQL API: ``POST /admin/api/{api_version}/graphql.json``.

It is a real GraphQL server (graphql-core) over the subset of Shopify's schema below (``SDL``), with
resolvers over in-memory state: malformed documents get GraphQL validation ``errors`` (HTTP 200, as
Shopify answers), and aliased multi-mutation documents (``p0: productSet(…) p1: productSet(…)``)
run as they do on Shopify, one field after the other. The SDL holds only what the fake implements,
so a client using anything else gets a validation error rather than a silent no-op.

HTTP contract
- Body ``{"query", "variables", "operationName"?}``; not a JSON object with a ``query`` string →
  400 ``{"errors": {"query": "Required parameter missing or invalid"}}``.
- ``X-Shopify-Access-Token`` missing or wrong → 401 with Shopify's body
  ``{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}``.
- Another API version in the path → 404 (simplification: Shopify serves an unknown or retired
  version with the oldest supported one and says so in ``X-Shopify-API-Version``). Answers carry
  ``X-Shopify-API-Version`` and ``X-Request-Id``.

Cost and throttling (Shopify's calculated query cost, simplified)
- Requested cost, from the document: a scalar or enum field costs 0, an object (or a list of
  objects) 1 plus its selection, a connection — any field with a ``first`` argument — 2 plus
  ``first`` × (1 + the selection of one of its ``nodes``, or ``edges { node }``); ``pageInfo`` is
  free; each mutation root field costs 10 plus its selection (its payload object itself is free).
- Actual cost: the same rules over the data returned (a connection counts the nodes it returned, a
  null object nothing, a list of objects its most expensive element); the difference is refunded
  to the bucket, as Shopify does.
- Leaky bucket of ``bucket_size`` points refilled at ``restore_rate`` points/s. A request whose
  requested cost exceeds what is available (or forced with ``throttle_next``) answers HTTP 200
  ``{"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", …}}]}`` with
  ``actualQueryCost: null`` and changes nothing; a document whose requested cost exceeds 1,000
  answers ``MAX_COST_EXCEEDED`` likewise. Every GraphQL answer carries ``extensions.cost`` =
  ``{requestedQueryCost, actualQueryCost, throttleStatus {maximumAvailable, currentlyAvailable,
  restoreRate}}`` (a document refused by validation costs 0 and runs nothing).

Mutations
- ``productSet`` upserts by ``identifier``: exactly one of ``id`` (unknown → userError
  PRODUCT_DOES_NOT_EXIST), ``handle`` or ``customId``; an unmatched handle or customId creates the
  product, the customId stored as a metafield. List fields are replaced: variants not sent are
  deleted, and so are metafields when ``metafields`` is sent (PLATFORMS.md: "entries not sent are
  deleted"). A sent variant matches an existing one by ``id``, else SKU, else option values, and
  keeps its id and inventory item id. Without ``productOptions`` the options come from the
  variants' ``optionValues``; without ``variants`` a new product gets Shopify's single "Default
  Title" variant. New variants are stocked (0) at every location. Everything is validated before
  anything is written: a field with userErrors changes nothing. ``synchronous: false`` applies the
  change at once but answers a ``productSetOperation`` (CREATED, no product) to poll with
  ``productOperation(id:)`` (COMPLETE, with the product).
- ``productVariantsBulkUpdate``: all or nothing, unless ``allowPartialUpdates: true``.
- ``inventorySetQuantities``: all or nothing. ``available`` and ``on_hand`` are one number here (no
  committed or reserved stock), so each quantity reports a change of both names. Compare checks
  follow the API version: up to 2025-10 ``compareQuantity`` is required unless
  ``ignoreCompareQuantity: true`` (COMPARE_QUANTITY_REQUIRED, COMPARE_QUANTITY_STALE); from 2026-01
  the input also has ``changeFromQuantity`` (checked when not null: CHANGE_FROM_QUANTITY_STALE);
  from 2026-07 ``changeFromQuantity`` must be present on every quantity, null allowed
  (CHANGE_FROM_QUANTITY_REQUIRED). ``reason`` must be one of Shopify's documented reasons.
- Array limits answer userErrors: MAX_INPUT_SIZE_EXCEEDED (more than 250 bulk variants or
  quantities), VARIANTS_OVER_LIMIT (more than 2,048 variants). Simplification: Shopify refuses an
  input array over 250 with a top-level GraphQL error of that code instead.
- userError codes other than those PLATFORMS.md names are best guesses at Shopify's enums.

Search (``products(query:)``, ``productVariants(query:)``): space-separated ``field:value`` terms
(AND), ``OR`` between groups, ``-`` negates, values may be quoted, a trailing ``*`` matches a
prefix, a bare word matches inside the title (or a variant's SKU). Product fields: id, handle, sku,
barcode, status, title, vendor, product_type, tag; variant fields: id, sku, barcode, product_id.
Unknown fields are ignored with a warning in ``extensions.search``, as Shopify does. Connections
take ``first`` (required, 0–250, else a GraphQL error) and ``after`` (opaque cursors); results are in
id order; ``last``/``before``, ``sortKey`` and ``reverse`` are not supported.
"""

import base64
import binascii
import itertools
import json
import re
import shlex
import time
import uuid
from bisect import bisect_right
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from graphql import GraphQLError, build_schema, execute, parse, validate
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
)

from tests.connectors.fakes.base import Answer, FakePlatform

MAX_QUERY_COST = 1000
MAX_PAGE_SIZE = 250  # ``first`` on any connection
MAX_ARRAY_INPUT = 250
MAX_VARIANTS = 2048
MAX_OPTIONS = 3
MUTATION_COST = 10
QUANTITY_NAMES = ("available", "on_hand")
REASONS = frozenset({  # Shopify's documented inventory adjustment reasons
    "correction", "cycle_count_available", "damaged", "movement_canceled", "movement_created",
    "movement_received", "movement_updated", "other", "promotion", "quality_control", "received",
    "reservation_created", "reservation_deleted", "reservation_updated", "restock", "safety_stock",
    "shrinkage",
})
DEFAULT_OPTION, DEFAULT_VALUE = "Title", "Default Title"
UNAUTHORIZED = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
BAD_REQUEST = {"errors": {"query": "Required parameter missing or invalid"}}
RATE_LIMITS_DOC = "https://shopify.dev/api/usage/rate-limits"

SDL = """
scalar Money
scalar DateTime

enum ProductStatus { ACTIVE ARCHIVED DRAFT }
enum ProductOperationStatus { CREATED ACTIVE COMPLETE }

type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }

type Shop { id: ID! name: String! email: String! myshopifyDomain: String! currencyCode: String! }

type Location { id: ID! name: String! isActive: Boolean! }
type LocationEdge { cursor: String! node: Location! }
type LocationConnection { nodes: [Location!]! edges: [LocationEdge!]! pageInfo: PageInfo! }

type InventoryItem { id: ID! sku: String tracked: Boolean! variant: ProductVariant! }
type SelectedOption { name: String! value: String! }
type ProductVariant {
  id: ID! title: String! sku: String barcode: String price: Money! compareAtPrice: Money position: Int!
  inventoryQuantity: Int selectedOptions: [SelectedOption!]! inventoryItem: InventoryItem!
  product: Product! createdAt: DateTime! updatedAt: DateTime!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection {
  nodes: [ProductVariant!]! edges: [ProductVariantEdge!]! pageInfo: PageInfo!
}

type ProductOptionValue { name: String! }
type ProductOption {
  id: ID! name: String! position: Int! values: [String!]! optionValues: [ProductOptionValue!]!
}
type Metafield { id: ID! namespace: String! key: String! type: String! value: String! }
type Product {
  id: ID! title: String! handle: String! descriptionHtml: String! vendor: String! productType: String!
  status: ProductStatus! tags: [String!]! createdAt: DateTime! updatedAt: DateTime!
  options: [ProductOption!]!
  variants(first: Int, after: String): ProductVariantConnection!
  metafield(namespace: String!, key: String!): Metafield
}
type ProductEdge { cursor: String! node: Product! }
type ProductConnection { nodes: [Product!]! edges: [ProductEdge!]! pageInfo: PageInfo! }

type ProductSetUserError { field: [String!] message: String! code: String }
interface ProductOperation { id: ID! status: ProductOperationStatus! product: Product }
type ProductSetOperation implements ProductOperation {
  id: ID! status: ProductOperationStatus! product: Product userErrors: [ProductSetUserError!]!
}
type ProductSetPayload {
  product: Product productSetOperation: ProductSetOperation userErrors: [ProductSetUserError!]!
}

type ProductVariantsBulkUpdateUserError { field: [String!] message: String! code: String }
type ProductVariantsBulkUpdatePayload {
  product: Product productVariants: [ProductVariant!] userErrors: [ProductVariantsBulkUpdateUserError!]!
}

type InventoryChange {
  name: String! delta: Int! quantityAfterChange: Int item: InventoryItem location: Location
}
type InventoryAdjustmentGroup {
  id: ID! createdAt: DateTime! reason: String! referenceDocumentUri: String changes: [InventoryChange!]!
}
type InventorySetQuantitiesUserError { field: [String!] message: String! code: String }
type InventorySetQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup userErrors: [InventorySetQuantitiesUserError!]!
}

input UniqueMetafieldValueInput { namespace: String! key: String! value: String! }
input ProductSetIdentifiers { id: ID handle: String customId: UniqueMetafieldValueInput }
input ProductIdentifierInput { id: ID handle: String customId: UniqueMetafieldValueInput }
input OptionValueSetInput { name: String }
input OptionSetInput { name: String values: [OptionValueSetInput!] }
input VariantOptionValueInput { name: String optionName: String }
input InventoryItemInput { sku: String tracked: Boolean }
input ProductSetInventoryInput { locationId: ID! name: String! quantity: Int! }
input ProductVariantSetInput {
  id: ID optionValues: [VariantOptionValueInput!]! sku: String barcode: String price: Money
  compareAtPrice: Money inventoryItem: InventoryItemInput inventoryQuantities: [ProductSetInventoryInput!]
}
input MetafieldInput { namespace: String key: String type: String value: String }
input ProductSetInput {
  id: ID title: String handle: String descriptionHtml: String vendor: String productType: String
  status: ProductStatus tags: [String!] productOptions: [OptionSetInput!]
  variants: [ProductVariantSetInput!] metafields: [MetafieldInput!]
}
input ProductVariantsBulkInput {
  id: ID price: Money compareAtPrice: Money barcode: String inventoryItem: InventoryItemInput
}
input InventoryQuantityInput {
  inventoryItemId: ID! locationId: ID! quantity: Int! compareQuantity: Int %(change_from)s
}
input InventorySetQuantitiesInput {
  name: String! reason: String! referenceDocumentUri: String ignoreCompareQuantity: Boolean
  quantities: [InventoryQuantityInput!]!
}

type Query {
  shop: Shop!
  locations(first: Int, after: String): LocationConnection!
  product(id: ID!): Product
  productByIdentifier(identifier: ProductIdentifierInput!): Product
  products(first: Int, after: String, query: String): ProductConnection!
  productVariant(id: ID!): ProductVariant
  productVariants(first: Int, after: String, query: String): ProductVariantConnection!
  productOperation(id: ID!): ProductOperation
}
type Mutation {
  productSet(
    synchronous: Boolean = true, identifier: ProductSetIdentifiers, input: ProductSetInput!
  ): ProductSetPayload
  productVariantsBulkUpdate(
    productId: ID!, variants: [ProductVariantsBulkInput!]!, allowPartialUpdates: Boolean = false
  ): ProductVariantsBulkUpdatePayload
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
}
"""


def _now():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _user_error(field, message, code):
    return {"field": [str(part) for part in field], "message": message, "code": code}


class _UserErrors(list):
    """The userErrors of a mutation, as they are found."""

    def add(self, field, message, code):
        self.append(_user_error(field, message, code))


def _money(value):
    """Shopify's Money: a decimal string with two places; None when ``value`` is not a decimal ≥ 0."""
    if isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount < 0:
        return None
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _number(gid):
    """The numeric part of a gid (``gid://shopify/Product/12`` → 12), or None."""
    tail = str(gid).rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _cursor(number):
    # Shaped like Shopify's cursors (base64 JSON); clients must treat them as opaque.
    return base64.b64encode(json.dumps({"last_id": number, "last_value": str(number)}).encode()).decode()


def _after(cursor):
    try:
        return int(json.loads(base64.b64decode(cursor.encode(), validate=True))["last_id"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}.") from None


def _page_size(first):
    if first is None:
        raise GraphQLError("you must provide one of first or last")
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise GraphQLError(f"The value of first must be between 0 and {MAX_PAGE_SIZE}.")
    return first


def _page(numbers, after, first):
    """The slice of ``numbers`` (ascending) after the cursor ``after``: (page, has_next, has_previous)."""
    start = bisect_right(numbers, _after(after)) if after else 0
    page = numbers[start : start + first]
    return page, start + len(page) < len(numbers), start > 0


def _connection(items, numbers, *, has_next, has_previous):
    """A Relay connection over ``items`` (one page), whose numeric ids are ``numbers``."""
    cursors = [_cursor(n) for n in numbers]
    return {
        "nodes": items,
        "edges": [{"cursor": c, "node": item} for c, item in zip(cursors, items, strict=True)],
        "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": has_previous,
                     "startCursor": cursors[0] if cursors else None,
                     "endCursor": cursors[-1] if cursors else None},
    }


def _handle_of(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "product"


def _search_terms(query):
    """``query`` as OR-groups of (negated, field, value) terms; field None for a bare word."""
    try:
        tokens = shlex.split(query)
    except ValueError:  # unbalanced quotes: read it word by word
        tokens = query.split()
    groups, group = [], []
    for token in tokens:
        if token == "OR":
            groups.append(group)
            group = []
        elif token != "AND":
            negated = token.startswith("-") and len(token) > 1
            token = token[1:] if negated else token
            field, sep, value = token.partition(":")
            group.append((negated, field.lower(), value) if sep else (negated, None, token))
    groups.append(group)
    return [g for g in groups if g]


def _matches(actual, wanted):
    """Shopify-like value match: case-insensitive, ``*`` at the end for a prefix."""
    if actual is None:
        return False
    actual, wanted = str(actual).lower(), wanted.lower()
    return actual.startswith(wanted[:-1]) if wanted.endswith("*") else actual == wanted


def _same_id(gid, value):
    """A search value (``12`` or ``gid://shopify/Product/12``) names the object ``gid``."""
    return _number(gid) == (_number(value) if _number(value) is not None else value)


class FakeShopify(FakePlatform):
    """A Shopify shop; see the module docstring for the protocol and the simplifications."""

    def __init__(self, access_token="shpat_test", api_version="2026-10", bucket_size=2000,
                 restore_rate=1000.0, *, shop_name="Fake shop", shop_domain="fake.myshopify.com",
                 locations=None):
        super().__init__()
        self.access_token, self.api_version = access_token, api_version
        self.shop_name, self.shop_domain = shop_name, shop_domain
        self.bucket_size, self.restore_rate = bucket_size, float(restore_rate)
        self.available, self._refilled_at = float(bucket_size), time.monotonic()
        self.locations = dict(locations or {"gid://shopify/Location/1": "Main warehouse"})  # gid → name
        self.products = {}  # gid → product state (see _create_product and _new_variant)
        self.endpoint = f"/admin/api/{api_version}/graphql.json"
        self._ids = itertools.count(1001)
        self._forced_throttles = 0
        self._documents = {}  # query text → parsed and validated document, or its errors
        self._search_warnings = []
        self._product_operations = {}
        # Indexes, so no request scans every product; entries are checked on use, which keeps
        # them right when a test edits ``products`` directly (e.g. ``products.clear()``).
        self._variants = {}  # variant gid → variant
        self._items = {}  # inventory item gid → variant
        self._by_sku, self._by_barcode = {}, {}  # value → {variant gid}
        self._by_handle = {}  # handle → product gid
        self._by_metafield = {}  # (namespace, key, value) → product gid
        self._handle_suffixes = {}  # base handle → last suffix taken
        self._product_order, self._variant_order = [], []  # numeric ids, ascending
        change_from = "changeFromQuantity: Int" if api_version >= "2026-01" else ""
        self.schema = build_schema(SDL % {"change_from": change_from})
        self._bind_resolvers()

    # --- inspection and seeding, for tests ----------------------------------------------------------

    def throttle_next(self, times=1):
        """The next ``times`` GraphQL requests that pass authentication and validation answer
        ``Throttled``, whatever the bucket holds."""
        with self._lock:
            self._forced_throttles += times

    def operations(self):
        """The root fields of each request received on the GraphQL endpoint, in order (e.g.
        ``[["productSet", "productSet"], ["inventorySetQuantities"]]``): faulted, refused and throttled
        requests included, ``[]`` for a body that holds no valid document."""
        with self._lock:
            return [self._root_fields(r.json) for r in self.received
                    if r.method == "POST" and r.path == self.endpoint]

    def product_by_custom_id(self, namespace, key, value):
        product = self.products.get(self._by_metafield.get((namespace, key, value)))
        return product if product and product["metafields"].get((namespace, key)) == value else None

    def product_by_handle(self, handle):
        product = self.products.get(self._by_handle.get(handle))
        return product if product and product["handle"] == handle else None

    def variants_by_sku(self, sku):
        return self._indexed(self._by_sku, "sku", sku)

    def inventory_level(self, inventory_item_id, location_id):
        """The quantity of an inventory item at a location (None: unknown item, or not stocked there)."""
        variant = self._live_variant(self._items.get(inventory_item_id))
        return variant["inventoryLevels"].get(location_id) if variant else None

    def add_product(self, *, title, vendor="", status="ACTIVE", description="", product_type="", handle=None,
                    tags=(), variants=(), metafields=None, custom_id=None):
        """A product already in the shop (for pulls and lookups); returns its gid.

        ``variants``: dicts shaped like ``ProductVariantSetInput`` (``optionValues`` optional: one
        "Title" option valued by SKU, "Default Title" for a single variant); ``metafields``:
        ``{(namespace, key): value}``; ``custom_id``: ``(namespace, key, value)``."""
        variants = list(variants)
        inputs = []
        for n, variant in enumerate(variants):
            value = DEFAULT_VALUE if len(variants) == 1 else (variant.get("sku") or f"Variant {n + 1}")
            inputs.append({"optionValues": [{"optionName": DEFAULT_OPTION, "name": value}], **variant})
        input = {"title": title, "vendor": vendor, "status": status, "descriptionHtml": description,
                 "productType": product_type, "handle": handle, "tags": list(tags),
                 "variants": inputs or None, "metafields": [
                     {"namespace": ns, "key": key, "type": "single_line_text_field", "value": value}
                     for (ns, key), value in (metafields or {}).items()] or None}
        identifier = None
        if custom_id:
            identifier = {"customId": dict(zip(("namespace", "key", "value"), custom_id, strict=True))}
        with self._lock:
            product, errors = self._upsert({k: v for k, v in input.items() if v is not None}, identifier)
        if errors:
            raise ValueError(f"add_product refused: {errors}")
        return product["id"]

    # --- HTTP -------------------------------------------------------------------------------------------

    def fault_body(self, status):
        if status == 429:  # what Shopify's REST-era limiter answers
            return {"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume "
                              "uninterrupted service."}
        return super().fault_body(status)

    def handle(self, request):
        headers = {"X-Shopify-API-Version": self.api_version, "X-Request-Id": str(uuid.uuid4())}
        if request.path != self.endpoint:
            return Answer(404, {"errors": "Not Found"}, headers)
        if request.headers.get("X-Shopify-Access-Token") != self.access_token:
            return Answer(401, UNAUTHORIZED, headers)
        if request.method != "POST":
            return Answer(405, {"errors": "Method Not Allowed"}, headers)
        body = request.json
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return Answer(400, BAD_REQUEST, headers)
        variables = body.get("variables") or {}
        if not isinstance(variables, dict):
            return Answer(400, BAD_REQUEST, headers)
        self._refill()
        document = self._parsed(body["query"])
        if isinstance(document, list):  # refused by the parser or validation: nothing runs, nothing is paid
            return Answer(200, {"errors": document, "extensions": self._cost_extension(0, 0)}, headers)
        operation, fragments = self._operation(document, body.get("operationName"))
        requested = self._requested_cost(operation, fragments, variables) if operation else 0
        if requested > MAX_QUERY_COST:
            return Answer(200, {"errors": [{
                "message": f"Query cost is {requested}, which exceeds the single query max cost limit "
                           f"({MAX_QUERY_COST}).\n\nSee {RATE_LIMITS_DOC} for more information on how the "
                           "cost of a query is calculated.",
                "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST}}],
                "extensions": self._cost_extension(requested, None)}, headers)
        if self._forced_throttles or requested > self.available:
            self._forced_throttles = max(0, self._forced_throttles - 1)
            return Answer(200, {"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}],
                "extensions": self._cost_extension(requested, None)}, headers)
        self.available -= requested
        self._search_warnings = []
        result = execute(self.schema, document, variable_values=variables,
                         operation_name=body.get("operationName"))
        actual = requested
        if operation:
            actual = min(requested, self._actual_cost(operation, fragments, variables, result.data))
        self.available = min(self.bucket_size, self.available + requested - actual)  # the refund
        answer = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        answer["extensions"] = self._cost_extension(requested, actual)
        if self._search_warnings:
            answer["extensions"]["search"] = self._search_warnings
        return Answer(200, answer, headers)

    def _parsed(self, query):
        """The parsed, validated document (cached: clients send the same documents again and
        again), or the list of GraphQL errors that refuse it."""
        if query not in self._documents:
            if len(self._documents) > 1000:
                self._documents.clear()
            try:
                document = parse(query)
            except GraphQLError as exc:
                self._documents[query] = [exc.formatted]
            else:
                errors = validate(self.schema, document)
                self._documents[query] = [error.formatted for error in errors] if errors else document
        return self._documents[query]

    @staticmethod
    def _operation(document, name):
        """The operation to run and the fragments by name (operation None: ambiguous or unknown)."""
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        if name:
            operations = [o for o in operations if o.name and o.name.value == name]
        return (operations[0] if len(operations) == 1 else None), fragments

    def _root_fields(self, body):
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return []
        document = self._documents.get(body["query"])
        if document is None or isinstance(document, list):  # not seen yet, or refused by validation
            try:
                document = parse(body["query"])
            except GraphQLError:
                return []
        operation, fragments = self._operation(document, body.get("operationName"))
        if operation is None:
            return []
        return [field.name.value for field in self._fields(operation.selection_set, fragments)]

    # --- cost ---------------------------------------------------------------------------------------------

    def _refill(self):
        now = time.monotonic()
        self.available = min(self.bucket_size, self.available + (now - self._refilled_at) * self.restore_rate)
        self._refilled_at = now

    def _cost_extension(self, requested, actual):
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": {
            "maximumAvailable": float(self.bucket_size), "currentlyAvailable": int(self.available),
            "restoreRate": self.restore_rate}}}

    @classmethod
    def _fields(cls, selection_set, fragments):
        """The fields of a selection set, fragments flattened."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from cls._fields(selection.selection_set, fragments)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                yield from cls._fields(fragments[selection.name.value].selection_set, fragments)

    @staticmethod
    def _with_defaults(operation, variables):
        """``variables`` completed with the operation's declared defaults (``$first: Int = 10``)."""
        definitions = operation.variable_definitions or ()
        defaults = {d.variable.name.value: int(d.default_value.value) for d in definitions
                    if isinstance(d.default_value, IntValueNode)}
        return {**defaults, **variables}

    @staticmethod
    def _first(field, variables):
        """The ``first`` argument of a field: None when it has none (not a connection), else an int."""
        for argument in field.arguments:
            if argument.name.value == "first":
                value = argument.value
                if isinstance(value, VariableNode):
                    value = variables.get(value.name.value)
                    return value if isinstance(value, int) and not isinstance(value, bool) else 0
                return int(value.value) if isinstance(value, IntValueNode) else 0
        return None

    def _node_selections(self, field, fragments):
        """How one node of a connection field is selected: ("nodes", None, nodes field) and/or
        ("edges", edges field, node field)."""
        for child in self._fields(field.selection_set, fragments):
            if child.name.value == "nodes":
                yield "nodes", None, child
            elif child.name.value == "edges":
                for grandchild in self._fields(child.selection_set, fragments):
                    if grandchild.name.value == "node":
                        yield "edges", child, grandchild

    def _requested_cost(self, operation, fragments, variables):
        variables = self._with_defaults(operation, variables)

        def cost(selection_set):
            total = 0
            for field in self._fields(selection_set, fragments):
                if field.selection_set is None or field.name.value == "pageInfo":
                    continue
                first = self._first(field, variables)
                if first is None:
                    total += 1 + cost(field.selection_set)
                else:
                    node = max((1 + cost(selected.selection_set)
                                for _, _, selected in self._node_selections(field, fragments)), default=0)
                    total += 2 + max(first, 0) * node
            return total

        if operation.operation.value != "mutation":
            return cost(operation.selection_set)
        return sum(MUTATION_COST + cost(field.selection_set)
                   for field in self._fields(operation.selection_set, fragments))

    def _actual_cost(self, operation, fragments, variables, data):
        variables = self._with_defaults(operation, variables)

        def key(field):
            return field.alias.value if field.alias else field.name.value

        def cost(selection_set, value):
            if isinstance(value, list):  # a list of objects: its most expensive element
                return max((cost(selection_set, item) for item in value), default=0)
            if not isinstance(value, dict):
                return 0
            total = 0
            for field in self._fields(selection_set, fragments):
                child = value.get(key(field))
                if field.selection_set is None or field.name.value == "pageInfo" or child is None:
                    continue
                if self._first(field, variables) is None:
                    total += 1 + cost(field.selection_set, child)
                    continue
                node_costs = []
                for kind, edges, node in self._node_selections(field, fragments):
                    if kind == "nodes":
                        items = child.get(key(node)) or []
                    else:
                        items = [(edge or {}).get(key(node)) for edge in child.get(key(edges)) or []]
                    node_costs.append(sum(1 + cost(node.selection_set, item) for item in items if item))
                total += 2 + max(node_costs, default=0)
            return total

        data = data or {}
        if operation.operation.value != "mutation":
            return cost(operation.selection_set, data)
        return sum(MUTATION_COST + cost(field.selection_set, data.get(key(field)))
                   for field in self._fields(operation.selection_set, fragments))

    # --- state --------------------------------------------------------------------------------------------

    def _gid(self, kind):
        return f"gid://shopify/{kind}/{next(self._ids)}"

    def _live_variant(self, variant):
        """``variant`` if it is still one of a product's in ``products``, else None."""
        if variant is None:
            return None
        product = self.products.get(variant["productId"])
        return variant if product is not None and variant["id"] in product["variantIds"] else None

    def _indexed(self, index, key, value):
        """The live variants an index lists under ``value`` whose ``key`` still is ``value``."""
        found = []
        for gid in sorted(index.get(value, ()), key=_number):
            variant = self._live_variant(self._variants.get(gid))
            if variant and variant[key] == value:
                found.append(variant)
        return found

    def _index_codes(self, variant, *, add):
        for index, key in ((self._by_sku, "sku"), (self._by_barcode, "barcode")):
            if variant.get(key):
                if add:
                    index.setdefault(variant[key], set()).add(variant["id"])
                else:
                    index.get(variant[key], set()).discard(variant["id"])

    @staticmethod
    def _ordered(order, objects):
        """``order`` (numeric ids, ascending) made to match ``objects`` again if it drifted (a test
        removed entries); creations append to it, so it stays sorted without a rebuild."""
        if len(order) != len(objects):
            order[:] = sorted(_number(gid) for gid in objects)
        return order

    def _create_product(self, handle):
        gid = self._gid("Product")
        now = _now()
        self.products[gid] = product = {
            "id": gid, "title": "", "handle": handle, "descriptionHtml": "", "vendor": "", "productType": "",
            "status": "ACTIVE", "tags": [], "createdAt": now, "updatedAt": now, "options": [], "variants": [],
            "variantIds": set(), "metafields": {}, "metafieldTypes": {}, "metafieldIds": {},
        }
        self._product_order.append(_number(gid))
        self._by_handle[handle] = gid
        return product

    def _unique_handle(self, title):
        """A handle from the title, suffixed ``-1``, ``-2``… when taken, as Shopify does."""
        base = _handle_of(title)
        handle, suffix = base, self._handle_suffixes.get(base, 0)
        while self.product_by_handle(handle) is not None:
            suffix += 1
            handle = f"{base}-{suffix}"
        self._handle_suffixes[base] = suffix
        return handle

    def _new_variant(self, product):
        now = _now()
        variant = {"id": self._gid("ProductVariant"), "productId": product["id"], "title": "", "sku": None,
                   "barcode": None, "price": "0.00", "compareAtPrice": None, "position": 0, "options": [],
                   "selectedOptions": [], "inventoryItem": {"id": self._gid("InventoryItem"),
                                                             "tracked": True},
                   "inventoryLevels": dict.fromkeys(self.locations, 0), "createdAt": now, "updatedAt": now}
        self._variants[variant["id"]] = variant
        self._items[variant["inventoryItem"]["id"]] = variant
        self._variant_order.append(_number(variant["id"]))
        return variant

    def _drop_variant(self, variant):
        self._index_codes(variant, add=False)
        self._variants.pop(variant["id"], None)
        self._items.pop(variant["inventoryItem"]["id"], None)

    def _set_code(self, variant, key, value):
        """Sets a variant's SKU or barcode, keeping the lookup indexes right."""
        self._index_codes(variant, add=False)
        variant[key] = value
        self._index_codes(variant, add=True)

    def _set_metafield(self, product, namespace, key, value, type_):
        previous = product["metafields"].get((namespace, key))
        if self._by_metafield.get((namespace, key, previous)) == product["id"]:
            del self._by_metafield[(namespace, key, previous)]
        product["metafields"][(namespace, key)] = value
        product["metafieldTypes"][(namespace, key)] = type_
        product["metafieldIds"].setdefault((namespace, key), self._gid("Metafield"))
        self._by_metafield[(namespace, key, value)] = product["id"]

    def _drop_metafield(self, product, namespace, key):
        value = product["metafields"].pop((namespace, key))
        product["metafieldTypes"].pop((namespace, key), None)
        product["metafieldIds"].pop((namespace, key), None)
        if self._by_metafield.get((namespace, key, value)) == product["id"]:
            del self._by_metafield[(namespace, key, value)]

    # --- productSet ---------------------------------------------------------------------------------------

    def _find(self, input, identifier):
        """(product or None, userErrors) for a productSet's identifier (or its input's ``id``)."""
        given = {k: v for k, v in (identifier or {}).items() if v is not None}
        if len(given) > 1:
            return None, [_user_error(["identifier"], "Only one of id, handle or customId can be given.",
                                      "INVALID_INPUT")]
        where = ["identifier", "id"]
        if not given and input.get("id"):
            given, where = {"id": input["id"]}, ["input", "id"]
        if "id" in given:
            product = self.products.get(given["id"])
            if product is None:
                return None, [_user_error(where, "Product does not exist", "PRODUCT_DOES_NOT_EXIST")]
            return product, []
        if "handle" in given:
            return self.product_by_handle(given["handle"]), []
        if "customId" in given:
            custom = given["customId"]
            return self.product_by_custom_id(custom["namespace"], custom["key"], custom["value"]), []
        return None, []

    def _upsert(self, input, identifier):
        """Validates, then applies, one productSet; returns (product or None, userErrors)."""
        product, errors = self._find(input, identifier)
        if errors:
            return None, errors
        errors = _UserErrors()
        identifier = {k: v for k, v in (identifier or {}).items() if v is not None}
        if product is None and not (input.get("title") or "").strip():
            errors.add(["input", "title"], "Title can't be blank", "BLANK")
        handle = input.get("handle") or (identifier.get("handle") if product is None else None)
        if handle:
            owner = self.product_by_handle(handle)
            if owner is not None and owner is not product:
                errors.add(["input", "handle"], f"Handle '{handle}' already in use. Please provide a new "
                           "handle.", "HANDLE_NOT_UNIQUE")
        plan, variant_errors = self._plan_variants(product, input)
        errors += variant_errors
        errors += self._metafield_errors(product, input.get("metafields"))
        if errors:
            return None, errors

        if product is None:
            product = self._create_product(handle or self._unique_handle(input["title"]))
        elif handle and handle != product["handle"]:
            self._by_handle.pop(product["handle"], None)
            product["handle"] = handle
            self._by_handle[handle] = product["id"]
        for key in ("title", "descriptionHtml", "vendor", "productType", "status"):
            if input.get(key) is not None:
                product[key] = input[key]
        if input.get("tags") is not None:
            product["tags"] = list(input["tags"])
        if plan is not None:
            self._apply_variants(product, *plan)
        self._apply_metafields(product, input.get("metafields"), identifier.get("customId"))
        product["updatedAt"] = _now()
        return product, []

    def _plan_variants(self, product, input):
        """Checks options and variants; returns ((options, [(variant input, option values)]), or None
        when the variants stay as they are; userErrors)."""
        options_input, variants = input.get("productOptions"), input.get("variants")
        if variants is None:
            if product is not None and options_input is None:
                return None, []
            if product is not None:  # new options for the variants there are: check them
                variants = [{"id": v["id"], "optionValues": [{"optionName": s["name"], "name": s["value"]}
                                                             for s in v["selectedOptions"]]}
                            for v in product["variants"]]
            elif options_input:  # a new product with options only: one variant of each first value
                variants = [{"optionValues": [{"optionName": o.get("name"),
                                               "name": (o.get("values") or [{}])[0].get("name")}
                                              for o in options_input]}]
            else:  # Shopify's own single variant
                variants = [{"optionValues": [{"optionName": DEFAULT_OPTION, "name": DEFAULT_VALUE}]}]
        if not variants:
            return None, [_user_error(["input", "variants"], "A product must have at least one variant.",
                                      "INVALID_VARIANT")]
        if len(variants) > MAX_VARIANTS:
            return None, [_user_error(["input", "variants"], f"A product can have at most {MAX_VARIANTS} "
                                      "variants.", "VARIANTS_OVER_LIMIT")]
        options, errors = self._options(options_input, variants)
        names = [o["name"] for o in options]
        existing = {v["id"] for v in product["variants"]} if product else set()
        planned, seen = [], set()
        for n, variant in enumerate(variants):
            field = ["input", "variants", n]
            chosen = {}
            for m, value in enumerate(variant["optionValues"]):
                name = value.get("optionName") or (names[m] if m < len(names) else None)
                option = next((o for o in options if o["name"] == name), None)
                where = [*field, "optionValues", m]
                if not value.get("name"):
                    errors.add([*where, "name"], "Option value name can't be blank.", "INVALID_VARIANT")
                elif option is None:
                    errors.add(where, f"Option '{name}' does not exist in productOptions.",
                               "OPTION_DOES_NOT_EXIST")
                elif value["name"] not in option["values"]:
                    errors.add(where, f"Option value '{value['name']}' does not exist for option '{name}'.",
                               "OPTION_VALUE_DOES_NOT_EXIST")
                elif name in chosen:
                    errors.add(where, f"Option '{name}' is given twice.", "INVALID_VARIANT")
                else:
                    chosen[name] = value["name"]
            combination = tuple(chosen.get(name) for name in names)
            if None in combination:
                if len(chosen) == len(variant["optionValues"]):  # else already reported above
                    errors.add([*field, "optionValues"], "The variant must have a value for every option "
                               f"({', '.join(map(str, names))}).", "INVALID_VARIANT")
            elif combination in seen:
                errors.add([*field, "optionValues"], f"The variant '{' / '.join(combination)}' already "
                           "exists.", "INVALID_VARIANT")
            seen.add(combination)
            if variant.get("id") and variant["id"] not in existing:
                errors.add([*field, "id"], "Product variant does not exist", "PRODUCT_VARIANT_DOES_NOT_EXIST")
            for key in ("price", "compareAtPrice"):
                if variant.get(key) is not None and _money(variant[key]) is None:
                    errors.add([*field, key], f"{key} must be a decimal amount of at least 0, not "
                               f"{variant[key]!r}.", "INVALID_VARIANT")
            for m, level in enumerate(variant.get("inventoryQuantities") or []):
                where = [*field, "inventoryQuantities", m]
                if level["locationId"] not in self.locations:
                    errors.add([*where, "locationId"], "The specified location could not be found.",
                               "INVALID_LOCATION")
                if level["name"] not in QUANTITY_NAMES:
                    errors.add([*where, "name"], "The quantity name must be available or on_hand.",
                               "INVALID_QUANTITY_NAME")
            planned.append((variant, combination))
        return (options, planned), errors

    @staticmethod
    def _options(options_input, variants):
        """The product's options — as given, else in the order the variants name them — and userErrors."""
        options, errors = [], _UserErrors()
        if options_input is not None:
            for n, option in enumerate(options_input):
                values = [v.get("name") for v in option.get("values") or []]
                if not option.get("name") or not values or not all(values):
                    errors.add(["input", "productOptions", n], "An option needs a name and values.",
                               "INVALID_PRODUCT_OPTIONS")
                options.append({"name": option.get("name"), "values": values})
        else:
            for n, variant in enumerate(variants):
                for m, value in enumerate(variant["optionValues"]):
                    if not value.get("optionName"):
                        errors.add(["input", "variants", n, "optionValues", m, "optionName"],
                                   "optionName can't be blank without productOptions.",
                                   "INVALID_VARIANT")
                        continue
                    option = next((o for o in options if o["name"] == value["optionName"]), None)
                    if option is None:
                        options.append({"name": value["optionName"], "values": [value.get("name")]})
                    elif value.get("name") not in option["values"]:
                        option["values"].append(value.get("name"))
        if len(options) > MAX_OPTIONS:
            errors.add(["input", "productOptions"], f"A product can have at most {MAX_OPTIONS} options.",
                       "OPTIONS_OVER_LIMIT")
        return options, errors

    def _apply_variants(self, product, options, planned):
        """Replaces the product's variants: matched ones (id, else SKU, else option values) keep
        their ids and inventory items; the others are created, and those not sent deleted."""
        old = product["variants"]
        by_id = {v["id"]: v for v in old}
        by_sku = {}
        for v in old:
            if v["sku"]:
                by_sku.setdefault(v["sku"], v)
        by_options = {tuple(v["options"]): v for v in old}
        names = [o["name"] for o in options]
        kept, variants = set(), []
        for position, (data, combination) in enumerate(planned, start=1):
            item = data.get("inventoryItem") or {}
            sku = item.get("sku", data.get("sku"))
            match = by_id.get(data.get("id"))
            if match is None and sku and by_sku.get(sku) and by_sku[sku]["id"] not in kept:
                match = by_sku[sku]
            if match is None and by_options.get(combination) and by_options[combination]["id"] not in kept:
                match = by_options[combination]
            variant = match or self._new_variant(product)
            kept.add(variant["id"])
            selected = [{"name": n, "value": v} for n, v in zip(names, combination, strict=True)]
            variant.update(position=position, options=list(combination), title=" / ".join(combination),
                           selectedOptions=selected)
            if "sku" in data or "sku" in item:
                self._set_code(variant, "sku", sku)
            if "barcode" in data:
                self._set_code(variant, "barcode", data["barcode"])
            if data.get("price") is not None:
                variant["price"] = _money(data["price"])
            if "compareAtPrice" in data:
                variant["compareAtPrice"] = _money(data["compareAtPrice"]) if data["compareAtPrice"] else None
            if item.get("tracked") is not None:
                variant["inventoryItem"]["tracked"] = item["tracked"]
            for level in data.get("inventoryQuantities") or []:
                variant["inventoryLevels"][level["locationId"]] = level["quantity"]
            variant["updatedAt"] = _now()
            variants.append(variant)
        for variant in old:
            if variant["id"] not in kept:
                self._drop_variant(variant)
        product["variants"], product["variantIds"] = variants, kept
        option_ids = {o["name"]: o["id"] for o in product["options"]}  # an option kept keeps its id
        product["options"] = [
            {"id": option_ids.get(o["name"]) or self._gid("ProductOption"), "name": o["name"], "position": n,
             "values": list(o["values"])}
            for n, o in enumerate(options, start=1)
        ]

    def _metafield_errors(self, product, metafields):
        errors = _UserErrors()
        for n, metafield in enumerate(metafields or []):
            field = ["input", "metafields", n]
            known = product is not None and (metafield.get("namespace"), metafield.get("key")) in (
                product["metafieldTypes"])
            if not metafield.get("namespace") or not metafield.get("key"):
                errors.add(field, "A metafield needs a namespace and a key.", "INVALID_METAFIELD")
            elif metafield.get("value") is None:
                errors.add([*field, "value"], "Value can't be blank.", "INVALID_METAFIELD")
            elif not metafield.get("type") and not known:
                errors.add([*field, "type"], "Type can't be blank for a new metafield.", "INVALID_METAFIELD")
        return errors

    def _apply_metafields(self, product, metafields, custom):
        if metafields is not None:  # a list field: the metafields not sent are deleted
            sent = {(m["namespace"], m["key"]) for m in metafields}
            if custom:
                sent.add((custom["namespace"], custom["key"]))
            for namespace, key in [k for k in product["metafields"] if k not in sent]:
                self._drop_metafield(product, namespace, key)
            for m in metafields:
                type_ = m.get("type") or product["metafieldTypes"].get((m["namespace"], m["key"]))
                self._set_metafield(product, m["namespace"], m["key"], m["value"], type_)
        if custom:
            key = (custom["namespace"], custom["key"])
            self._set_metafield(product, *key, custom["value"],
                                product["metafieldTypes"].get(key, "single_line_text_field"))

    # --- resolvers ----------------------------------------------------------------------------------------

    def _bind_resolvers(self):
        types = self.schema.type_map
        query, mutation = types["Query"].fields, types["Mutation"].fields
        query["shop"].resolve = lambda *_: {
            "id": "gid://shopify/Shop/1", "name": self.shop_name, "email": f"owner@{self.shop_domain}",
            "myshopifyDomain": self.shop_domain, "currencyCode": "EUR"}
        query["locations"].resolve = self._resolve_locations
        query["product"].resolve = lambda _, __, id: self.products.get(id)
        query["productByIdentifier"].resolve = lambda _, __, identifier: self._find({}, identifier)[0]
        query["products"].resolve = self._resolve_products
        query["productVariant"].resolve = lambda _, __, id: self._live_variant(self._variants.get(id))
        query["productVariants"].resolve = self._resolve_product_variants
        query["productOperation"].resolve = lambda _, __, id: self._product_operations.get(id)
        types["ProductOperation"].resolve_type = lambda *_: "ProductSetOperation"
        types["ProductSetOperation"].fields["product"].resolve = lambda operation, _: (
            self.products.get(operation["productId"]) if operation["status"] == "COMPLETE" else None)
        types["Product"].fields["variants"].resolve = self._resolve_variants_of_product
        types["Product"].fields["metafield"].resolve = self._resolve_metafield
        types["ProductOption"].fields["optionValues"].resolve = lambda option, _: [
            {"name": value} for value in option["values"]]
        types["ProductVariant"].fields["product"].resolve = lambda variant, _: self.products.get(
            variant["productId"])
        types["ProductVariant"].fields["inventoryQuantity"].resolve = lambda variant, _: sum(
            variant["inventoryLevels"].values())
        types["InventoryItem"].fields["sku"].resolve = lambda item, _: (
            self._items.get(item["id"]) or {}).get("sku")
        types["InventoryItem"].fields["variant"].resolve = lambda item, _: self._items.get(item["id"])
        mutation["productSet"].resolve = self._product_set
        mutation["productVariantsBulkUpdate"].resolve = self._variants_bulk_update
        mutation["inventorySetQuantities"].resolve = self._inventory_set_quantities

    def _resolve_locations(self, _, __, first=None, after=None):
        numbers = sorted(_number(gid) for gid in self.locations)
        page, has_next, has_previous = _page(numbers, after, _page_size(first))
        items = [{"id": f"gid://shopify/Location/{n}", "name": self.locations[f"gid://shopify/Location/{n}"],
                  "isActive": True} for n in page]
        return _connection(items, page, has_next=has_next, has_previous=has_previous)

    def _resolve_metafield(self, product, _, namespace, key):
        if (namespace, key) not in product["metafields"]:
            return None
        return {"id": product["metafieldIds"][(namespace, key)], "namespace": namespace, "key": key,
                "type": product["metafieldTypes"][(namespace, key)],
                "value": product["metafields"][(namespace, key)]}

    def _resolve_variants_of_product(self, product, _, first=None, after=None):
        variants = product["variants"]  # in position order
        start = 0
        if after:
            last = f"gid://shopify/ProductVariant/{_after(after)}"
            start = next((n + 1 for n, v in enumerate(variants) if v["id"] == last), len(variants))
        page = variants[start : start + _page_size(first)]
        return _connection(page, [_number(v["id"]) for v in page], has_next=start + len(page) < len(variants),
                           has_previous=start > 0)

    def _resolve_products(self, _, info, first=None, after=None, query=None):
        first = _page_size(first)
        if query:
            numbers = self._search_products(query, info)
        else:
            numbers = self._ordered(self._product_order, self.products)
        page, has_next, has_previous = _page(numbers, after, first)
        products = [self.products[f"gid://shopify/Product/{n}"] for n in page]
        return _connection(products, page, has_next=has_next, has_previous=has_previous)

    def _resolve_product_variants(self, _, info, first=None, after=None, query=None):
        first = _page_size(first)
        if query:
            page, has_next, has_previous = _page(self._search_variants(query, info), after, first)
            variants = [self._variants[f"gid://shopify/ProductVariant/{n}"] for n in page]
            return _connection(variants, page, has_next=has_next, has_previous=has_previous)
        # Every variant: walk the id order from the cursor, skipping variants deleted since.
        order = self._ordered(self._variant_order, self._variants)
        start = bisect_right(order, _after(after)) if after else 0
        variants, has_next = [], False
        for number in itertools.islice(order, start, None):
            variant = self._live_variant(self._variants.get(f"gid://shopify/ProductVariant/{number}"))
            if variant is not None:
                if len(variants) == first:
                    has_next = True
                    break
                variants.append(variant)
        return _connection(variants, [_number(v["id"]) for v in variants], has_next=has_next,
                           has_previous=start > 0)

    # --- search ------------------------------------------------------------------------------------------

    def _search(self, query, info, fields, candidates_of, every, get):
        """Numeric ids (ascending) of the objects matching ``query``. ``fields``: field → predicate
        (object, value), "" for a bare word; ``candidates_of(field, value)``: the gids an index gives
        for a term, or None; ``every()``: all numeric ids; ``get(number)``: the object, or None."""
        unknown, found = set(), set()
        for group in _search_terms(query):
            candidates = None
            for negated, field, value in group:
                if field is not None and field not in fields:
                    unknown.add(field)
                elif not negated and field is not None:
                    indexed = candidates_of(field, value)
                    if indexed is not None:
                        numbers = {_number(gid) for gid in indexed}
                        candidates = numbers if candidates is None else candidates & numbers
            for number in every() if candidates is None else candidates:
                item = get(number)
                if item is not None and all(field in unknown or fields[field or ""](item, value) != negated
                                            for negated, field, value in group):
                    found.add(number)
        if unknown:
            warnings = [{"field": field, "message": "Invalid search field for this query."}
                        for field in sorted(unknown)]
            self._search_warnings.append({"path": [info.field_name], "query": query, "warnings": warnings})
        return sorted(found)

    def _search_products(self, query, info):
        def by_variant(key):
            return lambda product, value: any(_matches(v[key], value) for v in product["variants"])

        fields = {
            "": lambda p, value: value.lower() in p["title"].lower(),
            "id": lambda p, value: _same_id(p["id"], value),
            "handle": lambda p, value: _matches(p["handle"], value),
            "title": lambda p, value: _matches(p["title"], value),
            "vendor": lambda p, value: _matches(p["vendor"], value),
            "product_type": lambda p, value: _matches(p["productType"], value),
            "status": lambda p, value: p["status"].lower() in value.lower().split(","),
            "tag": lambda p, value: any(_matches(tag, value) for tag in p["tags"]),
            "sku": by_variant("sku"),
            "barcode": by_variant("barcode"),
        }

        def candidates_of(field, value):
            if "*" in value:
                return None
            if field == "id":
                return [f"gid://shopify/Product/{_number(value) or value}"]
            if field == "handle":
                return [self._by_handle[value]] if value in self._by_handle else []
            if field in ("sku", "barcode"):
                index = self._by_sku if field == "sku" else self._by_barcode
                return [v["productId"] for v in self._indexed(index, field, value)]
            return None

        return self._search(query, info, fields, candidates_of,
                            lambda: self._ordered(self._product_order, self.products),
                            lambda n: self.products.get(f"gid://shopify/Product/{n}"))

    def _search_variants(self, query, info):
        fields = {
            "": lambda v, value: value.lower() in f"{v['sku'] or ''} {v['title']}".lower(),
            "id": lambda v, value: _same_id(v["id"], value),
            "sku": lambda v, value: _matches(v["sku"], value),
            "barcode": lambda v, value: _matches(v["barcode"], value),
            "product_id": lambda v, value: _same_id(v["productId"], value),
        }

        def candidates_of(field, value):
            if "*" in value:
                return None
            if field == "id":
                return [f"gid://shopify/ProductVariant/{_number(value) or value}"]
            if field in ("sku", "barcode"):
                index = self._by_sku if field == "sku" else self._by_barcode
                return [v["id"] for v in self._indexed(index, field, value)]
            if field == "product_id":
                product = self.products.get(f"gid://shopify/Product/{_number(value) or value}")
                return [v["id"] for v in product["variants"]] if product else []
            return None

        def get(number):
            return self._live_variant(self._variants.get(f"gid://shopify/ProductVariant/{number}"))

        return self._search(query, info, fields, candidates_of,
                            lambda: self._ordered(self._variant_order, self._variants), get)

    # --- mutations ---------------------------------------------------------------------------------------

    def _product_set(self, _, __, input, identifier=None, synchronous=True):
        product, errors = self._upsert(input, identifier)
        if synchronous is not False:
            return {"product": product, "productSetOperation": None, "userErrors": errors}
        if errors:
            return {"product": None, "productSetOperation": None, "userErrors": errors}
        # Applied now; the answer still says "accepted, poll productOperation", as Shopify's does.
        operation = {"id": self._gid("ProductSetOperation"), "status": "COMPLETE", "productId": product["id"],
                     "userErrors": []}
        self._product_operations[operation["id"]] = operation
        return {"product": None, "productSetOperation": {**operation, "status": "CREATED"}, "userErrors": []}

    def _variants_bulk_update(self, _, __, productId, variants, allowPartialUpdates=False):
        product = self.products.get(productId)
        if product is None:
            return {"product": None, "productVariants": None, "userErrors": [
                _user_error(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")]}
        if len(variants) > MAX_ARRAY_INPUT:
            return {"product": product, "productVariants": None, "userErrors": [_user_error(
                ["variants"], f"The input array size of {len(variants)} is greater than the maximum allowed "
                f"of {MAX_ARRAY_INPUT}.", "MAX_INPUT_SIZE_EXCEEDED")]}
        by_id = {v["id"]: v for v in product["variants"]}
        errors, valid = [], []
        for n, data in enumerate(variants):
            problems = _UserErrors()
            if not data.get("id"):
                problems.add(["variants", n, "id"], "Product variant is missing ID attribute",
                             "PRODUCT_VARIANT_ID_MISSING")
            elif data["id"] not in by_id:
                problems.add(["variants", n, "id"], "Product variant does not exist",
                             "PRODUCT_VARIANT_DOES_NOT_EXIST")
            for key in ("price", "compareAtPrice"):
                if data.get(key) is not None and _money(data[key]) is None:
                    problems.add(["variants", n, key], f"{key} must be a decimal amount of at least 0, not "
                                 f"{data[key]!r}.", "INVALID_INPUT")
            errors += problems
            if not problems:
                valid.append(data)
        if errors and not allowPartialUpdates:
            return {"product": product, "productVariants": None, "userErrors": errors}
        for data in valid:
            variant = by_id[data["id"]]
            if data.get("price") is not None:
                variant["price"] = _money(data["price"])
            if "compareAtPrice" in data:
                variant["compareAtPrice"] = _money(data["compareAtPrice"]) if data["compareAtPrice"] else None
            if "barcode" in data:
                self._set_code(variant, "barcode", data["barcode"])
            item = data.get("inventoryItem") or {}
            if "sku" in item:
                self._set_code(variant, "sku", item["sku"])
            if item.get("tracked") is not None:
                variant["inventoryItem"]["tracked"] = item["tracked"]
            variant["updatedAt"] = product["updatedAt"] = _now()
        return {"product": product, "productVariants": [by_id[d["id"]] for d in valid], "userErrors": errors}

    def _inventory_set_quantities(self, _, __, input):
        quantities, name = input["quantities"], input["name"]
        errors = _UserErrors()
        if name not in QUANTITY_NAMES:
            errors.add(["input", "name"], "The quantity name must be available or on_hand.", "INVALID_NAME")
        if input["reason"] not in REASONS:
            errors.add(["input", "reason"], f"The reason {input['reason']!r} is not valid.", "INVALID_REASON")
        if len(quantities) > MAX_ARRAY_INPUT:
            errors.add(["input", "quantities"], f"The input array size of {len(quantities)} is greater than "
                       f"the maximum allowed of {MAX_ARRAY_INPUT}.", "MAX_INPUT_SIZE_EXCEEDED")
        checks_compare = not input.get("ignoreCompareQuantity")
        targets = []
        for n, quantity in enumerate(quantities):
            field = ["input", "quantities", n]
            if self.api_version >= "2026-07" and "changeFromQuantity" not in quantity:
                errors.add([*field, "changeFromQuantity"], "changeFromQuantity must be given on each "
                           "quantity (null to skip the check).", "CHANGE_FROM_QUANTITY_REQUIRED")
            if self.api_version < "2026-01" and checks_compare and quantity.get("compareQuantity") is None:
                errors.add([*field, "compareQuantity"], "compareQuantity must be given unless "
                           "ignoreCompareQuantity is true.", "COMPARE_QUANTITY_REQUIRED")
            variant = self._live_variant(self._items.get(quantity["inventoryItemId"]))
            location = quantity["locationId"]
            if variant is None:
                errors.add([*field, "inventoryItemId"], "The specified inventory item could not be found.",
                           "INVALID_INVENTORY_ITEM")
                continue
            if location not in self.locations:
                errors.add([*field, "locationId"], "The specified location could not be found.",
                           "INVALID_LOCATION")
                continue
            if location not in variant["inventoryLevels"]:
                errors.add([*field, "locationId"], "The specified inventory item is not stocked at the "
                           "location.", "ITEM_NOT_STOCKED_AT_LOCATION")
                continue
            current = variant["inventoryLevels"][location]
            if quantity.get("changeFromQuantity") is not None and quantity["changeFromQuantity"] != current:
                errors.add([*field, "changeFromQuantity"], f"The quantity changed since it was read: it is "
                           f"{current}.", "CHANGE_FROM_QUANTITY_STALE")
            compare = quantity.get("compareQuantity")
            if checks_compare and compare is not None and compare != current:
                errors.add([*field, "compareQuantity"], "The compareQuantity argument no longer matches the "
                           f"persisted quantity: it is {current}.", "COMPARE_QUANTITY_STALE")
            targets.append((variant, location, quantity["quantity"], current))
        if errors:  # all or nothing
            return {"inventoryAdjustmentGroup": None, "userErrors": errors}
        changes = []
        other = "on_hand" if name == "available" else "available"
        for variant, location, after, before in targets:
            variant["inventoryLevels"][location] = after
            for changed in (name, other):
                changes.append({"name": changed, "delta": after - before, "quantityAfterChange": after,
                                "item": variant["inventoryItem"], "location": {
                                    "id": location, "name": self.locations[location], "isActive": True}})
        group = {"id": self._gid("InventoryAdjustmentGroup"), "createdAt": _now(), "reason": input["reason"],
                 "referenceDocumentUri": input.get("referenceDocumentUri"), "changes": changes}
        return {"inventoryAdjustmentGroup": group, "userErrors": []}
