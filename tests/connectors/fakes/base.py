"""What every fake platform shares: a real HTTP server on 127.0.0.1, a log of what it received, and
faults to inject (an error status, a throttle answer, a slow answer) for the next requests."""

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict  # name → value (the last one when repeated)
    headers: dict  # lower-cased names
    json: object
    status: int = 0  # what the fake answered


@dataclass
class Answer:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)


class FakePlatform:
    """Subclasses implement ``handle(request) -> Answer`` (called under the fake's lock)."""

    def __init__(self):
        self.received: list[Received] = []
        self.latency = 0.0  # seconds added to every answer (a slow platform)
        self._faults = deque()
        self._lock = threading.RLock()
        self._server = None

    # --- life cycle ---------------------------------------------------------------------------------

    def __enter__(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real platforms
            # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
            # the client's delayed ACK would add 40 ms to every answer.
            disable_nagle_algorithm = True

            def _serve(self):
                platform._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- faults ---------------------------------------------------------------------------------------

    def fail_next(self, status, *, headers=None, body=None, times=1):
        """The next ``times`` requests get ``status`` (and nothing they asked for is done)."""
        for _ in range(times):
            self._faults.append(("answer", Answer(status, body if body is not None else {"errors": "fault"},
                                                  headers or {})))

    def delay_next(self, seconds, times=1):
        """The next ``times`` requests are answered ``seconds`` late (to provoke client timeouts)."""
        for _ in range(times):
            self._faults.append(("delay", seconds))

    # --- serving ----------------------------------------------------------------------------------------

    def _serve(self, handler):
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        request = Received(
            method=handler.command, path=parts.path,
            query={name: values[-1] for name, values in parse_qs(parts.query).items()},
            headers={name.lower(): value for name, value in handler.headers.items()}, json=body,
        )
        fault = None
        with self._lock:
            self.received.append(request)
            if self._faults:
                fault = self._faults.popleft()
        if fault and fault[0] == "delay":
            time.sleep(fault[1])
            fault = None
        if self.latency:
            time.sleep(self.latency)
        if fault:
            answer = fault[1]
        else:
            with self._lock:
                answer = self.handle(request)
        request.status = answer.status
        payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        handler.send_response(answer.status)
        headers = {"Content-Type": "application/json; charset=utf-8", **self.extra_headers(), **answer.headers}
        for name, value in headers.items():
            handler.send_header(name, str(value))
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def extra_headers(self):
        """Headers on every answer (e.g. rate-limit counters)."""
        return {}

    def handle(self, request):
        raise NotImplementedError
