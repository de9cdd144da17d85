import factory

from products.models import (
    Attribute,
    AttributeGroup,
    Brand,
    Category,
    Media,
    PriceList,
    Product,
    Supplier,
    Template,
    TemplateAttribute,
    ValidationIssue,
    Variant,
    Warehouse,
)
from tests.factories import OrganizationFactory


class OrgOwnedFactory(factory.django.DjangoModelFactory):
    organization = factory.SubFactory(OrganizationFactory)


class BrandFactory(OrgOwnedFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")


class CategoryFactory(OrgOwnedFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class SupplierFactory(OrgOwnedFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"SUP{n}")
    name = factory.Sequence(lambda n: f"Supplier {n}")


def ean13(n):
    """A valid EAN-13 (right check digit) for sequence number ``n``."""
    body = f"376{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


class ProductFactory(OrgOwnedFactory):
    class Meta:
        model = Product

    ean = factory.Sequence(ean13)
    name = factory.Sequence(lambda n: f"Product {n}")
    barcode = factory.SelfAttribute("ean")
    reference = factory.Sequence(lambda n: f"REF-{n}")
    price = "19.99"


class AttributeGroupFactory(OrgOwnedFactory):
    class Meta:
        model = AttributeGroup

    name = factory.Sequence(lambda n: f"Group {n}")
    code = factory.Sequence(lambda n: f"group-{n}")


class AttributeFactory(OrgOwnedFactory):
    class Meta:
        model = Attribute

    name = factory.Sequence(lambda n: f"Attribute {n}")
    code = factory.Sequence(lambda n: f"attribute-{n}")


class TemplateFactory(OrgOwnedFactory):
    class Meta:
        model = Template

    name = factory.Sequence(lambda n: f"Template {n}")


class TemplateAttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateAttribute


class VariantFactory(OrgOwnedFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory, organization=factory.SelfAttribute("..organization"))
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    price = "9.99"


class MediaFactory(OrgOwnedFactory):
    class Meta:
        model = Media

    url = factory.Sequence(lambda n: f"https://cdn.example.com/{n}.jpg")


class WarehouseFactory(OrgOwnedFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")


class PriceListFactory(OrgOwnedFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Price list {n}")
    channel = factory.Sequence(lambda n: f"channel-{n}")


class ValidationIssueFactory(OrgOwnedFactory):
    class Meta:
        model = ValidationIssue

    code = ValidationIssue.Code.EAN_CHECK_DIGIT
    field = "ean"
    message = "EAN has a wrong check digit."
