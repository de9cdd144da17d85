"""What a client may write into a product, and how each value is checked.

One declaration of the writable product fields serves every write surface (Products API, PIM
API, External API, imports). Checking is plain Python, not a serializer per item, so a batch of
1,000 items costs microseconds per field; errors name the field and say why, in the contract's
``{field: [messages]}`` form.
"""

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from products.models import Product

MAX_MONEY = Decimal("999999.99")
MAX_MEASURE = Decimal("99999.99")
EAN_LENGTHS = (8, 12, 13, 14)
DIGITS = re.compile(r"^\d+$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
ASIN = re.compile(r"^[A-Z0-9]{10}$")


class Invalid(Exception):
    pass


def gs1_check_digit_ok(code):
    """The GS1 mod-10 check used by EAN-8/13, UPC-A and GTIN-14."""
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def _text(max_length=None, *, blank=True, pattern=None, pattern_message=None, upper=False):
    def clean(value):
        if not isinstance(value, str):
            raise Invalid("Must be a string.")
        value = value.strip()
        if upper:
            value = value.upper()
        if not value and not blank:
            raise Invalid("Must not be empty.")
        if max_length and len(value) > max_length:
            raise Invalid(f"At most {max_length} characters (got {len(value)}).")
        if value and pattern and not pattern.match(value):
            raise Invalid(pattern_message)
        return value

    return clean


def _digits(*lengths, label):
    def clean(value):
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise Invalid("Must be a string of digits.")
        value = value.strip()
        if not DIGITS.match(value) or len(value) not in lengths:
            allowed = ", ".join(map(str, lengths[:-1])) + (" or " if len(lengths) > 1 else "") + str(lengths[-1])
            raise Invalid(f"{label} must be {allowed} digits.")
        return value

    return clean


def _decimal(maximum):
    def clean(value):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise Invalid("Must be a number.")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise Invalid("Must be a number.") from None
        if not number.is_finite():
            raise Invalid("Must be a number.")
        if number < 0 or number > maximum:
            raise Invalid(f"Must be between 0 and {maximum}.")
        if number.as_tuple().exponent < -2:
            raise Invalid("At most 2 decimal places.")
        return number.quantize(Decimal("0.01"))

    return clean


def _choice(choices):
    values = [c.value for c in choices]

    def clean(value):
        if value not in values:
            raise Invalid(f"Must be one of: {', '.join(values)}.")
        return value

    return clean


def _boolean(value):
    if not isinstance(value, bool):
        raise Invalid("Must be true or false.")
    return value


def _uuid(value):
    if not isinstance(value, str):
        raise Invalid("Must be a UUID string.")
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Invalid("Must be a UUID.") from None


@dataclass(frozen=True)
class FieldSpec:
    clean: callable
    # What an explicit null (or, for PUT, an omitted field) stores: None for nullable columns,
    # "" for text columns; REQUIRED when the field cannot be emptied.
    empty: object = ""
    description: str = ""


REQUIRED = object()

# Model fields a client writes directly (name → spec). References and aliases follow below.
PRODUCT_FIELDS = {
    "ean": FieldSpec(_digits(*EAN_LENGTHS, label="EAN"), None, "EAN-8, UPC-12, EAN-13 or GTIN-14 digits."),
    "name": FieldSpec(_text(255, blank=False), REQUIRED, "Product name, 1–255 characters."),
    "barcode": FieldSpec(_text(64), "", "Barcode value (defaults to the EAN)."),
    "description": FieldSpec(_text(), "", "Long description (HTML allowed)."),
    "short_description": FieldSpec(_text(), "", "Short marketing text."),
    "reference": FieldSpec(_text(100), "", "Manufacturer reference / SKU."),
    "asin": FieldSpec(_text(10, pattern=ASIN, pattern_message="ASIN must be 10 letters or digits.", upper=True), "",
                      "Amazon ASIN."),
    "upc": FieldSpec(_digits(12, label="UPC"), "", "Universal Product Code (12 digits)."),
    "gtin": FieldSpec(_digits(*EAN_LENGTHS, label="GTIN"), "", "Global Trade Item Number."),
    "status": FieldSpec(_choice(Product.Status), REQUIRED, "active, inactive or archived."),
    "price": FieldSpec(_decimal(MAX_MONEY), None, "Retail price, 0–999999.99."),
    "cost_price": FieldSpec(_decimal(MAX_MONEY), None, "Cost / purchase price, 0–999999.99."),
    "weight": FieldSpec(_decimal(MAX_MEASURE), None, "Weight in kg, 0–99999.99."),
    "width": FieldSpec(_decimal(MAX_MEASURE), None, "Width in cm."),
    "height": FieldSpec(_decimal(MAX_MEASURE), None, "Height in cm."),
    "depth": FieldSpec(_decimal(MAX_MEASURE), None, "Depth in cm."),
    "unit_of_measure": FieldSpec(_choice(Product.UnitOfMeasure), "", "unit, pack, box, pair, set, m, m2, m3, cm, kg, g, l, ml."),
    "external_id": FieldSpec(_text(100), "", "Your system's own id."),
    "url_slug": FieldSpec(_text(255, pattern=SLUG, pattern_message="Only letters, digits, - and _."), None,
                          "SEO slug, unique among your live products."),
}

# Foreign keys by id: checked against the organization by the service, in one query per kind.
REFERENCE_FIELDS = {
    "brand_id": "brand",
    "category_id": "category",
    "supplier_id": "supplier",
    "template_id": "template",
}

# Convenience inputs resolved by the service: matched (case-insensitively) or created.
ALIAS_FIELDS = {
    "is_active": FieldSpec(_boolean, REQUIRED, "Shorthand for status = active (false: inactive)."),
    "brand_name": FieldSpec(_text(200), None, "Brand name, matched case-insensitively or created."),
    "supplier_code": FieldSpec(_text(50), None, "Supplier / import source code, matched or created."),
}

WRITABLE_FIELDS = [*PRODUCT_FIELDS, *REFERENCE_FIELDS, *ALIAS_FIELDS]


@dataclass
class CleanItem:
    """One item's checked values: model fields, reference ids, aliases; or its errors."""

    values: dict = field(default_factory=dict)
    references: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)

    def add_error(self, name, message):
        self.errors.setdefault(name, []).append(message)


