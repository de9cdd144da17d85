"""Connectors to e-commerce platforms, their sync jobs, and what each connector has sent where."""

from django.conf import settings
from django.db import models

from pixeepim.encryption import EncryptedJSONField
from products.models import CatalogModel, Product


class Platform(models.TextChoices):
    """The platform slugs of contract §9."""

    SHOPIFY = "shopify", "Shopify"
    BIGCOMMERCE = "bigcommerce", "BigCommerce"
    SFCC = "sfcc", "Salesforce Commerce Cloud"
    SAP_COMMERCE = "sap_commerce", "SAP Commerce"
    WIZISHOP = "wizishop", "WiziShop"
    CDISCOUNT = "cdiscount", "Cdiscount"
    FNAC = "fnac", "Fnac"
    SYLIUS = "sylius", "Sylius"
    SQUARESPACE = "squarespace", "Squarespace"
    GOOGLE_MERCHANT = "google_merchant", "Google Merchant Center"
    MIRAKL = "mirakl", "Mirakl"
    MEDUSA = "medusa", "Medusa"
    SHOPWARE6 = "shopware6", "Shopware 6"
    SALEOR = "saleor", "Saleor"
    AMAZON_SP_API = "amazon_sp_api", "Amazon SP-API"


class Connector(CatalogModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ERROR = "error", "Error"

    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=20, choices=Platform.choices)
    base_url = models.URLField(max_length=500, help_text="The shop's API address, e.g. https://acme.myshopify.com.")
    settings = models.JSONField(default=dict, blank=True, help_text="Platform options, e.g. location_id.")
    credentials = EncryptedJSONField(blank=True, default=dict, help_text="Encrypted at rest; never shown.")
    channel = models.CharField(
        max_length=100, blank=True,
        help_text="Sales channel whose price list supplies the prices (empty: the platform's slug).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    sync_interval_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Run the scheduled syncs every so many minutes (empty: never)."
    )
    scheduled_kinds = models.JSONField(default=list, blank=True, help_text="Sync kinds the schedule runs.")
    next_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_sync_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_stats = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["next_sync_at"], name="connector_due_idx",
                         condition=models.Q(sync_interval_minutes__isnull=False)),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def price_channel(self):
        return self.channel or self.platform


class SyncJob(CatalogModel):
    class Kind(models.TextChoices):
        PUSH_PRODUCTS = "push_products", "Push products"
        PULL_PRODUCTS = "pull_products", "Pull products"
        PUSH_STOCK = "push_stock", "Push stock"
        PUSH_PRICES = "push_prices", "Push prices"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command"
        SCHEDULE = "schedule", "Schedule"

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.API)
    product_ids = models.JSONField(
        null=True, blank=True, help_text="The products named by the caller (empty: the whole catalog)."
    )
    # Where a resumed job continues: the last product id done (pushes) or the platform's page
    # cursor (pulls). Saved with each chunk's results, in the same transaction.
    checkpoint = models.JSONField(default=dict, blank=True, editable=False)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, help_text="Why the whole job failed, when it did.")
    attempts = models.PositiveSmallIntegerField(default=0)
    platform_ms = models.PositiveBigIntegerField(default=0, help_text="Time spent waiting for the platform.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["connector", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.connector.name}"

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class RemoteProduct(models.Model):
    """A product as it exists on a connector's platform: its remote ids and what was last sent.

    ``content_hash`` is the hash of the last payload pushed; a product whose payload hashes the same
    is skipped. ``remote_variants`` maps our SKUs to the platform's variant (and inventory item) ids.
    """

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="remote_products")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    remote_id = models.CharField(max_length=200)
    remote_variants = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    pulled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connector", "product"], name="remote_product_unique"),
        ]
        indexes = [models.Index(fields=["connector", "remote_id"])]

    def __str__(self):
        return f"{self.product_id} → {self.remote_id}"
