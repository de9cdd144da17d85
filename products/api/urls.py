from django.urls import include, path

from products.api import pim, products

urlpatterns = [
    path("products", products.ProductListView.as_view(), name="product-list"),
    path("products/bulk", products.ProductBulkView.as_view(), name="product-bulk"),
    path("products/<uuid:pk>", products.ProductDetailView.as_view(), name="product-detail"),
]

pim_patterns = [
    path("products", pim.PimProductListView.as_view(), name="pim-product-list"),
    path("products/<uuid:pk>", pim.PimProductDetailView.as_view(), name="pim-product-detail"),
    path("products/<uuid:product_id>/variants", pim.VariantListView.as_view(), name="pim-variant-list"),
    path("stats", pim.StatsView.as_view(), name="pim-stats"),
    path("export", pim.ExportView.as_view(), name="pim-export"),
    path("export/<uuid:pk>", pim.ExportDetailView.as_view(), name="pim-export-detail"),
    path("export/<uuid:pk>/download", pim.ExportDownloadView.as_view(), name="pim-export-download"),
    path("bulk-jobs", pim.BulkJobListView.as_view(), name="pim-bulk-job-list"),
    path("bulk-jobs/<uuid:pk>", pim.BulkJobDetailView.as_view(), name="pim-bulk-job-detail"),
    path("validation", pim.ValidationIssueListView.as_view(), name="pim-validation"),
    path("audit", pim.AuditEventListView.as_view(), name="pim-audit"),
    path("categories", pim.CategoryListView.as_view(), name="pim-category-list"),
    path("brands", pim.BrandListView.as_view(), name="pim-brand-list"),
    path("attributes", pim.AttributeListView.as_view(), name="pim-attribute-list"),
    path("attribute-groups", pim.AttributeGroupListView.as_view(), name="pim-attribute-group-list"),
    path("templates", pim.TemplateListView.as_view(), name="pim-template-list"),
    path("media", pim.MediaListView.as_view(), name="pim-media-list"),
]

urlpatterns += [path("pim/", include(pim_patterns))]
