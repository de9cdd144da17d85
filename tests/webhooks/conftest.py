import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver(settings):
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]  # the receiver is local; real subscribers are public https
    settings.PIXEE_WEBHOOK_RETRY_BASE = 0  # retries are due at once, so tests need not wait
    receiver = Receiver()
    yield receiver
    receiver.close()
