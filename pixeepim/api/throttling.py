"""Rate limits per tier (contract §4): a fixed one-minute window counted in the cache.

The counter is created with ``add`` and bumped with ``incr``, both atomic in Redis, so every web
process shares one count. A view picks its tier with ``throttle_tier``; otherwise safe methods are
``READ_STANDARD`` and the others ``WRITE_STANDARD``.
"""

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from pixeepim.auth.authentication import ApiKeyPrincipal

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


class TierRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        tier = getattr(view, "throttle_tier", None) or (
            "READ_STANDARD" if request.method in SAFE_METHODS else "WRITE_STANDARD"
        )
        limit = settings.PIXEE_RATE_LIMITS[tier]
        now = time.time()
        window = int(now // WINDOW_SECONDS)
        key = f"ratelimit:{tier}:{self._caller(request)}:{window}"
        try:
            cache.add(key, 0, timeout=WINDOW_SECONDS + 1)
            count = cache.incr(key)
        except Exception:  # the cache being down must not take the API down with it
            logger.warning("Rate-limit store unavailable; request let through.", exc_info=True)
            return True
        self._wait = (window + 1) * WINDOW_SECONDS - now
        return count <= limit

    def _caller(self, request):
        user = getattr(request, "user", None)
        if isinstance(user, ApiKeyPrincipal):
            return f"key:{user.api_key.pk}"
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return f"ip:{self.get_ident(request)}"

    def wait(self):
        return math.ceil(self._wait)
