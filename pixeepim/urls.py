from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from pixeepim.api.views import GraphqlGoneView
from pixeepim.auth import api as auth_api

admin.site.site_header = "Pixee PIM"
admin.site.site_title = "Pixee PIM"
admin.site.index_title = "Catalog back-office"

handler404 = "pixeepim.api.views.page_not_found"
handler500 = "pixeepim.api.views.server_error"

auth_patterns = [
    path("login", auth_api.LoginView.as_view(), name="login"),
    path("refresh", auth_api.RefreshView.as_view(), name="refresh"),
    path("logout", auth_api.LogoutView.as_view(), name="logout"),
    path("me", auth_api.MeView.as_view(), name="me"),
]

api_v1 = [
    path("auth/", include((auth_patterns, "auth"))),
    path("api-keys", auth_api.ApiKeyListView.as_view(), name="api-key-list"),
    path("api-keys/<uuid:pk>", auth_api.ApiKeyDetailView.as_view(), name="api-key-detail"),
    path("", include("products.api.urls")),
    path("ext/", include("extapi.urls")),
    path("workflow/", include("workflow.urls")),
    path("connectors/", include("connectors.api.urls")),
    path("webhooks", include("webhooks.urls")),
    path("exports", include("exports.urls")),
    path("imports", include("imports.urls")),
    path("graphql", GraphqlGoneView.as_view(), name="graphql-gone"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
