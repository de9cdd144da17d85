"""REST framework authentication: user access tokens (JWT) and organization API keys."""

from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from pixeepim.auth.models import ApiKey, RefreshFamily
from pixeepim.auth.services import hash_secret, touch_api_key

API_KEY_HEADER = "X-API-Key"
API_KEY_PREFIXES = (ApiKey.PREFIX_LIVE, ApiKey.PREFIX_TEST)


class ApiKeyPrincipal:
    """``request.user`` for a request made with an API key: it acts for the key's organization."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, api_key):
        self.api_key = api_key
        self.organization = api_key.organization

    def __str__(self):
        return f"API key {self.api_key.name}"


class AccessTokenAuthentication(JWTAuthentication):
    """``Authorization: Bearer <jwt>``. The token names its session (``sid``): one query checks that
    the session is still open and loads the user, so logout and reuse revocation end access at once."""

    def authenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        if raw_token.decode(errors="replace").startswith(API_KEY_PREFIXES):
            raise AuthenticationFailed(
                f"API keys are not accepted as Bearer tokens; send them in the {API_KEY_HEADER} header."
            )
        try:
            token = self.get_validated_token(raw_token)
        except InvalidToken:
            raise AuthenticationFailed("Access token is invalid or expired.") from None
        try:
            family_id, user_id = token["sid"], token["sub"]
        except KeyError:
            raise AuthenticationFailed("Access token is invalid or expired.") from None
        family = (
            RefreshFamily.objects.select_related("user")
            .filter(id=family_id, user_id=user_id, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if family is None:
            raise AuthenticationFailed("Session has ended; log in again.")
        return family.user, token

    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except (TokenError, ValueError) as exc:
            raise InvalidToken(str(exc)) from exc


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``X-API-Key: pm_live_…`` (or ``pm_test_…``): the only place an API key is read from."""

    def authenticate(self, request):
        raw_key = request.headers.get(API_KEY_HEADER)
        if raw_key is None:
            return None
        if not raw_key.startswith(API_KEY_PREFIXES):
            raise AuthenticationFailed("Invalid API key.")
        api_key = ApiKey.objects.select_related("organization").filter(key_hash=hash_secret(raw_key)).first()
        if api_key is None:
            raise AuthenticationFailed("Invalid API key.")
        if api_key.revoked_at is not None:
            raise AuthenticationFailed("This API key has been revoked.")
        if not api_key.is_usable:
            raise AuthenticationFailed("This API key has expired.")
        touch_api_key(api_key)
        return ApiKeyPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return API_KEY_HEADER
