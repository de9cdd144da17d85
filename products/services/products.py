"""Writes of products: the only path by which the APIs, the admin, imports and connectors change one.

Everything goes through ``save_products``, which handles a batch set-based: it fetches what exists
for the whole batch in one query per kind, writes with one statement per kind, and never leaves an
item half-written (each item is applied whole or reported with its errors). Single-product
operations are batches of one.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone

from rest_framework.exceptions import ValidationError

from pixeepim.api.errors import Conflict
from products.models import Brand, Category, Product, Supplier, Template
from products.payload import PRODUCT_FIELDS, REFERENCE_FIELDS, clean_product_input
from products.services.audit import audit_event, changes, record, snapshot
from products.services.validation import refresh_validation_issues

CREATE, UPDATE, UPSERT = "create", "update", "upsert"
# Attribute names compared, audited and written: the writable columns and the foreign keys.
TRACKED_ATTNAMES = [*PRODUCT_FIELDS, *(REFERENCE_FIELDS[name] + "_id" for name in REFERENCE_FIELDS)]


@dataclass
class ItemResult:
    index: int
    ean: str | None
    status: str = "error"  # created, updated, unchanged, skipped, error
    product: Product | None = None
    errors: dict = field(default_factory=dict)
    conflict: bool = False  # the error is a duplicate (409 for a single item)
    before: dict | None = None
    after: dict | None = None

    def as_dict(self):
        body = {"ean": self.ean, "status": self.status}
        if self.product is not None and self.status != "skipped":
            body["id"] = str(self.product.id)
        if self.errors:
            body["errors"] = self.errors
        return body


def _org_lock_key(organization):
    return int.from_bytes(hashlib.blake2b(organization.id.bytes, digest_size=8).digest(), "big", signed=True)


def allocate_write_times(organization, count):
    """``count`` strictly increasing ``updated_at`` values, later than any already stored.

    Writers of one organization take a transaction-level lock first, so timestamps follow commit
    order: a delta-sync reader that has seen time T never misses a later-committed write before T
    (contract §6). Must run inside the writing transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_org_lock_key(organization)])
            cursor.execute(
                "SELECT greatest(clock_timestamp(), max(updated_at) + interval '1 microsecond') "
                "FROM products_product WHERE organization_id = %s",
                [organization.id],
            )
            start = cursor.fetchone()[0]
    else:  # SQLite serializes writers itself
        latest = Product.objects.filter(organization=organization).aggregate(latest=Max("updated_at"))["latest"]
        start = timezone.now()
        if latest is not None and latest >= start:
            start = latest + datetime.timedelta(microseconds=1)
    return [start + datetime.timedelta(microseconds=i) for i in range(count)]


def _resolve_references(organization, items, results, *, create_missing):
    """Turns ``*_id`` references and ``brand_name``/``supplier_code`` aliases into rows, one query per kind."""
    wanted = {name: set() for name in REFERENCE_FIELDS}
    brand_names, supplier_codes = {}, {}
    for item in items:
        for name, value in item.references.items():
            if value is not None:
                wanted[name].add(value)
        if item.aliases.get("brand_name"):
            brand_names.setdefault(item.aliases["brand_name"].lower(), item.aliases["brand_name"])
        if item.aliases.get("supplier_code"):
            supplier_codes.setdefault(item.aliases["supplier_code"], item.aliases["supplier_code"])

    models = {"brand_id": Brand, "category_id": Category, "supplier_id": Supplier, "template_id": Template}
    found = {
        name: set(models[name].objects.for_org(organization).filter(id__in=ids).values_list("id", flat=True)) if ids else set()
        for name, ids in wanted.items()
    }
    brands = {}
    if brand_names:
        brands = {b.name.lower(): b for b in Brand.objects.for_org(organization).annotate(lname=Lower("name"))
                  .filter(lname__in=list(brand_names))}
        missing = [name for key, name in brand_names.items() if key not in brands]
        if missing and create_missing:
            Brand.objects.bulk_create([Brand(organization=organization, name=n) for n in missing], ignore_conflicts=True)
            brands = {b.name.lower(): b for b in Brand.objects.for_org(organization).annotate(lname=Lower("name"))
                      .filter(lname__in=list(brand_names))}
    suppliers = {}
    if supplier_codes:
        suppliers = {s.code: s for s in Supplier.objects.for_org(organization).filter(code__in=list(supplier_codes))}
        missing = [code for code in supplier_codes if code not in suppliers]
        if missing and create_missing:
            Supplier.objects.bulk_create([Supplier(organization=organization, code=c, name=c) for c in missing],
                                         ignore_conflicts=True)
            suppliers = {s.code: s for s in Supplier.objects.for_org(organization).filter(code__in=list(supplier_codes))}

    for item, result in zip(items, results):
        for name, value in item.references.items():
            if value is not None and value not in found[name]:
                item.add_error(name, f"No {REFERENCE_FIELDS[name]} with this id in your organization.")
        brand_name = item.aliases.get("brand_name")
        if brand_name is not None:
            brand = brands.get(brand_name.lower()) if brand_name else None
            if brand_name and brand is None:
                item.add_error("brand_name", "No brand with this name in your organization.")
            item.references["brand_id"] = brand.id if brand else None
        supplier_code = item.aliases.get("supplier_code")
        if supplier_code is not None:
            supplier = suppliers.get(supplier_code) if supplier_code else None
            if supplier_code and supplier is None:
                item.add_error("supplier_code", "No supplier with this code in your organization.")
            item.references["supplier_id"] = supplier.id if supplier else None


