"""The catalog: products, their variants, taxonomy, attributes, media, stock, prices, and the
audit trail and validation issues that every write keeps current."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from pixeepim.tenancy.models import Organization, OrgOwned, OrgQuerySet


def new_id():
    return uuid.uuid4()


class CatalogModel(OrgOwned):
    """Common columns of catalog rows: a UUID and creation/modification times."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


# --- Taxonomy ----------------------------------------------------------------------------------


class Brand(CatalogModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    logo_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # The External API matches brand names case-insensitively.
            models.UniqueConstraint("organization", Lower("name"), name="brand_name_unique_per_org"),
        ]

    def __str__(self):
        return self.name


class Category(CatalogModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="category_slug_unique_per_org")]

    def __str__(self):
        return self.name


class Supplier(CatalogModel):
    code = models.CharField(max_length=50, help_text="Import source code, e.g. KIMEX.")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="supplier_code_unique_per_org")]

    def __str__(self):
        return f"{self.code} — {self.name}" if self.name and self.name != self.code else self.code


# --- Attributes and templates ------------------------------------------------------------------


class AttributeGroup(CatalogModel):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=100)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="attribute_group_code_unique_per_org")]

    def __str__(self):
        return self.name


class Attribute(CatalogModel):
    class DataType(models.TextChoices):
        TEXT = "TEXT"
        NUMBER = "NUMBER"
        BOOLEAN = "BOOLEAN"
        SELECT = "SELECT"

    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=100, help_text="URL-safe key, e.g. color.")
    data_type = models.CharField(max_length=10, choices=DataType.choices, default=DataType.TEXT)
    options = models.JSONField(default=list, blank=True, help_text="Allowed values of a SELECT attribute.")
    group = models.ForeignKey(AttributeGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="attributes")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="attribute_code_unique_per_org")]

    def __str__(self):
        return self.name


class Template(CatalogModel):
    """A product type: which attributes its products have, and which of them are required."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    attributes = models.ManyToManyField(Attribute, through="TemplateAttribute", related_name="templates")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="template_name_unique_per_org")]

    def __str__(self):
        return self.name


class TemplateAttribute(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="template_attributes")
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="+")
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["template", "attribute"], name="template_attribute_unique")]


# --- Products ----------------------------------------------------------------------------------


class ProductQuerySet(OrgQuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)


class Product(CatalogModel):
    # Every product index starts with the organization: a separate index on it would only slow writes.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Lists sort by creation within an organization (product_live_created), never across them.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Status(models.TextChoices):
        ACTIVE = "active"
        INACTIVE = "inactive"
        ARCHIVED = "archived"

    class WorkflowState(models.TextChoices):
        DRAFT = "draft"
        REVIEW = "review"
        APPROVED = "approved"
        PUBLISHED = "published"
        ARCHIVED = "archived"

    class UnitOfMeasure(models.TextChoices):
        UNIT = "unit"
        PACK = "pack"
        BOX = "box"
        PAIR = "pair"
        SET = "set"
        M = "m"
        M2 = "m2"
        M3 = "m3"
        CM = "cm"
        KG = "kg"
        G = "g"
        L = "l"
        ML = "ml"

    ean = models.CharField(max_length=14, null=True, blank=True, verbose_name="EAN")
    name = models.CharField(max_length=255)
    barcode = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    short_description = models.TextField(blank=True)
    reference = models.CharField(max_length=100, blank=True, verbose_name="reference / SKU")
    supplier = models.ForeignKey(Supplier, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    # No index: nothing lists products by template, and every index slows catalog-sized writes.
    template = models.ForeignKey(Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="products",
                                 db_index=False)
    asin = models.CharField(max_length=10, blank=True, verbose_name="ASIN")
    upc = models.CharField(max_length=12, blank=True, verbose_name="UPC")
    gtin = models.CharField(max_length=14, blank=True, verbose_name="GTIN")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    cost_price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    weight = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True, help_text="kg")
    width = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True, help_text="cm")
    height = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True, help_text="cm")
    depth = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True, help_text="cm")
    unit_of_measure = models.CharField(max_length=10, choices=UnitOfMeasure.choices, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    url_slug = models.SlugField(max_length=255, null=True, blank=True, db_index=False)
    workflow_state = models.CharField(max_length=10, choices=WorkflowState.choices, default=WorkflowState.DRAFT)
    completeness = models.PositiveSmallIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ean"],
                condition=Q(deleted_at__isnull=True, ean__isnull=False),
                name="product_ean_unique_per_org_live",
            ),
            models.UniqueConstraint(
                fields=["organization", "url_slug"],
                condition=Q(deleted_at__isnull=True, url_slug__isnull=False),
                name="product_slug_unique_per_org_live",
            ),
            models.CheckConstraint(condition=Q(price__gte=0) | Q(price__isnull=True), name="product_price_not_negative"),
            models.CheckConstraint(
                condition=Q(cost_price__gte=0) | Q(cost_price__isnull=True), name="product_cost_price_not_negative"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0) | Q(weight__isnull=True), name="product_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(completeness__gte=0, completeness__lte=100), name="product_completeness_percentage"
            ),
        ]
        indexes = [
            # Lists: every read surface filters on organization + live and sorts.
            models.Index(fields=["organization", "created_at"], condition=Q(deleted_at__isnull=True), name="product_live_created"),
            models.Index(fields=["organization", "name"], condition=Q(deleted_at__isnull=True), name="product_live_name"),
            models.Index(fields=["organization", "price"], condition=Q(deleted_at__isnull=True), name="product_live_price"),
            # Delta sync: live products in change order (updated_at is unique per organization, see
            # allocate_write_times); narrow, so its counts are read from the index alone, quickly.
            models.Index(fields=["organization", "updated_at"], condition=Q(deleted_at__isnull=True),
                         name="product_live_updated"),
            models.Index(fields=["organization", "status"], name="product_org_status"),
            models.Index(fields=["organization", "workflow_state"], name="product_org_workflow"),
            models.Index(fields=["organization", "completeness"], name="product_org_completeness"),
        ]

    def __str__(self):
        return f"{self.name} ({self.ean})" if self.ean else self.name

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def as_row(self):
        """The product as the set-based services handle it: ``{attname: value}``."""
        return {field.attname: getattr(self, field.attname) for field in self._meta.concrete_fields}


class Variant(CatalogModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=100, verbose_name="SKU")
    barcode = models.CharField(max_length=64, blank=True)
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code.")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sku"], name="variant_sku_unique_per_org"),
            models.CheckConstraint(condition=Q(price__gte=0) | Q(price__isnull=True), name="variant_price_not_negative"),
        ]

    def __str__(self):
        return self.sku


class AttributeValue(OrgOwned):
    """One attribute's value for a product, or for one of its variants (``variant`` set)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attribute_values")
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="values")
    value_text = models.TextField(blank=True)
    value_number = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    value_boolean = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "attribute"], condition=Q(variant__isnull=True), name="product_attribute_value_unique"
            ),
            models.UniqueConstraint(
                fields=["variant", "attribute"], condition=Q(variant__isnull=False), name="variant_attribute_value_unique"
            ),
        ]

    @property
    def value(self):
        data_type = self.attribute.data_type
        if data_type == Attribute.DataType.NUMBER:
            return self.value_number
        if data_type == Attribute.DataType.BOOLEAN:
            return self.value_boolean
        return self.value_text or None


