"""A forward HTTP proxy on 127.0.0.1 for tests: it forwards plain-http requests (GET,
HEAD, POST) and tunnels CONNECT, and it resolves every host under `.test` to 127.0.0.1
itself, so a client that reaches such a host can only have come through the proxy.

With `credentials` set it answers 407 to any request without the matching
Proxy-Authorization. It records what it was asked (method and target) in `seen`.
"""

from __future__ import annotations

import base64
import http.client
import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

_HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer",
     "transfer-encoding", "upgrade")
)  # fmt: skip


@dataclass
class FakeProxy:
    port: int = 0
    credentials: tuple[str, str] | None = None
    seen: list[tuple[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@127.0.0.1:{self.port}"


def _resolve(host: str) -> str:
    return "127.0.0.1" if host.endswith(".test") or host == "localhost" else host


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: FakeProxy  # set on a subclass per proxy

    def _authorised(self) -> bool:
        if self.proxy.credentials is None:
            return True
        token = base64.b64encode(":".join(self.proxy.credentials).encode()).decode()
        if self.headers.get("Proxy-Authorization") == f"Basic {token}":
            return True
        self.send_response(407)
        self.send_header("Proxy-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def _forward(self) -> None:
        self.proxy.seen.append((self.command, self.path))
        if not self._authorised():
            return
        target = urlsplit(self.path)
        if target.scheme != "http" or not target.hostname:
            self.send_error(400, "absolute http URL expected")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        path = target.path or "/"
        if target.query:
            path += f"?{target.query}"
        upstream = http.client.HTTPConnection(
            _resolve(target.hostname), target.port or 80, timeout=10
        )
        try:
            upstream.request(self.command, path, body=body, headers=headers)
            reply = upstream.getresponse()
            data = reply.read()
        except OSError:
            self.send_error(502, "upstream unreachable")
            return
        finally:
            upstream.close()
        self.send_response(reply.status, reply.reason)
        for name, value in reply.getheaders():
            if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = _forward

    def do_CONNECT(self) -> None:
        self.proxy.seen.append(("CONNECT", self.path))
        if not self._authorised():
            return
        host, _, port = self.path.rpartition(":")
        try:
            upstream = socket.create_connection((_resolve(host), int(port)), timeout=10)
        except OSError:
            self.send_error(502, "upstream unreachable")
            return
        self.send_response(200, "Connection established")
        self.end_headers()
        self._pipe(self.connection, upstream)
        self.close_connection = True

    @staticmethod
    def _pipe(client: socket.socket, upstream: socket.socket) -> None:
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 10)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def running_proxy(credentials: tuple[str, str] | None = None) -> Iterator[FakeProxy]:
    proxy = FakeProxy(credentials=credentials)
    handler = type("Handler", (_ProxyHandler,), {"proxy": proxy})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    proxy.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
