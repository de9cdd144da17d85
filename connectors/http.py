"""The only way the product makes outbound HTTP requests: sessions guarded against SSRF (contract §9).

Every request, and every redirect hop, is checked before a socket opens:
- https only;
- the host matches the platform's own domain patterns, when it has some (``*.myshopify.com``);
- every address the host resolves to is globally routable: not private, loopback, link-local (the cloud
  metadata address 169.254.169.254), multicast, reserved or unspecified, IPv4 carried in IPv6 included;
- the host is resolved once per request and the socket goes to an address that was checked, so an answer
  that changes in between (DNS rebinding) cannot move it; TLS still verifies the certificate for the name.
Hosts in ``PIXEE_SSRF_ALLOW`` (exact names, or CIDRs holding every address of the host) skip the pattern
and address checks and may use plain http: that is how on-premise shops and the tests' fakes are reached.
"""

import ipaddress
import socket
from collections import namedtuple
from collections.abc import Sequence
from functools import partial
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError
from urllib3.poolmanager import PoolKey, _default_key_normalizer

MAX_REDIRECTS = 5
DEFAULT_PORTS = {"http": 80, "https": 443}
# A NAT64 gateway delivers 64:ff9b::a.b.c.d to the IPv4 address a.b.c.d.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")
FORBIDDEN_KINDS = (
    ("is_unspecified", "an unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_private", "a private address"),
    ("is_reserved", "a reserved address"),
)


class BlockedDestination(Exception):
    """An outbound URL refused by the guard; str(exc) is a human sentence saying why
    (e.g. 'https://10.0.0.5/ resolves to 10.0.0.5, a private address.')."""


def check_url(url: str, *, host_patterns: Sequence[str] = ()) -> None:
    """Validates a URL (scheme, host pattern, every resolved address) without connecting;
    raises BlockedDestination. Used when a connector's base URL is saved."""
    # The URL requests would send (IDNA host, normalised), so the check holds for later requests to it.
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
    except requests.RequestException:
        raise BlockedDestination(f"{url} is not a valid URL.") from None
    _checked_addresses(prepared.url, host_patterns)


def outbound_session(*, host_patterns: Sequence[str] = (), timeout: float = 30.0,
                     user_agent: str = "PixeePIM/1.0") -> requests.Session:
    """A requests.Session whose every request (and every redirect hop) goes through the guard."""
    session = requests.Session()
    session.trust_env = False  # HTTP(S)_PROXY and the like cannot route requests around the guard
    session.max_redirects = MAX_REDIRECTS
    session.headers["User-Agent"] = user_agent
    adapter = _GuardedAdapter(host_patterns, timeout)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _checked_addresses(url, host_patterns):
    """The addresses to connect to for ``url``, once every rule holds; BlockedDestination otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BlockedDestination(f"{url} is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise BlockedDestination(f"{url} is not an http or https URL with a host.")
    try:
        host = parts.hostname.encode("idna").decode("ascii")  # lower-case already
    except UnicodeError:
        raise BlockedDestination(f"{url} has an invalid host name.") from None
    name = host.rstrip(".")
    addresses = _resolve(host, port or DEFAULT_PORTS[scheme])

    allowed_names, allowed_networks = _allow_list()
    # Allow-listed: the name itself, or every address it stands for lies in an allowed network.
    if name in allowed_names or all(any(a in network for network in allowed_networks) for a in addresses):
        return tuple(str(address) for address in addresses)
    if scheme != "https":
        raise BlockedDestination(f"{url} must use https.")
    if host_patterns and not any(_matches(name, pattern) for pattern in host_patterns):
        raise BlockedDestination(
            f"The host {name} is not one of this platform's hosts ({', '.join(host_patterns)})."
        )
    for address in addresses:
        kind = _forbidden_kind(address)
        if kind:
            carried = _carried_ipv4(address)
            shown = f"{address} ({carried})" if carried else address
            raise BlockedDestination(f"{url} resolves to {shown}, {kind}.")
    return tuple(str(address) for address in addresses)


def _allow_list():
    """``PIXEE_SSRF_ALLOW`` read now (tests change it): exact host names, and networks."""
    names, networks = set(), []
    for entry in settings.PIXEE_SSRF_ALLOW:
        entry = entry.strip().lower().rstrip(".")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry)
    return names, networks


def _resolve(host, port):
    """Every address ``host`` stands for, in the resolver's order (an address literal stands for itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise BlockedDestination(f"The host name {host} does not resolve.") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(sockaddr[0]) for *_, sockaddr in answers))
    if not addresses:
        raise BlockedDestination(f"The host name {host} does not resolve.")
    return addresses


def _forbidden_kind(address):
    """Why an address may not be reached ('a private address'…), or None when it is globally routable."""
    address = _carried_ipv4(address) or address
    for flag, kind in FORBIDDEN_KINDS:
        if getattr(address, flag):
            return kind
    return None if address.is_global else "a non-public address"


def _carried_ipv4(address):
    """The IPv4 address an IPv6 one is delivered to (IPv4-mapped, 6to4, NAT64), if any."""
    if address.version == 4:
        return None
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.ipv4_mapped or address.sixtofour


def _matches(name, pattern):
    """``*.example.com`` stands for one or more labels under example.com, not for example.com itself."""
    pattern = pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return name.endswith(suffix) and len(name) > len(suffix)
    return name == pattern


class _PinnedConnectionMixin:
    """Opens its socket to one of the checked addresses, in order; the Host header, SNI and the
    certificate check keep using the host name."""

    def __init__(self, *args, pinned_addresses, **kwargs):
        super().__init__(*args, **kwargs)
        self._pinned_addresses = pinned_addresses

    def _new_conn(self):
        # urllib3 (2.x) resolves and connects to ``_dns_host``, from which its ``host`` (Host header, SNI,
        # certificate name) is derived too: it holds a checked address only while the socket opens.
        host_name = self._dns_host
        try:
            for address in self._pinned_addresses[:-1]:
                self._dns_host = address
                try:
                    return super()._new_conn()
                except ConnectTimeoutError:  # NewConnectionError too: on to the next checked address
                    continue
            self._dns_host = self._pinned_addresses[-1]
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


# Pools are told apart by the checked addresses too: a kept-alive connection serves a request only when
# the host still resolves to the addresses it was opened to.
_PinnedPoolKey = namedtuple("_PinnedPoolKey", (*PoolKey._fields, "key_pinned_addresses"))


class _GuardedAdapter(HTTPAdapter):
    """Checks every request it sends (requests sends each redirect hop through it again) and hands urllib3
    a connection pool bound to the addresses that were checked."""

    def __init__(self, host_patterns, timeout):
        self.host_patterns = tuple(host_patterns)
        self.timeout = timeout
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PinnedHTTPConnectionPool, "https": _PinnedHTTPSConnectionPool,
        }
        pool_key = partial(_default_key_normalizer, _PinnedPoolKey)
        self.poolmanager.key_fn_by_scheme = {"http": pool_key, "https": pool_key}

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        # Never through a proxy: the socket must go to the address the guard checked.
        return super().send(request, stream=stream, timeout=self.timeout if timeout is None else timeout,
                            verify=verify, cert=cert, proxies=None)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        # Called by send() before any socket opens; a BlockedDestination raised here reaches the caller as is.
        addresses = _checked_addresses(request.url, self.host_patterns)
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        return self.poolmanager.connection_from_host(
            **host_params, pool_kwargs={**pool_kwargs, "pinned_addresses": addresses}
        )
