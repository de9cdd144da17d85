from django.urls import path

from connectors.api import views
from connectors.models import SyncJob

# The trailing slash of the list is part of its address (seed 003): no redirect, 404 without it.
urlpatterns = [
    path("", views.ConnectorListView.as_view(), name="connector-list"),
    path("jobs/<uuid:pk>", views.SyncJobView.as_view(), name="connector-job"),
    path("<uuid:pk>", views.ConnectorDetailView.as_view(), name="connector-detail"),
    path("<uuid:pk>/test", views.ConnectorTestView.as_view(), name="connector-test"),
    path("<uuid:pk>/jobs", views.ConnectorJobsView.as_view(), name="connector-jobs"),
    path("<uuid:pk>/sync/push-products", views.PushProductsView.as_view(), name="connector-push-products"),
    *[
        path(f"<uuid:pk>/sync/{name}", views.SyncView.as_view(kind=kind), name=f"connector-{name}")
        for name, kind in (("pull-products", SyncJob.Kind.PULL_PRODUCTS), ("push-stock", SyncJob.Kind.PUSH_STOCK),
                           ("push-prices", SyncJob.Kind.PUSH_PRICES))
    ],
]
