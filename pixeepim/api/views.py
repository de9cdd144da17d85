"""Endpoints and error pages of the API surface itself."""

from django.http import JsonResponse
from django.views import defaults
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from pixeepim.api.errors import Gone
from pixeepim.api.schema import ErrorSerializer


class GraphqlGoneView(APIView):
    """The GraphQL proxy was removed in v6.19; every method answers 410."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(request=None, responses={410: ErrorSerializer}, description="Removed: use the External API at /api/v1/ext/.")
    def get(self, request):
        raise Gone("The GraphQL proxy has been removed; use the External API REST surface at /api/v1/ext/.")

    post = put = patch = delete = get


def _is_api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)
