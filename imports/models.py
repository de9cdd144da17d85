"""Imports: jobs reading a supplier file into the catalog, their row errors, saved mappings, and
recurring imports from a URL."""

from django.conf import settings
from django.db import models

from products.models import CatalogModel


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XLSX = "xlsx", "Excel (.xlsx)"


class MappingProfile(CatalogModel):
    """A saved mapping of file columns to product fields (``attribute:<code>`` for attributes)."""

    name = models.CharField(max_length=200)
    mapping = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="mapping_profile_name_unique")]

    def __str__(self):
        return self.name


class ImportJob(CatalogModel):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        CANCELLED = "cancelled", "Cancelled"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Request(models.TextChoices):
        NONE = "", "None"
        PAUSE = "pause", "Pause"
        CANCEL = "cancel", "Cancel"

    file = models.FileField(upload_to="imports/")
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10, choices=FileFormat.choices)
    mapping = models.JSONField(default=dict)
    supplier_code = models.CharField(max_length=50, blank=True, help_text="Supplier of rows that name none.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # A pause or cancel asked while the job runs; the worker honours it between batches.
    requested = models.CharField(max_length=10, choices=Request.choices, blank=True, default="")
    automation = models.ForeignKey("ImportAutomation", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="jobs")
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0, help_text="Rows read so far: where a resumed job goes on.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)


class ImportRowError(models.Model):
    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(help_text="Row number in the file (the header is row 1 in CSV and Excel).")
    field = models.CharField(max_length=100)
    message = models.CharField(max_length=500)

    class Meta:
        indexes = [models.Index(fields=["job", "row"])]


class ImportAutomation(CatalogModel):
    """A recurring import: the file at ``url`` is fetched (through the SSRF guard) and imported."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=1000)
    file_format = models.CharField(max_length=10, choices=FileFormat.choices)
    mapping = models.JSONField(default=dict, blank=True)
    profile = models.ForeignKey(MappingProfile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    supplier_code = models.CharField(max_length=50, blank=True)
    interval_minutes = models.PositiveIntegerField(default=1440)
    is_active = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    def __str__(self):
        return self.name
