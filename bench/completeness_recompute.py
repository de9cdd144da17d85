"""Recomputing completeness for a 100,000-product organization on PostgreSQL (what
`manage.py recompute_completeness` runs). Prints products/s (target: at least 5,000/s).

    python bench/completeness_recompute.py [--products 100000]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import account, setup_django  # noqa: E402


def populate(organization, count):
    """Products written straight to the table (their completeness left at 0, stale on purpose):
    four in five without a template, one in five with a three-attribute template; half with images."""
    from products.models import Attribute, AttributeValue, Brand, Media, Product, Template, TemplateAttribute

    brand = Brand.objects.create(organization=organization, name="Kimex")
    template = Template.objects.create(organization=organization, name="T-shirt")
    attributes = [Attribute.objects.create(organization=organization, name=n, code=n) for n in ("color", "size", "fit")]
    TemplateAttribute.objects.bulk_create([TemplateAttribute(template=template, attribute=a, required=True)
                                           for a in attributes])
    products = [
        Product(organization=organization, name=f"Produit {n}", ean=f"{n:013d}", brand=brand, price=10,
                description="Texte" if n % 2 else "", template=template if n % 5 == 0 else None)
        for n in range(count)
    ]
    Product.objects.bulk_create(products, batch_size=5000)
    Media.objects.bulk_create([Media(organization=organization, product=p, url="https://cdn.example.com/x.jpg")
                               for p in products[::2]], batch_size=5000)
    AttributeValue.objects.bulk_create([AttributeValue(organization=organization, product=p, attribute=attributes[0],
                                                       value_text="red") for p in products[::5]], batch_size=5000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    args = parser.parse_args()
    setup_django("pixeepim_bench_completeness")
    organization, _, _ = account(["pim:read"])
    populate(organization, args.products)
    from django.db import connection

    from workflow.services import recompute_organization

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    count = recompute_organization(organization)
    seconds = time.perf_counter() - started
    print(f"completeness recompute: {count} products in {seconds:.1f}s, {count / seconds:,.0f} products/s")


if __name__ == "__main__":
    main()
