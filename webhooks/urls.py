from django.urls import path

from webhooks import api

urlpatterns = [
    path("", api.SubscriptionListView.as_view(), name="webhook-list"),
    path("/events", api.EventListView.as_view(), name="webhook-events"),
    path("/<uuid:pk>", api.SubscriptionDetailView.as_view(), name="webhook-detail"),
    path("/<uuid:pk>/test", api.PingView.as_view(), name="webhook-test"),
    path("/<uuid:pk>/logs", api.LogListView.as_view(), name="webhook-logs"),
    path("/<uuid:pk>/logs/<int:log_id>/retry", api.LogRetryView.as_view(), name="webhook-log-retry"),
]
