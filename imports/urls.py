from django.urls import path

from imports import api

urlpatterns = [
    path("/preview", api.PreviewView.as_view(), name="import-preview"),
    path("/jobs", api.JobListView.as_view(), name="import-jobs"),
    path("/jobs/<uuid:pk>", api.JobDetailView.as_view(), name="import-job"),
    *[path(f"/jobs/<uuid:pk>/{name}", api.JobControlView.as_view(action_name=name), name=f"import-job-{name}")
      for name in ("pause", "resume", "cancel")],
    path("/jobs/<uuid:pk>/errors", api.JobErrorsView.as_view(), name="import-job-errors"),
    path("/jobs/<uuid:pk>/errors.csv", api.JobErrorsFileView.as_view(), name="import-job-errors-file"),
    path("/profiles", api.ProfileListView.as_view(), name="import-profiles"),
    path("/profiles/<uuid:pk>", api.ProfileDetailView.as_view(), name="import-profile"),
    path("/automations", api.AutomationListView.as_view(), name="import-automations"),
    path("/automations/<uuid:pk>", api.AutomationDetailView.as_view(), name="import-automation"),
    path("/automations/<uuid:pk>/run", api.AutomationRunView.as_view(), name="import-automation-run"),
]
