"""The HTTP client of a sync job: the SSRF-guarded session, retries with backoff, and wait accounting.

Retries cover what a platform means as "try again later": 429, 5xx, connection errors and
timeouts. The delay honours the platform's own signal when it gives one (``Retry-After``, or what
the adapter reads from its headers or body, e.g. BigCommerce's reset time or Shopify's cost bucket),
else grows exponentially with jitter. Time spent waiting for the platform — requests and back-off
sleeps — is added up, so a job can report its own overhead separately.
"""

import random
import time

import requests
from django.conf import settings

from connectors.http import outbound_session
from connectors.sync_base.adapter import PlatformError

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class PlatformUnavailable(PlatformError):
    """The platform kept answering "later" (or not at all) through every retry."""


def retry_after_seconds(response):
    """``Retry-After`` in seconds (numeric form; Shopify sends fractions such as 2.0), or None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class Transport:
    def __init__(self, *, host_patterns=(), user_agent="PixeePIM/1.0"):
        self.session = outbound_session(
            host_patterns=host_patterns, timeout=settings.PIXEE_CONNECTOR_TIMEOUT, user_agent=user_agent
        )
        self.max_attempts = settings.PIXEE_CONNECTOR_MAX_ATTEMPTS
        self.backoff_base = settings.PIXEE_CONNECTOR_BACKOFF_BASE
        self.backoff_cap = settings.PIXEE_CONNECTOR_BACKOFF_CAP
        self.waited = 0.0  # seconds spent in requests and back-off sleeps

    def close(self):
        self.session.close()

    def backoff(self, attempt):
        delay = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return delay * (0.5 + random.random() / 2)  # jitter: workers retrying together spread out

    def pause(self, seconds):
        """Sleeps (counted as waiting for the platform), e.g. when its rate budget is spent."""
        if seconds > 0:
            time.sleep(min(seconds, self.backoff_cap))
            self.waited += min(seconds, self.backoff_cap)

    def request(self, method, url, *, retry_delay=None, **kwargs):
        """Sends a request, retrying what is retryable; returns the final non-retryable response.

        ``retry_delay(response)`` lets an adapter ask for a retry of a response that is not an
        HTTP error (Shopify answers throttling with 200) by returning a delay in seconds, and name
        the delay of a 429 from its own headers; it returns None to leave the decision here.
        """
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            started = time.perf_counter()
            try:
                response = self.session.request(method, url, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                response, delay = None, self.backoff(attempt)
                last_problem = f"{type(exc).__name__}: {exc}"
            finally:
                self.waited += time.perf_counter() - started
            if response is not None:
                platform_delay = retry_delay(response) if retry_delay else None
                if platform_delay is None and response.status_code not in RETRYABLE_STATUSES:
                    return response
                delay = platform_delay
                if delay is None:
                    delay = retry_after_seconds(response)
                if delay is None:
                    delay = self.backoff(attempt)
                last_problem = f"HTTP {response.status_code}" if response.status_code >= 400 else "throttled"
            if attempt < self.max_attempts:
                self.pause(delay)
        raise PlatformUnavailable(
            f"{method} {url} failed after {self.max_attempts} attempts (last: {last_problem})."
        )
