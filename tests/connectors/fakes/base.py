"""What every fake platform shares: a real HTTP server on 127.0.0.1, a log of what it received, and
faults to inject (an error status, a slow answer) for the next requests.

Contract of a fake:

- ``with FakeX() as fake:`` starts a ``ThreadingHTTPServer`` on ``127.0.0.1``, port 0 (a free one),
  in a daemon thread, and stops it on exit; ``start()`` / ``stop()`` do the same without ``with``.
  ``base_url`` is ``http://127.0.0.1:<port>``.
- HTTP/1.1 with keep-alive, as the real platforms; no per-request logging to stderr.
- ``received`` lists every request, in arrival order, as ``Received`` records (method, path, query,
  case-insensitive headers, parsed JSON body, the status answered). Faulted and refused requests
  are logged too.
- Faults are queued and consumed one per request, in the order they were queued:
  ``fail_next(status, …)`` answers a request with ``status`` instead of handling it (nothing it
  asked for is done); ``delay_next(seconds)`` sleeps before handling it (it is still handled, late,
  as a slow platform would, so a client that timed out and retries meets its own earlier write).
  ``latency`` adds a delay to every answer.
- Requests are handled one at a time under the fake's lock (state needs no finer locking); sleeps
  happen outside it, so a slow answer does not hold the others up. A bug in a fake answers 500 with
  its traceback (also printed), rather than hanging up.

Subclasses implement ``handle(request) -> Answer`` and may override ``common_headers()`` (headers on
every answer, faults included — e.g. rate-limit counters) and ``fault_body(status)`` (the body of an
injected fault when the test gives none, in the platform's error shape).
"""

import json
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Headers(dict):
    """Request headers; names are case-insensitive, as in HTTP (stored lower-cased)."""

    def __init__(self, items=()):
        super().__init__((name.lower(), value) for name, value in items)

    def __getitem__(self, name):
        return super().__getitem__(name.lower())

    def __contains__(self, name):
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name, default=None):
        return super().get(name.lower(), default)


@dataclass
class Received:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict  # name → value; the last one when a name is repeated
    headers: Headers
    json: object  # the parsed body; None when there is none or it is not JSON (see ``raw``)
    raw: bytes = b""
    at: float = 0.0  # time.monotonic() at arrival, to check clients' back-off
    status: int = 0  # what the fake answered (0 while it has not answered yet)


@dataclass
class Answer:
    status: int
    body: object = None  # serialised as JSON; None sends an empty body
    headers: dict = field(default_factory=dict)


def _phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a handler still sleeping on a delay must not keep the process alive

    def handle_error(self, request, client_address):
        # A client that gave up (its timeout) closes the connection while the fake still answers:
        # expected with delay_next, not worth a traceback. Anything else is a bug in the fake.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakePlatform:
    """Base of the fake platforms; see the module docstring for the contract."""

    def __init__(self):
        self.received: list[Received] = []
        self.latency = 0.0  # seconds added to every answer (a slow platform)
        self._faults = deque()  # ("answer", Answer) or ("delay", seconds), one per request
        self._lock = threading.RLock()
        self._server = None

    # --- life cycle ---------------------------------------------------------------------------------

    def start(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real platforms
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
            # the client's delayed ACK would add 40 ms to every answer.
            disable_nagle_algorithm = True

            def _serve(self):
                platform._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, *args):
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        # The serving loop checks for shutdown at each poll: a short one makes ``stop()`` fast.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                         name=type(self).__name__, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- faults ---------------------------------------------------------------------------------------

    def fail_next(self, status, *, headers=None, body=None, times=1):
        """The next ``times`` requests get ``status`` (with ``headers``, and ``body`` or the platform's
        error shape), and nothing they asked for is done."""
        answer = Answer(status, body if body is not None else self.fault_body(status), dict(headers or {}))
        with self._lock:
            self._faults.extend(("answer", answer) for _ in range(times))

    def delay_next(self, seconds, times=1):
        """The next ``times`` requests are handled ``seconds`` late (to provoke client timeouts)."""
        with self._lock:
            self._faults.extend(("delay", seconds) for _ in range(times))

    def fault_body(self, status):
        """The body of an injected fault when the test names none."""
        return {"errors": _phrase(status)}

    def common_headers(self):
        """Headers on every answer, injected faults included (called under the lock)."""
        return {}

    # --- serving ----------------------------------------------------------------------------------------

    def _serve(self, handler):
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = Received(
            method=handler.command, path=parts.path,
            query={name: values[-1]
                   for name, values in parse_qs(parts.query, keep_blank_values=True).items()},
            headers=Headers(handler.headers.items()), json=body, raw=raw, at=time.monotonic(),
        )
        with self._lock:
            self.received.append(request)
            fault = self._faults.popleft() if self._faults else None
        if fault and fault[0] == "delay":
            time.sleep(fault[1])
            fault = None
        if self.latency:
            time.sleep(self.latency)
        with self._lock:
            if fault:
                answer = fault[1]
            else:
                try:
                    answer = self.handle(request)
                except Exception:  # noqa: BLE001  (a bug in the fake: a 500 and its traceback, no hang-up)
                    traceback.print_exc()
                    answer = Answer(500, {"errors": "the fake platform crashed",
                                          "traceback": traceback.format_exc()})
            headers = {"Content-Type": "application/json; charset=utf-8", **self.common_headers(),
                       **answer.headers}
            request.status = answer.status
        payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        handler.send_response(answer.status)
        for name, value in headers.items():
            handler.send_header(name, str(value))
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def handle(self, request):
        raise NotImplementedError
