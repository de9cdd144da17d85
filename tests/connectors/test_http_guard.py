"""The SSRF guard every outbound request goes through (contract §9), against real local servers.

DNS is emulated at the operating-system boundary (``socket.getaddrinfo``), never inside the guard; names
the tests do not define do not resolve, so nothing here needs a network.
"""

import datetime
import ipaddress
import re
import socket
import ssl
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from connectors.http import BlockedDestination, check_url, outbound_session

PUBLIC = "93.184.216.34"
SHOPIFY = ("*.myshopify.com",)
METADATA = "http://169.254.169.254/latest/meta-data/"


class LocalServer:
    """An HTTP/1.1 server on a loopback address that records what it receives. ``redirect_to`` makes it
    answer 302 there; ``stall`` makes it never answer (until the test ends)."""

    def __init__(self, host, tls_context=None):
        self.received, self.redirect_to, self.stall = [], None, False
        self.released = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keeps connections alive, as platforms do

            def do_GET(self):
                server.received.append((self.path, self.headers))
                if server.stall:
                    server.released.wait()
                    return
                if server.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", server.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        if tls_context:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()

    def paths(self):
        return [path for path, _ in self.received]

    def close(self):
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def start_server():
    started = []

    def start(host="127.0.0.1", **kwargs):
        started.append(LocalServer(host, **kwargs))
        return started[-1]

    yield start
    for server in started:
        server.close()


