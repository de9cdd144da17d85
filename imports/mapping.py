"""Mapping file columns to product fields (and attributes, as ``attribute:<code>``)."""

import re

from products.payload import WRITABLE_FIELDS

ATTRIBUTE_PREFIX = "attribute:"
# Column names suppliers commonly use for our fields.
ALIASES = {
    "title": "name", "product_name": "name", "nom": "name", "designation": "name", "libelle": "name",
    "sku": "reference", "ref": "reference", "reference_fournisseur": "reference", "mpn": "reference",
    "brand": "brand_name", "marque": "brand_name", "manufacturer": "brand_name",
    "supplier": "supplier_code", "fournisseur": "supplier_code",
    "ean13": "ean", "gtin13": "ean", "code_ean": "ean",
    "prix": "price", "retail_price": "price", "purchase_price": "cost_price", "cost": "cost_price",
    "poids": "weight", "active": "is_active", "enabled": "is_active",
}
NOT_IMPORTED = {"id", "category_id", "template_id", "brand_id", "supplier_id"}  # ids of another system mean nothing
TARGETS = [field for field in WRITABLE_FIELDS if field not in NOT_IMPORTED]


def _normalized(column):
    return re.sub(r"[^a-z0-9]+", "_", column.strip().lower()).strip("_")


def propose(columns, attribute_codes):
    """{column: target or None}: exact field names first, then common aliases, then attribute codes."""
    proposal, taken = {}, set()
    for column in columns:
        key = _normalized(column)
        target = key if key in TARGETS else ALIASES.get(key)
        if target is None and key in attribute_codes:
            target = f"{ATTRIBUTE_PREFIX}{key}"
        if target in taken:
            target = None
        proposal[column] = target
        if target:
            taken.add(target)
    return proposal


def check(mapping, attribute_codes):
    """Errors of a mapping ({"mapping": [messages]}), empty when it can be used."""
    problems = []
    if not isinstance(mapping, dict) or not all(isinstance(k, str) for k in mapping):
        return {"mapping": ["The mapping is an object of column names to product fields."]}
    targets = [target for target in mapping.values() if target]
    for target in targets:
        if target.startswith(ATTRIBUTE_PREFIX):
            if target[len(ATTRIBUTE_PREFIX):] not in attribute_codes:
                problems.append(f"{target}: no attribute with this code in your organization.")
        elif target not in TARGETS:
            problems.append(f"{target}: not a product field (one of {', '.join(TARGETS)}, or attribute:<code>).")
    duplicates = sorted({target for target in targets if targets.count(target) > 1})
    if duplicates:
        problems.append(f"Mapped from several columns: {', '.join(duplicates)}.")
    if "ean" not in targets:
        problems.append("One column must map to ean: rows are matched by EAN.")
    return {"mapping": problems} if problems else {}


DECIMALS = {"price", "cost_price", "weight", "width", "height", "depth"}
BOOLEANS = {"true": True, "1": True, "yes": True, "oui": True, "false": False, "0": False, "no": False, "non": False}


def apply(mapping, values):
    """(product payload, {attribute code: text}) of one row; empty cells are left out. Decimal
    commas ("19,90") and yes/no words are read as files from spreadsheets write them."""
    payload, attributes = {}, {}
    for column, target in mapping.items():
        value = values.get(column)
        if not target or value is None:
            continue
        if target.startswith(ATTRIBUTE_PREFIX):
            attributes[target[len(ATTRIBUTE_PREFIX):]] = value
        elif target in DECIMALS:
            payload[target] = value.replace(",", ".")
        elif target == "is_active":
            payload[target] = BOOLEANS.get(value.lower(), value)
        else:
            payload[target] = value
    return payload, attributes