def save_products(*, organization, payloads, actor, mode, skip_existing=False, skip_missing=False,
                  dry_run=False, replace=False, defaults=None, allowed=None, create_missing_references=True,
                  match_ids=None, required_to_create=("name",)):
    """Creates and/or updates a batch of products; returns one ``ItemResult`` per payload, in order.

    - ``mode``: CREATE (an existing EAN is a conflict, or ``skip_existing``), UPDATE (matched by
      EAN, or by ``match_ids[i]`` when given; a missing one is an error, or ``skip_missing``),
      UPSERT (create, or update the given non-null fields).
    - ``replace``: writable fields the payload omits are emptied (PUT).
    - ``defaults``: values applied to every item that does not set them (e.g. a batch's supplier).
    - ``required_to_create``: the fields a new product must have.
    - ``dry_run``: everything is checked, nothing is written.
    """
    items = [clean_product_input(p, allowed=allowed, replace=replace) for p in payloads]
    for item in items:
        for name, value in (defaults or {}).items():
            item.aliases.setdefault(name, value)
    results = [ItemResult(index=i, ean=(p.get("ean") if isinstance(p, dict) else None)) for i, p in enumerate(payloads)]

    with transaction.atomic():
        _resolve_references(organization, items, results, create_missing=create_missing_references and not dry_run)
        by_ean, by_id = _existing(organization, items, match_ids, lock=not dry_run)
        seen_eans = set()
        to_create, to_update = [], []
        for index, (item, result) in enumerate(zip(items, results)):
            ean = item.values.get("ean")
            if ean and not item.errors:
                if ean in seen_eans:
                    item.add_error("ean", "Duplicate EAN in this request.")
                seen_eans.add(ean)
            if item.errors:
                result.errors = item.errors
                continue
            existing = by_id.get(match_ids[index]) if match_ids else (by_ean.get(ean) if ean else None)
            if existing is None:
                if mode == UPDATE and not match_ids and not ean:
                    result.errors = {"ean": ["Required to find the product to update."]}
                    continue
                if mode == UPDATE:
                    if skip_missing:
                        result.status = "skipped"
                    else:
                        result.errors = {"ean": ["No product with this EAN."]} if not match_ids else {"id": ["Not found."]}
                    continue
                _prepare_new(organization, item, result, to_create, required_to_create)
            else:
                if mode == CREATE:
                    if skip_existing:
                        result.status = "skipped"
                    else:
                        result.conflict = True
                        result.errors = {"ean": ["A product with this EAN already exists."]}
                    continue
                _prepare_update(item, result, existing, by_ean, to_update)

        if not dry_run:
            _write(organization, actor, to_create, to_update, results)
    # An update that changed nothing is still reported as updated; a dry run reports what would be.
    for result in results:
        result.status = FINAL_STATUS.get(result.status, result.status)
    return results


FINAL_STATUS = {"create": "created", "update": "updated", "unchanged": "updated"}


def _existing(organization, items, match_ids, *, lock):
    queryset = Product.objects.for_org(organization).live().order_by("id")
    if lock and connection.features.has_select_for_update:
        # Every writer locks rows in primary-key order: concurrent batches cannot deadlock.
        queryset = queryset.select_for_update()
    by_ean, by_id = {}, {}
    if match_ids:
        by_id = {p.id: p for p in queryset.filter(id__in=[i for i in match_ids if i])}
        by_ean = {p.ean: p for p in by_id.values() if p.ean}
    eans = [item.values["ean"] for item in items if item.values.get("ean") and not item.errors]
    if eans:
        by_ean.update({p.ean: p for p in queryset.filter(ean__in=eans)})
    return by_ean, by_id


