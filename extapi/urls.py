from django.urls import path

from extapi import views

urlpatterns = [
    path("status", views.StatusView.as_view(), name="ext-status"),
    path("products", views.ProductListView.as_view(), name="ext-product-list"),
    path("products/delta", views.DeltaView.as_view(), name="ext-product-delta"),
    path("products/batch", views.BatchView.as_view(), name="ext-product-batch"),
    path("products/<str:ean>", views.ProductDetailView.as_view(), name="ext-product-detail"),
]