class FakeDns:
    """``dns["name"] = [answer, …]``: each lookup of the name takes the next answer (the last one repeats);
    an answer is an address or a tuple of addresses. ``lookups`` counts the lookups of each name."""

    def __init__(self, real_getaddrinfo):
        self.answers, self.lookups, self.real_getaddrinfo = {}, Counter(), real_getaddrinfo

    def __setitem__(self, name, answers):
        self.answers[name] = answers

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if host not in self.answers:
            # Numeric hosts only (127.1, 2130706433, ::1…): any other name fails as an unknown one would.
            return self.real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        self.lookups[host] += 1
        answers = self.answers[host]
        answer = answers[min(self.lookups[host], len(answers)) - 1]
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (address, port or 0, 0, 0) if ":" in address else (address, port or 0))
                for address in ((answer,) if isinstance(answer, str) else answer)]


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A certificate authority (``ca_file``, for ``verify=``) and a server TLS context holding its
    certificate for the name shop.test only; ``server_names`` records the SNI names clients sent."""
    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject, key, issuer, issuer_key, extensions):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=1))
                   .not_valid_after(now + datetime.timedelta(hours=1)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Guard test CA")])
    ca = certificate(ca_name, ca_key, ca_name, ca_key, [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                       data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                       encipher_only=False, decipher_only=False), True),
        (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False),
    ])
    leaf = certificate(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.test")]), key, ca_name, ca_key, [
        (x509.SubjectAlternativeName([x509.DNSName("shop.test")]), False),
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False),
    ])
    directory = tmp_path_factory.mktemp("tls")
    (directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (directory / "server.pem").write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "server.pem")
    server_names = []
    context.sni_callback = lambda tls_socket, server_name, _context: server_names.append(server_name)

    return SimpleNamespace(ca_file=str(directory / "ca.pem"), server_context=context, server_names=server_names)


# --- Scheme and host pattern ---------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://shop.myshopify.com/", "http://[::1]/", "http://10.0.0.5:8080/"])
def test_plain_http_is_refused_for_a_host_that_is_not_allow_listed(dns, url):
    dns["shop.myshopify.com"] = [PUBLIC]
    with pytest.raises(BlockedDestination) as refusal:
        check_url(url)
    assert str(refusal.value) == f"{url} must use https."


def test_https_to_a_public_name_is_allowed(dns):
    dns["example.com"] = [PUBLIC]
    check_url("https://example.com/some/path?x=1")


@pytest.mark.parametrize("url", ["ftp://example.com/", "file:///etc/passwd", "example.com/", "https://"])
def test_urls_that_are_not_http_with_a_host_are_refused(url):
    with pytest.raises(BlockedDestination):
        check_url(url)


@pytest.mark.parametrize("host", ["shop.myshopify.com", "a.b.myshopify.com", "SHOP.MyShopify.com."])
def test_subdomains_of_a_star_pattern_are_allowed(dns, host):
    dns[host.lower()] = [PUBLIC]
    check_url(f"https://{host}/admin", host_patterns=SHOPIFY)


@pytest.mark.parametrize("host", ["myshopify.com.evil.com", "evilmyshopify.com", "myshopify.com"])
def test_hosts_outside_a_star_pattern_are_refused(dns, host):
    dns[host] = [PUBLIC]
    with pytest.raises(BlockedDestination, match=r"is not one of this platform's hosts \(\*\.myshopify\.com\)"):
        check_url(f"https://{host}/", host_patterns=SHOPIFY)


@pytest.mark.parametrize(("host", "allowed"), [("api.bigcommerce.com", True), ("store.api.bigcommerce.com", False)])
def test_an_exact_pattern_allows_only_that_host(dns, host, allowed):
    dns[host] = [PUBLIC]
    if allowed:
        check_url(f"https://{host}/", host_patterns=("api.bigcommerce.com",))
    else:
        with pytest.raises(BlockedDestination, match="is not one of this platform's hosts"):
            check_url(f"https://{host}/", host_patterns=("api.bigcommerce.com",))


def test_an_internationalized_host_is_matched_and_resolved_in_its_ascii_form(dns):
    dns["xn--bcher-kva.myshopify.com"] = [PUBLIC]
    check_url("https://bücher.myshopify.com/", host_patterns=SHOPIFY)
    assert dns.lookups["xn--bcher-kva.myshopify.com"] == 1


# --- Addresses ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("address", "why"), [
    ("10.0.0.5", ", a private address"), ("172.16.0.9", ", a private address"),
    ("172.31.255.254", ", a private address"), ("192.168.1.1", ", a private address"),
    ("127.0.0.1", ", a loopback address"), ("169.254.169.254", ", a link-local address"),
    ("169.254.10.1", ", a link-local address"), ("0.0.0.0", ", an unspecified address"),
    ("100.64.0.1", ", a non-public address"), ("224.0.0.1", ", a multicast address"),
    ("240.0.0.1", ", a private address"),
    ("::1", ", a loopback address"), ("::", ", an unspecified address"), ("fe80::1", ", a link-local address"),
    ("fd00::1", ", a private address"), ("ff02::1", ", a multicast address"),
    ("::ffff:127.0.0.1", " (127.0.0.1), a loopback address"),
    ("::ffff:169.254.169.254", " (169.254.169.254), a link-local address"),
    ("::ffff:10.0.0.5", " (10.0.0.5), a private address"),
    ("2002:7f00:1::", " (127.0.0.1), a loopback address"),  # 6to4
    ("64:ff9b::a9fe:a9fe", " (169.254.169.254), a link-local address"),  # NAT64
])
def test_names_resolving_to_non_public_addresses_are_refused(dns, address, why):
    dns["shop.myshopify.com"] = [address]
    with pytest.raises(BlockedDestination) as refusal:
        check_url("https://shop.myshopify.com/", host_patterns=SHOPIFY)
    assert str(refusal.value) == f"https://shop.myshopify.com/ resolves to {ipaddress.ip_address(address)}{why}."


@pytest.mark.parametrize("url", [
    "https://10.0.0.5/", "https://127.0.0.1/", "https://169.254.169.254/latest/meta-data/", "https://0.0.0.0/",
    "https://[::1]/", "https://[::1]:8443/", "https://[::]/", "https://[::ffff:127.0.0.1]/",
    "https://2130706433/", "https://0x7f.0.0.1/", "https://127.1/",  # numeric spellings of 127.0.0.1
])
def test_address_literals_that_are_not_public_are_refused(url):
    with pytest.raises(BlockedDestination, match="resolves to"):
        check_url(url)


def test_the_refusal_says_which_address_and_why():
    with pytest.raises(BlockedDestination) as refusal:
        check_url("https://10.0.0.5/")
    assert str(refusal.value) == "https://10.0.0.5/ resolves to 10.0.0.5, a private address."


def test_one_private_answer_among_public_ones_is_enough_to_refuse(dns):
    dns["mixed.example.com"] = [(PUBLIC, "10.0.0.5")]
    with pytest.raises(BlockedDestination, match="10.0.0.5, a private address"):
        check_url("https://mixed.example.com/")


@pytest.mark.parametrize("address", ["2606:2800:220:1:248:1893:25c8:1946", f"::ffff:{PUBLIC}"])
def test_public_ipv6_addresses_are_allowed(dns, address):
    dns["example.com"] = [address]
    check_url("https://example.com/")


def test_names_that_do_not_resolve_are_refused():
    with pytest.raises(BlockedDestination, match="^The host name no-such-host.test does not resolve.$"):
        check_url("https://no-such-host.test/")


# --- PIXEE_SSRF_ALLOW ----------------------------------------------------------------------------------

def test_without_an_allow_entry_a_local_server_is_not_reached(start_server):
    server = start_server()
    with pytest.raises(BlockedDestination, match="must use https"):
        outbound_session().get(f"http://127.0.0.1:{server.port}/shop")
    assert server.received == []


def test_an_allow_listed_cidr_is_reached_over_plain_http(start_server, settings):
    server = start_server()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]

    response = outbound_session(host_patterns=SHOPIFY).get(f"http://127.0.0.1:{server.port}/shop")

    assert response.status_code == 200 and server.paths() == ["/shop"]


def test_an_allow_listed_name_is_reached_with_its_own_host_header(start_server, settings, dns):
    server = start_server()
    dns["shop.internal"] = ["127.0.0.1"]
    settings.PIXEE_SSRF_ALLOW = ["Shop.Internal"]

    response = outbound_session(host_patterns=SHOPIFY).get(f"http://shop.internal:{server.port}/x")

    assert response.status_code == 200 and server.paths() == ["/x"]
    assert server.received[0][1]["Host"] == f"shop.internal:{server.port}"


@pytest.mark.parametrize("host", ["evil-shop.internal", "shop.internal.evil.com", "x.shop.internal"])
def test_allow_listed_names_match_exactly(dns, settings, host):
    dns[host] = ["10.0.0.5"]
    settings.PIXEE_SSRF_ALLOW = ["shop.internal"]
    with pytest.raises(BlockedDestination, match="a private address"):
        check_url(f"https://{host}/")


def test_a_name_resolving_only_into_an_allowed_cidr_is_allowed(dns, settings):
    dns["erp.internal"] = [("10.1.0.5", "10.1.0.6")]
    settings.PIXEE_SSRF_ALLOW = ["10.1.0.0/16"]
    check_url("http://erp.internal/feed.csv")


def test_a_name_with_one_address_outside_the_allowed_cidr_is_refused(dns, settings):
    dns["erp.internal"] = [("10.1.0.5", "10.2.0.5")]
    settings.PIXEE_SSRF_ALLOW = ["10.1.0.0/16"]
    with pytest.raises(BlockedDestination, match="10.1.0.5, a private address"):
        check_url("https://erp.internal/feed.csv")


def test_the_allow_list_is_read_at_each_request(start_server, settings):
    server = start_server()
    session = outbound_session()
    with pytest.raises(BlockedDestination):
        session.get(f"http://127.0.0.1:{server.port}/")

    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    assert session.get(f"http://127.0.0.1:{server.port}/").status_code == 200


# --- Resolved once, connected to the checked address ---------------------------------------------------

def test_the_socket_goes_to_the_address_that_was_checked(start_server, settings, dns):
    server = start_server()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["rebind.test"] = ["127.0.0.1", "169.254.169.254"]  # any later lookup points at the metadata service

    response = outbound_session().get(f"http://rebind.test:{server.port}/")

    assert response.status_code == 200 and server.paths() == ["/"]
    assert dns.lookups["rebind.test"] == 1


def test_a_forbidden_first_answer_is_refused_even_if_later_ones_are_allowed(start_server, settings, dns):
    server = start_server()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["rebind.test"] = ["169.254.169.254", "127.0.0.1"]

    with pytest.raises(BlockedDestination, match="169.254.169.254, a link-local address"):
        outbound_session().get(f"https://rebind.test:{server.port}/")

    assert server.received == [] and dns.lookups["rebind.test"] == 1


def test_every_request_resolves_and_is_checked_again(start_server, settings, dns):
    server = start_server()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["rebind.test"] = ["127.0.0.1", "169.254.169.254"]
    session = outbound_session()
    session.get(f"http://rebind.test:{server.port}/first")

    with pytest.raises(BlockedDestination, match="must use https"):  # no longer an allow-listed address
        session.get(f"http://rebind.test:{server.port}/second")

    assert server.paths() == ["/first"] and dns.lookups["rebind.test"] == 2


def test_a_kept_alive_connection_serves_only_the_addresses_it_was_opened_to(start_server, settings, dns):
    server = start_server()  # listens on 127.0.0.1 only: 127.0.0.2 refuses the connection
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["moving.test"] = ["127.0.0.1", "127.0.0.2"]
    session = outbound_session()
    session.get(f"http://moving.test:{server.port}/first")

    with pytest.raises(requests.ConnectionError):
        session.get(f"http://moving.test:{server.port}/second")

    assert server.paths() == ["/first"]


def test_the_next_checked_address_is_tried_when_one_refuses_the_connection(start_server, settings, dns):
    server = start_server()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["two.test"] = [("127.0.0.2", "127.0.0.1")]

    response = outbound_session().get(f"http://two.test:{server.port}/")

    assert response.status_code == 200 and server.paths() == ["/"]


def test_tls_verifies_the_host_name_while_connecting_to_the_checked_address(start_server, settings, dns, tls):
    server = start_server(tls_context=tls.server_context)
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["shop.test"] = ["127.0.0.1"]

    response = outbound_session().get(f"https://shop.test:{server.port}/secure", verify=tls.ca_file)

    assert response.status_code == 200 and server.paths() == ["/secure"]
    assert server.received[0][1]["Host"] == f"shop.test:{server.port}" and tls.server_names[-1] == "shop.test"


def test_a_certificate_for_another_name_is_rejected(start_server, settings, dns, tls):
    server = start_server(tls_context=tls.server_context)
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["other.test"] = ["127.0.0.1"]

    with pytest.raises(requests.exceptions.SSLError):
        outbound_session().get(f"https://other.test:{server.port}/", verify=tls.ca_file)

    assert server.received == []


# --- Redirects ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [METADATA, METADATA.replace("http:", "https:"), "http://127.0.0.2:{port}/private"])
def test_a_redirect_to_a_forbidden_address_is_refused(start_server, settings, target):
    forbidden = start_server("127.0.0.2")  # Linux routes all of 127/8 to the loopback interface
    entry = start_server()
    entry.redirect_to = target.format(port=forbidden.port)
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1/32"]  # the entry server only

    with pytest.raises(BlockedDestination, match=f"^{re.escape(entry.redirect_to)} "):
        outbound_session().get(f"http://127.0.0.1:{entry.port}/start")

    assert entry.paths() == ["/start"] and forbidden.received == []


def test_a_redirect_to_an_allowed_host_is_followed(start_server, settings):
    final = start_server()
    entry = start_server()
    entry.redirect_to = f"http://127.0.0.1:{final.port}/moved"
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    response = outbound_session().get(f"http://127.0.0.1:{entry.port}/start")

    assert response.status_code == 200 and response.history[0].status_code == 302
    assert final.paths() == ["/moved"]


def test_redirects_stop_after_five(start_server, settings):
    loop = start_server()
    loop.redirect_to = f"http://127.0.0.1:{loop.port}/again"
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    with pytest.raises(requests.TooManyRedirects):
        outbound_session().get(f"http://127.0.0.1:{loop.port}/start")

    assert loop.paths() == ["/start"] + ["/again"] * 5


# --- Session defaults ----------------------------------------------------------------------------------

def test_a_request_without_a_timeout_gets_the_session_timeout(start_server, settings):
    server = start_server()
    server.stall = True
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    with pytest.raises(requests.Timeout):
        outbound_session(timeout=0.2).get(f"http://127.0.0.1:{server.port}/")


def test_requests_carry_the_user_agent(start_server, settings):
    server = start_server()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    outbound_session(user_agent="PixeePIM-Test/2.0").get(f"http://127.0.0.1:{server.port}/")

    assert server.received[0][1]["User-Agent"] == "PixeePIM-Test/2.0"


def test_proxies_from_the_environment_are_not_used(start_server, settings, monkeypatch):
    proxy, server = start_server(), start_server()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    outbound_session().get(f"http://127.0.0.1:{server.port}/direct")

    assert server.paths() == ["/direct"] and proxy.received == []


def test_a_proxy_passed_by_the_caller_is_not_used(start_server, settings):
    proxy, server = start_server(), start_server()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    outbound_session().get(f"http://127.0.0.1:{server.port}/direct", proxies={"http": f"http://127.0.0.1:{proxy.port}"})

    assert server.paths() == ["/direct"] and proxy.received == []
