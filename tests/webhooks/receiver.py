"""A real HTTP receiver for webhook tests: records what it got, answers the statuses it is told."""

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.received = []  # (headers (lower-cased), raw body, parsed body)
        self.statuses = deque()  # statuses of the next answers (200 when empty)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, raw, json.loads(raw)))
                status = receiver.statuses.popleft() if receiver.statuses else 200
                body = b'{"ok": true}' if status < 300 else b"receiver is down"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def events(self):
        return [body["event"] for _, _, body in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
