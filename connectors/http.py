"""The only way the product makes outbound HTTP requests: sessions guarded against SSRF (contract §9).

Every request, and every redirect hop, is checked before a socket opens:
- https only;
- the host must match the platform's own domain patterns, when it has some (``*.myshopify.com``);
- every address the host resolves to must be public (not private, loopback, link-local — the cloud
  metadata address 169.254.169.254 included — multicast, reserved or unspecified, IPv4-mapped IPv6
  unwrapped);
- the connection then goes to the address that was checked, so a DNS answer that changes between
  the check and the connection (rebinding) cannot redirect it; TLS still verifies the host name.
Hosts listed in ``PIXEE_SSRF_ALLOW`` (exact names, or CIDRs that contain every address of the host)
skip the pattern and address checks and may use plain http: on-premise shops and test fakes.
"""

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.utils import DEFAULT_CA_BUNDLE_PATH
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}


class BlockedDestination(Exception):
    """An outbound URL refused by the guard; the message says why, as a sentence."""


def _allow_list():
    names, networks = set(), []
    for entry in settings.PIXEE_SSRF_ALLOW:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _matches(host, patterns):
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _forbidden_kind(address):
    """Why an address may not be reached ("a private address"…), or None when it is public."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for flag, kind in (("is_unspecified", "an unspecified address"), ("is_loopback", "a loopback address"),
                       ("is_link_local", "a link-local address"), ("is_multicast", "a multicast address"),
                       ("is_private", "a private address"), ("is_reserved", "a reserved address")):
        if getattr(address, flag):
            return kind
    return None if address.is_global else "a non-public address"


def _resolve(host, port):
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise BlockedDestination(f"The host name {host} does not resolve.") from None
    addresses = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise BlockedDestination(f"The host name {host} does not resolve.")
    return addresses


def _checked_address(url, host_patterns):
    """The address to connect to for ``url``, once every rule holds (BlockedDestination otherwise)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BlockedDestination(f"{url} is not a valid URL.") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        raise BlockedDestination(f"{url} is not an http(s) URL with a host.")
    port = port or DEFAULT_PORTS[scheme]
    allowed_names, allowed_networks = _allow_list()
    if host in allowed_names:
        return _resolve(host, port)[0]
    addresses = _resolve(host, port)
    if allowed_networks and all(any(a in network for network in allowed_networks) for a in addresses):
        return addresses[0]
    if scheme != "https":
        raise BlockedDestination(f"{url} must use https.")
    if host_patterns and not _matches(host, host_patterns):
        raise BlockedDestination(f"The host {host} is not one of this platform's ({', '.join(host_patterns)}).")
    for address in addresses:
        kind = _forbidden_kind(address)
        if kind:
            raise BlockedDestination(f"{url} resolves to {address}, {kind}.")
    return addresses[0]


def check_url(url: str, *, host_patterns: Sequence[str] = ()) -> None:
    """Validates a URL — scheme, host pattern, every resolved address — without connecting."""
    _checked_address(url, host_patterns)


class _PinnedConnectionMixin:
    """Opens its socket to the checked address; Host header, SNI and certificate use the host name."""

    def __init__(self, *args, pinned_address, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned_address = pinned_address

    def _new_conn(self):
        host_name = self._dns_host
        self._dns_host = self._pinned_address
        try:
            return super()._new_conn()
        finally:
            self._dns_host = host_name


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    """Checks each request's URL and hands requests a connection pool bound to the checked address.

    Pools are kept per (scheme, host, port, address), so keep-alive connections are reused while
    the host keeps resolving to the same address, and never reused for another one."""

    def __init__(self, host_patterns, timeout):
        super().__init__(max_retries=0)
        self.host_patterns = tuple(host_patterns)
        self.timeout = timeout
        self._pools = {}

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return super().send(request, stream=stream, timeout=timeout or self.timeout, verify=verify, cert=cert,
                            proxies=proxies)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        address = str(_checked_address(request.url, self.host_patterns))
        parts = urlsplit(request.url)
        scheme, host = parts.scheme.lower(), parts.hostname
        port = parts.port or DEFAULT_PORTS[scheme]
        key = (scheme, host, port, address, verify if isinstance(verify, str) else bool(verify), cert)
        pool = self._pools.get(key)
        if pool is None:
            if scheme == "https":
                tls = {"cert_reqs": "CERT_REQUIRED" if verify else "CERT_NONE",
                       "ca_certs": verify if isinstance(verify, str) else DEFAULT_CA_BUNDLE_PATH}
                if cert:
                    tls["cert_file"], tls["key_file"] = (cert, None) if isinstance(cert, str) else cert
                pool = _PinnedHTTPSConnectionPool(host, port, maxsize=self._pool_maxsize, pinned_address=address,
                                                  **tls)
            else:
                pool = _PinnedHTTPConnectionPool(host, port, maxsize=self._pool_maxsize, pinned_address=address)
            self._pools[key] = pool
        return pool

    def close(self):
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        super().close()


def outbound_session(*, host_patterns: Sequence[str] = (), timeout: float = 30.0,
                     user_agent: str = "PixeePIM/1.0") -> requests.Session:
    """A requests session whose every request and redirect hop passes the guard (module docstring)."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment may carry requests past the guard
    session.max_redirects = MAX_REDIRECTS
    session.headers["User-Agent"] = user_agent
    adapter = _GuardedAdapter(host_patterns, timeout)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