def _prepare_new(organization, item, result, to_create, required):
    missing = [name for name in required if not item.values.get(name)]
    if missing:
        result.errors = {name: ["Required to create a product."] for name in missing}
        return
    values = {**item.values, **{REFERENCE_FIELDS[k] + "_id": v for k, v in item.references.items()}}
    if not values.get("barcode") and values.get("ean"):
        values["barcode"] = values["ean"]
    product = Product(organization=organization, **values)
    result.product, result.status = product, "create"
    to_create.append(result)


def _prepare_update(item, result, existing, by_ean, to_update):
    new_ean = item.values.get("ean")
    if new_ean and new_ean != existing.ean and new_ean in by_ean and by_ean[new_ean].id != existing.id:
        result.conflict = True
        result.errors = {"ean": ["Another product already has this EAN."]}
        return
    before = snapshot(existing, TRACKED_ATTNAMES)
    for name, value in item.values.items():
        setattr(existing, name, value)
    for name, value in item.references.items():
        setattr(existing, REFERENCE_FIELDS[name] + "_id", value)
    after = snapshot(existing, TRACKED_ATTNAMES)
    result.product = existing
    result.status = "update" if after != before else "unchanged"
    result.before, result.after = changes(before, after)
    if result.status == "update":
        to_update.append(result)


def _write(organization, actor, to_create, to_update, results):
    stamps = iter(allocate_write_times(organization, len(to_create) + len(to_update)))
    if to_create:
        for result in to_create:
            result.product.created_at = result.product.updated_at = next(stamps)
        Product.objects.bulk_create([r.product for r in to_create], ignore_conflicts=True)
        # A concurrent writer may have taken an EAN or slug since we looked: those rows were not
        # inserted (ON CONFLICT DO NOTHING) and are reported as conflicts, never half-written.
        inserted = set(Product.objects.filter(id__in=[r.product.id for r in to_create]).values_list("id", flat=True))
        for result in to_create:
            if result.product.id in inserted:
                result.status = "created"
            else:
                result.conflict = True
                result.errors = {"ean": ["A product with this EAN or slug already exists."]}
                result.product, result.status = None, "error"
    if to_update:
        fields = sorted({name for r in to_update for name in r.after} | {"updated_at"})
        for result in to_update:
            result.product.updated_at = next(stamps)
        Product.objects.bulk_update([r.product for r in to_update], fields)
        for result in to_update:
            result.status = "updated"
    created = [r for r in to_create if r.status == "created"]
    updated = [r for r in to_update if r.status == "updated"]
    record(
        [audit_event(organization=organization, actor=actor, action="product.created", entity_type="product",
                     entity_id=r.product.id, after=snapshot(r.product, TRACKED_ATTNAMES)) for r in created]
        + [audit_event(organization=organization, actor=actor, action="product.updated", entity_type="product",
                       entity_id=r.product.id, before=r.before, after=r.after) for r in updated]
    )
    refresh_validation_issues([r.product for r in created + updated])


# --- Single products ---------------------------------------------------------------------------


def _single(results):
    result = results[0]
    if result.errors:
        if result.conflict:
            raise Conflict(result.errors[next(iter(result.errors))][0])
        raise ValidationError(result.errors)
    return result.product


def create_product(*, organization, data, actor, allowed=None, required=("name",)):
    return _single(save_products(organization=organization, payloads=[data], actor=actor, mode=CREATE,
                                 allowed=allowed, required_to_create=required))


def update_product(*, product, data, actor, replace=False, allowed=None):
    """Applies ``data`` to ``product`` (PATCH; PUT with ``replace``). Returns the fresh product."""
    return _single(
        save_products(organization=product.organization, payloads=[data], actor=actor, mode=UPDATE,
                      match_ids=[product.id], replace=replace, allowed=allowed)
    )


@transaction.atomic
def delete_product(*, product, actor):
    """Soft delete: the product leaves every read surface and frees its EAN; the row stays for audit."""
    (stamp,) = allocate_write_times(product.organization, 1)
    Product.objects.filter(pk=product.pk).update(deleted_at=stamp, updated_at=stamp)
    record([audit_event(organization=product.organization, actor=actor, action="product.deleted",
                        entity_type="product", entity_id=product.id, before={"ean": product.ean, "name": product.name})])


@transaction.atomic
def delete_products(*, organization, product_ids, actor):
    """Soft-deletes many products in a constant number of queries; returns the ids deleted."""
    live = list(Product.objects.for_org(organization).live().filter(id__in=product_ids)
                .order_by("id").values_list("id", "ean", "name"))
    if not live:
        return []
    stamps = allocate_write_times(organization, 1)
    Product.objects.filter(id__in=[row[0] for row in live]).update(deleted_at=stamps[0], updated_at=stamps[0])
    record([audit_event(organization=organization, actor=actor, action="product.deleted", entity_type="product",
                        entity_id=pid, before={"ean": ean, "name": name}) for pid, ean, name in live])
    return [row[0] for row in live]
