"""A URLconf that adds one small org-scoped endpoint to the real ones, to exercise the shared API
plumbing (scoping, permissions, scopes, pagination, errors) before any catalog endpoint uses it."""

from django.urls import path
from rest_framework import generics, serializers
from rest_framework.response import Response

from pixeepim.api.scoping import Access, OrgScopedMixin
from pixeepim.auth.models import ApiKey
from pixeepim.urls import handler404, handler500  # noqa: F401  (same error pages as the real URLconf)
from pixeepim.urls import urlpatterns as real_urlpatterns


class ProbeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name"]


class ProbeView(OrgScopedMixin, generics.ListCreateAPIView):
    queryset = ApiKey.objects.order_by("created_at", "id")
    serializer_class = ProbeSerializer
    access = {
        "GET": Access("VIEW_PRODUCTS", "products:read"),
        "POST": Access("EDIT_PRODUCTS", "products:write"),
    }

    def create(self, request):
        return Response({"organization_id": str(request.org.id), "received": request.data}, status=201)


urlpatterns = [path("api/v1/probe", ProbeView.as_view()), *real_urlpatterns]
