"""Reads on a 100,000-product catalog on PostgreSQL, over HTTP to gunicorn: the admin product list
(plain, searched, filtered, deep page) and GET /api/v1/products?search=. Prints the median time per
page of each (target: under 150 ms).

    python bench/catalog_reads.py [--products 100000] [--repeat 15]
"""

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.support import account, ean13, gunicorn, median_ms, setup_django, timed  # noqa: E402

BATCH = 1000



WORDS = ["Support", "Câble", "Écran", "Casque", "Clavier", "Souris", "Chargeur", "Enceinte", "Lampe", "Sac"]


def populate(organization, count):
    """``count`` products through the real write service, with brands, categories and images."""
    from pixeepim.auth.actors import SYSTEM
    from products.models import Category, Media, Product
    from products.services import products as product_services

    categories = Category.objects.bulk_create(
        [Category(organization=organization, name=f"Category {i}", slug=f"category-{i}") for i in range(200)])
    for start in range(0, count, BATCH):
        payloads = [
            {"ean": ean13(n), "name": f"{WORDS[n % 10]} modèle {n}", "reference": f"REF-{n}",
             "brand_name": f"Brand {n % 50}", "category_id": str(categories[n % 200].id), "price": 5 + n % 300,
             "weight": 0.25, "description": "Produit de démonstration pour le banc d'essai."}
            for n in range(start, min(start + BATCH, count))
        ]
        product_services.save_products(organization=organization, payloads=payloads, actor=SYSTEM,
                                       mode=product_services.CREATE)
    ids = list(Product.objects.for_org(organization).values_list("id", flat=True)[: count // 2])
    Media.objects.bulk_create([Media(organization=organization, product_id=pid, url=f"https://cdn.example.com/{pid}.jpg")
                               for pid in ids], batch_size=5000)


def admin_session(base, email, password):
    session = requests.Session()
    page = session.get(f"{base}/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/admin/login/?next=/admin/", data={
        "csrfmiddlewaretoken": token, "username": email, "password": password}, headers={"Referer": f"{base}/admin/login/"})
    assert "/admin/login/" not in response.url, "admin login failed"
    return session


def measure(session, url, params, repeat):
    samples = []
    for _ in range(repeat):
        seconds, response = timed(lambda: session.get(url, params=params))
        response.raise_for_status()
        samples.append(seconds)
    return median_ms(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_django("pixeepim_bench_reads")
    organization, user, key = account(["products:read"])
    user.is_staff = True
    user.save()
    print(f"populating {args.products} products…", flush=True)
    populate(organization, args.products)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    from products.models import Brand

    brand = Brand.objects.for_org(organization).first()
    with gunicorn(workers=2) as base:
        admin = admin_session(base, "bench@example.com", "bench-password-1")
        api = requests.Session()
        api.headers["X-API-Key"] = key
        admin_list = f"{base}/admin/products/product/"
        api_list = f"{base}/api/v1/products"
        cases = [
            ("admin list, first page", admin, admin_list, {}),
            ("admin list, page 100", admin, admin_list, {"p": "100"}),
            ("admin search 'modèle 4242'", admin, admin_list, {"q": "modèle 4242"}),
            ("admin search 'casque' (10% of rows)", admin, admin_list, {"q": "casque"}),
            ("admin filter brand + status", admin, admin_list, {"brand_id": str(brand.id), "status__exact": "active"}),
            ("API list, first page", api, api_list, {}),
            ("API search 'modèle 4242'", api, api_list, {"search": "modèle 4242"}),
            ("API search 'casque' (10% of rows)", api, api_list, {"search": "casque"}),
            ("API search EAN prefix", api, api_list, {"search": ean13(31337)[:9]}),
            ("API search reference", api, api_list, {"search": "REF-777"}),
            ("API search, sort by price, page 20", api, api_list, {"search": "modèle", "sort_by": "price", "page": 20}),
        ]
        for label, session, url, params in cases:
            session.get(url, params=params).raise_for_status()  # warm-up
            print(f"{label:45s} median {measure(session, url, params, args.repeat):6.1f} ms", flush=True)


if __name__ == "__main__":
    main()