def clean_product_input(data, *, allowed=None, replace=False, ignore_nulls=False):
    """Checks one item.

    ``allowed`` limits the accepted field names (default: every writable field). Unknown
    fields are errors, never dropped silently. With ``replace`` (PUT), writable model fields the
    item omits are emptied (see ``FieldSpec.empty``). With ``ignore_nulls``, a null leaves the field
    as it is instead of emptying it (the External API's upsert and PATCH).
    """
    item = CleanItem()
    if not isinstance(data, dict):
        item.add_error("non_field_errors", "Each product must be a JSON object.")
        return item
    for name, raw in data.items():
        known = _SPECS.get(name)
        if known is None or (allowed is not None and name not in allowed):
            item.add_error(name, "Unknown field.")
            continue
        spec, kind = known
        if raw is None and ignore_nulls:
            continue
        target = item.values if kind == "value" else item.references if kind == "reference" else item.aliases
        if raw is None or (raw == "" and spec.empty == ""):
            if spec.empty is REQUIRED:
                item.add_error(name, "May not be null.")
            else:
                target[name] = spec.empty  # null, or "" for an optional text: the field is cleared
            continue
        try:
            target[name] = spec.clean(raw)
        except Invalid as exc:
            item.add_error(name, str(exc))
    if replace:
        for name, (spec, kind) in _SPECS.items():
            if kind != "alias" and name not in data and spec.empty is not REQUIRED and (allowed is None or name in allowed):
                (item.values if kind == "value" else item.references)[name] = spec.empty
    if "is_active" in item.aliases:
        is_active = item.aliases.pop("is_active")
        if "status" in item.values and (item.values["status"] == Product.Status.ACTIVE) != is_active:
            item.add_error("is_active", "Contradicts status.")
        else:
            item.values.setdefault("status", Product.Status.ACTIVE if is_active else Product.Status.INACTIVE)
    return item


REFERENCE_SPEC = FieldSpec(_uuid, None, "UUID of a row of your organization.")
# name → (spec, kind): where a checked value goes in a CleanItem.
_SPECS = {
    **{name: (spec, "value") for name, spec in PRODUCT_FIELDS.items()},
    **{name: (REFERENCE_SPEC, "reference") for name in REFERENCE_FIELDS},
    **{name: (spec, "alias") for name, spec in ALIAS_FIELDS.items()},
}
