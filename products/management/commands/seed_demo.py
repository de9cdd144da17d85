import json

from django.core.management.base import BaseCommand
from django.db import transaction

from pixeepim.auth.actors import SYSTEM
from pixeepim.tenancy.services import bootstrap_account
from products.models import Attribute, Product
from products.services import catalog
from products.services import products as product_services

DEMO_EMAIL = "demo@pixeepim.local"
DEMO_PASSWORD = "pixee-demo"

DEMO_PRODUCTS = [
    ("3760123450010", "Support TV mural fixe 37-75\"", "Kimex", "tv-mounts", "29.99", "1.50"),
    ("3760123450027", "Support TV orientable 32-65\"", "Kimex", "tv-mounts", "49.90", "2.80"),
    ("3760123450034", "Câble HDMI 2.1 — 2 m", "Ingram", "cables", "12.90", "0.12"),
    ("3760123450041", "Câble USB-C 100 W — 1 m", "Ingram", "cables", "9.90", "0.05"),
    ("3760123450058", "T-shirt coton bio", "Atelier Nord", "t-shirts", "19.00", "0.20"),
    ("3760123450065", "Sweat à capuche", "Atelier Nord", "t-shirts", "45.00", "0.55"),
]


class Command(BaseCommand):
    help = "Creates the demo account (a superuser owning the 'Demo' organization) and a small catalog; idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        tenant, organization, user = bootstrap_account(
            tenant_name="Demo", org_name="Demo", email=DEMO_EMAIL, password=DEMO_PASSWORD, superuser=True,
        )
        if not Product.objects.for_org(organization).exists():
            self._catalog(organization)
        self.stdout.write(json.dumps({
            "tenant_id": str(tenant.id), "org_id": str(organization.id), "user_id": str(user.id),
            "email": DEMO_EMAIL, "password": DEMO_PASSWORD,
        }))

    def _catalog(self, organization):
        apparel = catalog.create_category(organization=organization, actor=SYSTEM, name="Apparel", slug="apparel")
        electronics = catalog.create_category(organization=organization, actor=SYSTEM, name="Electronics",
                                              slug="electronics")
        categories = {
            "tv-mounts": catalog.create_category(organization=organization, actor=SYSTEM, name="TV mounts",
                                                 slug="tv-mounts", parent=electronics),
            "cables": catalog.create_category(organization=organization, actor=SYSTEM, name="Cables", slug="cables",
                                              parent=electronics),
            "t-shirts": catalog.create_category(organization=organization, actor=SYSTEM, name="T-shirts",
                                                slug="t-shirts", parent=apparel),
        }
        look = catalog.create_attribute_group(organization=organization, actor=SYSTEM, name="Look", code="look")
        color = catalog.create_attribute(organization=organization, actor=SYSTEM, name="Color", code="color",
                                         data_type=Attribute.DataType.SELECT, options=["white", "black", "navy"],
                                         group=look)
        size = catalog.create_attribute(organization=organization, actor=SYSTEM, name="Size", code="size",
                                        data_type=Attribute.DataType.SELECT, options=["S", "M", "L", "XL"], group=look)
        material = catalog.create_attribute(organization=organization, actor=SYSTEM, name="Material", code="material")
        shirt = catalog.create_template(organization=organization, actor=SYSTEM, name="T-shirt",
                                        attributes=[(color, True), (size, False), (material, True)])
        product_services.save_products(
            organization=organization, actor=SYSTEM, mode=product_services.CREATE,
            payloads=[
                {"ean": ean, "name": name, "brand_name": brand, "category_id": str(categories[slug].id), "price": price,
                 "weight": weight, "reference": f"DEMO-{index:03}", "supplier_code": "DEMO",
                 **({"template_id": str(shirt.id)} if slug == "t-shirts" else {})}
                for index, (ean, name, brand, slug, price, weight) in enumerate(DEMO_PRODUCTS, start=1)
            ],
        )
