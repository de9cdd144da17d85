"""Writes of authentication: login sessions (refresh families), lockout, API keys."""

import hashlib
import math
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework_simplejwt.tokens import AccessToken

from pixeepim.api.errors import Locked
from pixeepim.auth.models import ApiKey, RefreshFamily, RefreshToken, Scope
from pixeepim.tenancy.models import User

INVALID_CREDENTIALS = "Invalid email or password."
INVALID_REFRESH = "Refresh token is missing, invalid or expired; log in again."


def hash_secret(raw):
    # Refresh tokens and API keys are 256-bit random strings: a fast hash is enough
    # (no dictionary to attack) and lets us look them up by an indexed column.
    return hashlib.sha256(raw.encode()).hexdigest()


# --- Sessions --------------------------------------------------------------------------------


def issue_access_token(*, user, family):
    token = AccessToken.for_user(user)
    token["sid"] = str(family.id)
    return str(token)


def _new_refresh_token(family):
    raw = secrets.token_urlsafe(32)
    RefreshToken.objects.create(family=family, token_hash=hash_secret(raw))
    return raw


def login(*, email, password):
    """Checks credentials and opens a session: returns ``(access_token, refresh_token)``.

    Five failures within the lockout window lock the account (423) for the lockout duration,
    even for the right password. Failures are committed even though the call raises.
    """
    now = timezone.now()
    refusal = None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email.strip().lower()).first()
        if user is None:
            make_password(password)  # same cost as a real check: no user enumeration by timing
            refusal = AuthenticationFailed(INVALID_CREDENTIALS)
        elif user.locked_until and user.locked_until > now:
            retry_after = math.ceil((user.locked_until - now).total_seconds())
            refusal = Locked(_locked_detail(retry_after), retry_after=retry_after)
        elif not (user.check_password(password) and user.is_active):
            _record_failed_login(user, now)
            refusal = AuthenticationFailed(INVALID_CREDENTIALS)
        else:
            if user.failed_login_count or user.locked_until:
                user.failed_login_count = 0
                user.first_failed_login_at = None
                user.locked_until = None
                user.save(update_fields=["failed_login_count", "first_failed_login_at", "locked_until"])
            family = RefreshFamily.objects.create(user=user, expires_at=now + settings.PIXEE_REFRESH_TOKEN_TTL)
            refresh = _new_refresh_token(family)
    if refusal is not None:
        raise refusal
    return issue_access_token(user=user, family=family), refresh


def _locked_detail(retry_after):
    minutes = max(1, math.ceil(retry_after / 60))
    return f"Account locked after too many failed logins; try again in {minutes} minute(s)."


def _record_failed_login(user, now):
    window_start = now - settings.PIXEE_LOCKOUT_WINDOW
    if user.first_failed_login_at is None or user.first_failed_login_at < window_start:
        user.failed_login_count = 1
        user.first_failed_login_at = now
    else:
        user.failed_login_count += 1
    if user.failed_login_count >= settings.PIXEE_LOCKOUT_THRESHOLD:
        user.locked_until = now + settings.PIXEE_LOCKOUT_DURATION
        user.failed_login_count = 0
        user.first_failed_login_at = None
    user.save(update_fields=["failed_login_count", "first_failed_login_at", "locked_until"])


def refresh_session(*, raw_token):
    """Rotates a refresh token: returns ``(access_token, new_refresh_token)``.

    A token that was already rotated is being replayed (stolen, or raced): the whole family
    is revoked, so the thief and the owner both have to log in again.
    """
    now = timezone.now()
    if not raw_token:
        raise AuthenticationFailed(INVALID_REFRESH)
    with transaction.atomic():
        token = (
            RefreshToken.objects.select_for_update()
            .select_related("family__user")
            .filter(token_hash=hash_secret(raw_token))
            .first()
        )
        family = token.family if token else None
        usable = (
            family is not None
            and family.revoked_at is None
            and family.expires_at > now
            and family.user.is_active
        )
        if usable and token.rotated_at is not None:
            _revoke_family(family, now, reason="reuse")
            usable = False
        if usable:
            token.rotated_at = now
            token.save(update_fields=["rotated_at"])
            new_raw = _new_refresh_token(family)
    if not usable:
        raise AuthenticationFailed(INVALID_REFRESH)
    return issue_access_token(user=family.user, family=family), new_raw


def _revoke_family(family, now, *, reason):
    RefreshFamily.objects.filter(pk=family.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason
    )


def logout(*, raw_token):
    """Revokes the session of this refresh token (unknown tokens are ignored: logout always works)."""
    if not raw_token:
        return
    token = RefreshToken.objects.select_related("family").filter(token_hash=hash_secret(raw_token)).first()
    if token is not None:
        _revoke_family(token.family, timezone.now(), reason="logout")


def purge_expired_sessions(*, now=None):
    """Deletes sessions that can never be used again; returns how many families and tokens went."""
    now = now or timezone.now()
    dead = RefreshFamily.objects.filter(Q(expires_at__lte=now) | Q(revoked_at__isnull=False))
    _, deleted = dead.delete()
    return {
        "families_deleted": deleted.get(RefreshFamily._meta.label, 0),
        "tokens_deleted": deleted.get(RefreshToken._meta.label, 0),
    }


# --- API keys --------------------------------------------------------------------------------


def create_api_key(*, organization, name, scopes, test=False, expires_at=None, created_by=None):
    """Creates a key and returns ``(api_key, raw_key)``: the raw key exists only in this return value."""
    unknown = sorted(set(scopes) - set(Scope.values))
    errors = {}
    if unknown:
        errors["scopes"] = [f"Unknown scope(s): {', '.join(unknown)}. Valid: {', '.join(Scope.values)}."]
    if not scopes:
        errors["scopes"] = ["At least one scope is required."]
    if not name or not name.strip():
        errors["name"] = ["A name is required."]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["The expiry must be in the future."]
    if errors:
        raise ValidationError(errors)
    api_key = ApiKey(
        organization=organization,
        name=name.strip(),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=created_by,
    )
    raw = assign_new_secret(api_key, test=test)
    api_key.save()
    return api_key, raw


def assign_new_secret(api_key, *, test):
    """Gives an unsaved key its secret (hash and display prefix) and returns the raw key."""
    prefix = ApiKey.PREFIX_TEST if test else ApiKey.PREFIX_LIVE
    raw = prefix + secrets.token_urlsafe(32)
    api_key.is_test = test
    api_key.display_prefix = raw[: len(prefix) + 4]
    api_key.key_hash = hash_secret(raw)
    return raw


def revoke_api_key(*, api_key):
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def touch_api_key(api_key):
    """Records use, at most once per interval, so a busy key costs no write per request."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < settings.PIXEE_API_KEY_TOUCH_INTERVAL:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
