from django.urls import path

from workflow import api

urlpatterns = [
    path("definition", api.DefinitionView.as_view(), name="workflow-definition"),
    path("products/<uuid:pk>", api.ProductStateView.as_view(), name="workflow-product"),
    path("products/<uuid:pk>/history", api.HistoryView.as_view(), name="workflow-history"),
    *[
        path(f"products/<uuid:pk>/{action}", api.TransitionView.as_view(action=action), name=f"workflow-{action}")
        for action in ("submit", "approve", "reject", "publish", "archive")
    ],
    path("queue", api.QueueView.as_view(), name="workflow-queue"),
    path("bulk", api.BulkView.as_view(), name="workflow-bulk"),
]
