"""Validation issues: problems a product may be saved with but that a catalog manager must see.

A wrong GS1 check digit is accepted (contract §5) and reported here, as are required template
attributes left empty and references/SKUs that channels will refuse.
"""

import re
from collections import defaultdict

from django.utils import timezone

from products.models import ValidationIssue, Variant
from products.payload import gs1_check_digit_ok
from products.selectors import template_requirements
from products.services.rows import append_rows

# Letters, digits and . _ / - : what every sales channel we push to accepts in a SKU.
VALID_SKU = re.compile(r"^[A-Za-z0-9._/-]+$")
# Codes whose GS1 check digit is verified.
GS1_CODES = ("ean", "gtin", "upc")
# The product columns the issues are computed from (besides variants and attribute values, which
# have writes of their own): a product write that changes none of them leaves its issues as they are.
ISSUE_INPUTS = frozenset({*GS1_CODES, "reference", "template_id"})


def _code_issues(product):
    for field in GS1_CODES:
        code = product[field]
        if code and not gs1_check_digit_ok(code):
            label = field.upper()
            yield ValidationIssue.Code.EAN_CHECK_DIGIT, field, f"{label} {code} has a wrong check digit."
    if product["reference"] and not VALID_SKU.match(product["reference"]):
        yield (ValidationIssue.Code.INVALID_SKU, "reference",
               f"Reference '{product['reference']}' has characters channels refuse (use letters, digits, . _ / -).")


def refresh_validation_issues(products, *, new=False):
    """Recomputes the issues of these products, in a constant number of queries.

    ``products`` are rows (``{attname: value}``, see ``Product.as_row``) of saved products;
    ``new`` says they were just created, so they have no variants, values or issues yet."""
    if not products:
        return
    product_ids = [p["id"] for p in products]
    required, filled = template_requirements(products, new=new)
    bad_skus = defaultdict(list)
    if not new:
        for product_id, sku in Variant.objects.filter(product_id__any=product_ids).values_list("product_id", "sku"):
            if not VALID_SKU.match(sku):
                bad_skus[product_id].append(sku)

    now = timezone.now()
    issues = []
    for product in products:
        found = list(_code_issues(product))
        for attribute in required.get(product["template_id"], []):
            if (product["id"], attribute.id) not in filled:
                found.append((ValidationIssue.Code.MISSING_REQUIRED_ATTRIBUTE, attribute.code,
                              f"Required attribute '{attribute.name}' is empty."))
        for sku in bad_skus.get(product["id"], []):
            found.append((ValidationIssue.Code.INVALID_SKU, "variants.sku",
                          f"Variant SKU '{sku}' has characters channels refuse (use letters, digits, . _ / -)."))
        issues.extend(
            {"organization_id": product["organization_id"], "product_id": product["id"], "code": code,
             "field": field, "message": message, "created_at": now}
            for code, field, message in found
        )
    if not new:
        ValidationIssue.objects.filter(product_id__any=product_ids).delete()
    append_rows(ValidationIssue, issues)
