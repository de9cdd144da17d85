import socket

import pytest

from connectors.models import Connector

PUBLIC_ADDRESS = "23.227.38.65"  # what the platforms' public names resolve to in these tests


@pytest.fixture
def public_dns(monkeypatch):
    """Platform host names resolve to a public address without a network (the machine has none)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if isinstance(host, str) and (host.endswith(".myshopify.com") or host == "api.bigcommerce.com"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, port or 443))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(autouse=True)
def _fast_backoff(settings):
    # Platforms' own delays (Retry-After, reset headers) are kept small by the fakes; our
    # exponential back-off is shortened the same way so retries take milliseconds.
    settings.PIXEE_CONNECTOR_BACKOFF_BASE = 0.01
    settings.PIXEE_CONNECTOR_BACKOFF_CAP = 0.5
    settings.PIXEE_CONNECTOR_TIMEOUT = 5


@pytest.fixture
def local_platforms(settings):
    """Fake platforms listen on 127.0.0.1, which only PIXEE_SSRF_ALLOW lets connectors reach."""
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]


@pytest.fixture
def shopify(local_platforms):
    from tests.connectors.fakes.shopify import FakeShopify

    with FakeShopify() as fake:
        yield fake


@pytest.fixture
def bigcommerce(local_platforms):
    from tests.connectors.fakes.bigcommerce import FakeBigCommerce

    with FakeBigCommerce() as fake:
        yield fake


@pytest.fixture
def shopify_connector(org, shopify):
    return Connector.objects.create(organization=org, name="Shop", platform="shopify", base_url=shopify.base_url,
                                    credentials={"access_token": shopify.access_token})


@pytest.fixture
def bigcommerce_connector(org, bigcommerce):
    return Connector.objects.create(
        organization=org, name="BC", platform="bigcommerce", base_url=bigcommerce.base_url,
        settings={"store_hash": bigcommerce.store_hash}, credentials={"access_token": bigcommerce.access_token},
    )
