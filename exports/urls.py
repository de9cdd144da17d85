from django.urls import path

from exports import api
from exports.models import ExportJob

FORMATS = {"csv": ExportJob.Format.CSV, "json": ExportJob.Format.JSON, "excel": ExportJob.Format.EXCEL,
           "zip": ExportJob.Format.ZIP}

urlpatterns = [
    path("", api.ExportListView.as_view(), name="export-list"),
    *[path(f"/{name}/products", api.StartExportView.as_view(export_format=export_format), name=f"export-{name}")
      for name, export_format in FORMATS.items()],
    path("/download/<str:token>", api.DownloadView.as_view(), name="export-download"),
    path("/<uuid:pk>", api.ExportDetailView.as_view(), name="export-detail"),
    path("/<uuid:pk>/download-url", api.DownloadUrlView.as_view(), name="export-download-url"),
]
