from django.urls import path

from products.api import products

urlpatterns = [
    path("products", products.ProductListView.as_view(), name="product-list"),
    path("products/bulk", products.ProductBulkView.as_view(), name="product-bulk"),
    path("products/<uuid:pk>", products.ProductDetailView.as_view(), name="product-detail"),
]
