"""A real HTTP webhook receiver for the tests: a ThreadingHTTPServer on a reserved port of 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


class _Server(ThreadingHTTPServer):
    receiver: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout test) is expected; no traceback on stderr."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, delay_s = self.server.receiver._record(Request(self.path, dict(self.headers.items()), body))
        if delay_s:
            time.sleep(delay_s)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


class Receiver:
    """A webhook receiver whose port is reserved (bound, not listening: connections are refused) until ``start``.

    ``statuses`` are answered in turn (then 200); ``delay_s`` delays every answer.
    """

    def __init__(self) -> None:
        self._reserved: socket.socket | None = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._reserved.bind(("127.0.0.1", 0))
        self.port: int = self._reserved.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.requests: list[Request] = []
        self.statuses: list[int] = []
        self.delay_s = 0.0
        self._changed = threading.Condition()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def _record(self, request: Request) -> tuple[int, float]:
        with self._changed:
            self.requests.append(request)
            status = self.statuses.pop(0) if self.statuses else 200
            self._changed.notify_all()
            return status, self.delay_s

    def start(self) -> None:
        """Listen on the reserved port."""
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.receiver = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[Request]:
        """The requests once there are at least ``count`` of them; AssertionError after ``timeout_s``."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout_s):
                raise AssertionError(f"expected {count} requests within {timeout_s} s, got {len(self.requests)}")
            return list(self.requests)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
