"""The SSRF guard every outbound request goes through (contract §9), against real local servers.

DNS is emulated at the operating-system boundary (``socket.getaddrinfo``), never inside the guard."""

import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from connectors.http import BlockedDestination, check_url, outbound_session

SHOPIFY = ("*.myshopify.com",)


class Recorder:
    """A local HTTP server that records the paths it served; ``redirect_to`` makes it answer 302."""

    def __init__(self, host="127.0.0.1", redirect_to=None, stall=0.0):
        self.paths, self.redirect_to, self.stall = [], redirect_to, stall
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.paths.append((self.path, self.headers.get("Host")))
                if recorder.stall:
                    time.sleep(recorder.stall)
                if recorder.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", recorder.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def servers():
    started = []

    def start(**kwargs):
        started.append(Recorder(**kwargs))
        return started[-1]

    yield start
    for server in started:
        server.close()


class FakeDns:
    """``dns["name"] = [answer, …]``: each lookup of the name takes the next answer (the last one
    repeats); an answer is an address or a tuple of addresses."""

    def __init__(self):
        self.answers, self.lookups = {}, Counter()

    def __setitem__(self, name, answers):
        self.answers[name] = answers

    def resolve(self, name, port):
        self.lookups[name] += 1
        answers = self.answers[name]
        answer = answers[min(self.lookups[name], len(answers)) - 1]
        return [(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in ((answer,) if isinstance(answer, str) else answer)]


@pytest.fixture
def dns(monkeypatch):
    fake, real = FakeDns(), socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in fake.answers:
            return fake.resolve(host, port or 0)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return fake


def test_https_to_a_public_platform_host_is_allowed(dns):
    dns["acme.myshopify.com"] = ["23.227.38.65"]
    check_url("https://acme.myshopify.com/admin/api/2026-10/graphql.json", host_patterns=SHOPIFY)


def test_plain_http_is_refused(dns):
    dns["acme.myshopify.com"] = ["23.227.38.65"]
    with pytest.raises(BlockedDestination, match="must use https"):
        check_url("http://acme.myshopify.com/", host_patterns=SHOPIFY)


@pytest.mark.parametrize("host", ["myshopify.com.evil.example", "evilmyshopify.com", "myshopify.com"])
def test_hosts_outside_the_platform_pattern_are_refused(dns, host):
    dns[host] = ["23.227.38.65"]
    with pytest.raises(BlockedDestination, match="not one of this platform's"):
        check_url(f"https://{host}/", host_patterns=SHOPIFY)


@pytest.mark.parametrize(("address", "kind"), [
    ("10.1.2.3", "private"), ("172.16.0.9", "private"), ("192.168.1.1", "private"),
    ("127.0.0.1", "loopback"), ("169.254.169.254", "link-local"), ("169.254.10.1", "link-local"),
    ("0.0.0.0", "unspecified"), ("100.64.0.1", "non-public"), ("224.0.0.1", "multicast"),
    ("::1", "loopback"), ("fe80::1", "link-local"), ("fd00::1", "private"), ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:169.254.169.254", "link-local"),
])
def test_names_resolving_to_non_public_addresses_are_refused(dns, address, kind):
    dns["shop.myshopify.com"] = [address]
    with pytest.raises(BlockedDestination, match=kind):
        check_url("https://shop.myshopify.com/", host_patterns=SHOPIFY)


@pytest.mark.parametrize("url", ["https://127.0.0.1/", "https://[::1]/", "https://169.254.169.254/latest/meta-data/",
                                 "https://[::ffff:10.0.0.1]/", "https://2130706433/"])
def test_address_literals_that_are_not_public_are_refused(url):
    with pytest.raises(BlockedDestination):
        check_url(url)


def test_one_private_answer_among_public_ones_is_enough_to_refuse(dns):
    dns["mixed.myshopify.com"] = [("23.227.38.65", "10.0.0.5")]
    with pytest.raises(BlockedDestination, match="10.0.0.5, a private address"):
        check_url("https://mixed.myshopify.com/", host_patterns=SHOPIFY)


def test_names_that_do_not_resolve_are_refused():
    with pytest.raises(BlockedDestination, match="does not resolve"):
        check_url("https://no-such-host.invalid/")


def test_allow_listed_hosts_are_reached_over_plain_http(servers, settings):
    server = servers()
    url = f"http://127.0.0.1:{server.port}/shop"
    with pytest.raises(BlockedDestination):
        outbound_session().get(url)
    assert server.paths == []

    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    response = outbound_session(host_patterns=SHOPIFY).get(url)

    assert response.status_code == 200 and server.paths == [("/shop", f"127.0.0.1:{server.port}")]


def test_an_allow_listed_name_skips_the_checks_but_keeps_its_host_header(servers, settings, dns):
    server = servers()
    dns["shop.internal"] = ["127.0.0.1"]
    settings.PIXEE_SSRF_ALLOW = ["shop.internal"]

    response = outbound_session().get(f"http://shop.internal:{server.port}/x")

    assert response.status_code == 200 and server.paths == [("/x", f"shop.internal:{server.port}")]


def test_the_connection_goes_to_the_address_that_was_checked(servers, settings, dns):
    server = servers()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    # First answer allowed; every later one points at the metadata service (DNS rebinding).
    dns["rebind.example"] = ["127.0.0.1", "169.254.169.254"]

    response = outbound_session().get(f"http://rebind.example:{server.port}/")

    assert response.status_code == 200 and len(server.paths) == 1
    assert dns.lookups["rebind.example"] == 1  # resolved once; the socket used that answer


def test_a_forbidden_first_answer_is_refused_even_if_later_ones_are_fine(servers, settings, dns):
    server = servers()
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.0/8"]
    dns["rebind.example"] = ["10.0.0.1", "127.0.0.1"]

    with pytest.raises(BlockedDestination):
        outbound_session().get(f"http://rebind.example:{server.port}/")
    assert server.paths == []


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.2:{port}/private"])
def test_redirects_to_forbidden_addresses_are_refused(servers, settings, target):
    private = servers(host="127.0.0.2")
    entry = servers(redirect_to=target.format(port=private.port))
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1/32"]  # the entry server only

    with pytest.raises(BlockedDestination):
        outbound_session().get(f"http://127.0.0.1:{entry.port}/start")

    assert len(entry.paths) == 1 and private.paths == []


def test_redirects_to_allowed_hosts_are_followed(servers, settings):
    final = servers()
    entry = servers(redirect_to=f"http://127.0.0.1:{final.port}/moved")
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    response = outbound_session().get(f"http://127.0.0.1:{entry.port}/start")

    assert response.status_code == 200 and final.paths == [("/moved", f"127.0.0.1:{final.port}")]


def test_a_platform_that_does_not_answer_times_out(servers, settings):
    server = servers(stall=1.0)
    settings.PIXEE_SSRF_ALLOW = ["127.0.0.1"]

    with pytest.raises(requests.Timeout):
        outbound_session(timeout=0.2).get(f"http://127.0.0.1:{server.port}/")


def test_proxies_from_the_environment_are_ignored(servers, settings, monkeypatch):
    proxy = servers()
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")

    with pytest.raises(BlockedDestination):
        outbound_session().get("http://169.254.169.254/latest/meta-data/")
    assert proxy.paths == []
