"""``/api/v1/auth/*`` (sessions) and ``/api/v1/api-keys`` (organization API keys)."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pixeepim.api.scoping import Access, OrgScopedMixin, resolve_request_org
from pixeepim.auth import services
from pixeepim.auth.authentication import ApiKeyPrincipal
from pixeepim.auth.models import ApiKey, Scope
from pixeepim.tenancy.roles import Permission

# --- Sessions --------------------------------------------------------------------------------


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False)


class AccessTokenSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField(default="bearer")
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")


def _token_response(access_token, refresh_token):
    response = Response(
        {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": int(settings.PIXEE_ACCESS_TOKEN_TTL.total_seconds()),
        }
    )
    response.set_cookie(
        settings.PIXEE_REFRESH_COOKIE_NAME,
        refresh_token,
        max_age=int(settings.PIXEE_REFRESH_TOKEN_TTL.total_seconds()),
        path=settings.PIXEE_REFRESH_COOKIE_PATH,
        secure=settings.PIXEE_REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
    return response


class SessionView(APIView):
    """Login, refresh and logout: no credentials other than the body or the refresh cookie."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_tier = "AUTH"

    def get_authenticate_header(self, request):
        return 'Bearer realm="api"'  # keeps a refused login a 401 (REST framework makes it 403 otherwise)


class LoginView(SessionView):
    @extend_schema(
        request=LoginSerializer,
        responses={200: AccessTokenSerializer, 401: OpenApiResponse(description="Invalid email or password"),
                   423: OpenApiResponse(description="Account locked after 5 failed logins")},
        description="Opens a session: returns an access token and sets the HttpOnly `refresh_token` cookie.",
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _token_response(*services.login(**serializer.validated_data))


class RefreshView(SessionView):
    @extend_schema(
        request=None,
        responses={200: AccessTokenSerializer, 401: OpenApiResponse(description="Missing, invalid or replayed refresh token")},
        description="Reads only the `refresh_token` cookie; returns a new access token and rotates the cookie. "
        "Replaying a rotated token revokes the whole session.",
    )
    def post(self, request):
        raw = request.COOKIES.get(settings.PIXEE_REFRESH_COOKIE_NAME)
        return _token_response(*services.refresh_session(raw_token=raw))


class LogoutView(SessionView):
    @extend_schema(request=None, responses={200: inline_serializer("LogoutResponse", {})})
    def post(self, request):
        services.logout(raw_token=request.COOKIES.get(settings.PIXEE_REFRESH_COOKIE_NAME))
        response = Response({})
        response.delete_cookie(
            settings.PIXEE_REFRESH_COOKIE_NAME, path=settings.PIXEE_REFRESH_COOKIE_PATH, samesite="Strict"
        )
        return response


class MembershipSerializer(serializers.Serializer):
    organization_id = serializers.UUIDField(source="organization.id")
    organization_name = serializers.CharField(source="organization.name")
    tenant_id = serializers.UUIDField(source="organization.tenant_id")
    role = serializers.CharField()
    is_default = serializers.BooleanField()
    permissions = serializers.SerializerMethodField()

    def get_permissions(self, membership) -> list[str]:
        return sorted(membership.permissions)


class MeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    organization_id = serializers.UUIDField(help_text="The organization of this request (X-Org-ID or default).")
    permissions = serializers.ListField(child=serializers.CharField(), help_text="In that organization.")
    memberships = MembershipSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        if isinstance(request.user, ApiKeyPrincipal):
            raise PermissionDenied("This endpoint describes a user session; API keys have none.")
        organization = resolve_request_org(request)
        user = request.user
        memberships = user.memberships.select_related("organization").order_by("-is_default", "created_at")
        return Response(
            MeSerializer(
                {
                    "id": user.id,
                    "email": user.email,
                    "full_name": user.full_name,
                    "organization_id": organization.id,
                    "permissions": sorted(request.membership.permissions),
                    "memberships": memberships,
                }
            ).data
        )


# --- API keys --------------------------------------------------------------------------------


class ApiKeySerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(source="display_prefix", read_only=True)
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices), allow_empty=False)
    test = serializers.BooleanField(source="is_test", default=False, write_only=True)

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "scopes", "test", "is_test", "created_at", "expires_at",
                  "revoked_at", "last_used_at"]
        read_only_fields = ["id", "is_test", "created_at", "revoked_at", "last_used_at"]


class CreatedApiKeySerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The key itself: shown in this response only.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


MANAGE_KEYS = Access(Permission.MANAGE_API_KEYS, scope=None)


class ApiKeyListView(OrgScopedMixin, generics.ListCreateAPIView):
    queryset = ApiKey.objects.all()
    serializer_class = ApiKeySerializer
    access = {"GET": MANAGE_KEYS, "POST": MANAGE_KEYS}

    @extend_schema(responses={201: CreatedApiKeySerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        api_key, raw = services.create_api_key(
            organization=request.org,
            name=serializer.validated_data["name"],
            scopes=serializer.validated_data["scopes"],
            test=serializer.validated_data["is_test"],
            expires_at=serializer.validated_data.get("expires_at"),
            created_by=request.user,
        )
        api_key.key = raw
        return Response(CreatedApiKeySerializer(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(OrgScopedMixin, generics.RetrieveDestroyAPIView):
    queryset = ApiKey.objects.all()
    serializer_class = ApiKeySerializer
    access = {"GET": MANAGE_KEYS, "DELETE": MANAGE_KEYS}

    @extend_schema(responses={200: ApiKeySerializer}, description="Revokes the key (kept for its history).")
    def delete(self, request, pk):
        api_key = services.revoke_api_key(api_key=self.get_object())
        return Response(ApiKeySerializer(api_key).data)