class Media(CatalogModel):
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="media")
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.CASCADE, related_name="media")
    url = models.URLField(max_length=1000)
    alt = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers come first.")

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False) | Q(variant__isnull=False), name="media_belongs_to_product_or_variant"
            ),
        ]
        indexes = [models.Index(fields=["product", "position"], name="media_product_position")]

    def __str__(self):
        return self.alt or self.url


# --- Stock and prices --------------------------------------------------------------------------


class Warehouse(CatalogModel):
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="warehouse_code_unique_per_org")]

    def __str__(self):
        return self.name or self.code


class ProductStock(OrgOwned):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    quantity = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "stock level"
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_unique_per_warehouse"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_not_negative"),
        ]


class PriceList(CatalogModel):
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=100, help_text="Sales channel, e.g. shopify-fr.")
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "channel", "currency"], name="price_list_unique_channel")]

    def __str__(self):
        return f"{self.name} ({self.channel}, {self.currency})"


class ProductPrice(OrgOwned):
    """A product's price in one channel's price list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="channel_prices")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "channel price"
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="channel_price_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="channel_price_not_negative"),
        ]


# --- Audit and validation ----------------------------------------------------------------------


class AuditEvent(OrgOwned):
    """Who changed what: one row per write, with the changed fields before and after."""

    # A log, written a thousand rows at a time: its references are kept by the application (deletes
    # cascade or clear them through Django), not by foreign-key checks on every row at commit.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=50, help_text="e.g. product.created, product.updated, product.deleted")
    entity_type = models.CharField(max_length=50)
    entity_id = models.CharField(max_length=64)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )
    actor_api_key = models.ForeignKey(
        "pixee_auth.ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False,
    )
    actor_label = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="audit_org_created"),
            # History of one row: by entity_id alone (PIM audit filter) or with its type (admin).
            models.Index(fields=["entity_id", "entity_type"], name="audit_entity"),
        ]

    def __str__(self):
        return f"{self.action} {self.entity_id}"


class ValidationIssue(OrgOwned):
    class Code(models.TextChoices):
        EAN_CHECK_DIGIT = "ean_check_digit", "EAN check digit is wrong"
        MISSING_REQUIRED_ATTRIBUTE = "missing_required_attribute", "Required attribute is missing"
        INVALID_SKU = "invalid_sku", "SKU is invalid"

    id = models.BigAutoField(primary_key=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="validation_issues")
    code = models.CharField(max_length=40, choices=Code.choices)
    field = models.CharField(max_length=100)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "created_at"], name="validation_org_created")]

    def __str__(self):
        return self.message


# --- Background jobs of the catalog ------------------------------------------------------------


class CatalogJob(CatalogModel):
    """A catalog export or bulk operation, run by a worker; progress is saved as it goes."""

    class Type(models.TextChoices):
        EXPORT = "EXPORT"
        BULK_UPDATE = "BULK_UPDATE"
        BULK_DELETE = "BULK_DELETE"

    class Status(models.TextChoices):
        QUEUED = "QUEUED"
        RUNNING = "RUNNING"
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"

    job_type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    payload = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    file = models.FileField(upload_to="exports/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "job_type", "created_at"], name="catalog_job_org_type")]

    def __str__(self):
        return f"{self.job_type} {self.id} ({self.status})"
