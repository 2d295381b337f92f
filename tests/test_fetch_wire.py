"""The http.client transport, over real sockets to a server that answers as scripted:
connections are reused and dropped when they should be, and whatever the server gets
wrong (a body cut short, a connection dead on reuse, a stall) is an httpx error, never
a shorter page."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from watcher.config import HttpSettings
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client, wire
from watcher.fetch.wire import WireTransport

HTTP = HttpSettings(delay=0.0, timeout=2.0, retries=1)
PAGE = b"<html><body><p>Kent</p></body></html>"

# What the server does with one request: (connection number, request number on that
# connection, the request's bytes) -> the bytes to send back, and whether to close after.
Script = Callable[[int, int, bytes], tuple[bytes, bool]]


def ok(body: bytes = PAGE, *headers: str) -> bytes:
    head = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class ScriptedServer:
    script: Script
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/page") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            number = self.connections
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, number: int) -> None:
        with conn:
            buffer, served = b"", 0
            while True:
                while b"\r\n\r\n" not in buffer:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buffer += data
                request, buffer = buffer.split(b"\r\n\r\n", 1)
                self.requests.append(request)
                served += 1
                reply, close = self.script(number, served, request)
                if reply:
                    conn.sendall(reply)
                if close:
                    return

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Script], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(script: Script) -> ScriptedServer:
        servers.append(ScriptedServer(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def client() -> httpx.Client:
    return httpx.Client(transport=WireTransport("http"), timeout=2.0)


def fetcher() -> Fetcher:
    return Fetcher(client(), HTTP, ["127.0.0.1"], sleep=lambda _: None)


def test_keep_alive_serves_every_request_over_one_connection(serve) -> None:
    def script(_: int, served: int, request: bytes) -> tuple[bytes, bool]:
        if b"If-None-Match" in request:
            return b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n', False
        return ok(PAGE, 'ETag: "v1"'), False

    server = serve(script)
    with client() as http:
        for _ in range(5):
            assert http.get(server.url()).content == PAGE
        for _ in range(5):
            assert http.get(server.url(), headers={"If-None-Match": '"v1"'}).status_code == 304
    assert server.connections == 1
    assert len(server.requests) == 10


def test_request_goes_out_with_httpx_headers_as_they_are(serve) -> None:
    server = serve(lambda *_: (ok(), False))
    with httpx.Client(transport=WireTransport("http"), headers={"User-Agent": "watcher/1"}) as http:
        http.get(server.url("/a%20b?x=1"))
    request = server.requests[0].decode("latin-1")
    assert request.startswith("GET /a%20b?x=1 HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}" in request
    assert "User-Agent: watcher/1" in request
    assert request.count("Host:") == 1
    assert "identity" not in request


def test_a_connection_the_server_closed_while_idle_is_not_used(serve) -> None:
    # The server closes each connection after its answer, without saying so.
    server = serve(lambda *_: (ok(), True))
    with client() as http:
        assert http.get(server.url()).content == PAGE
        time.sleep(0.1)  # the close reaches the client
        # A POST is never sent twice: it gets through only if the dead one is skipped.
        assert http.post(server.url()).content == PAGE
        time.sleep(0.1)
        assert http.get(server.url()).content == PAGE
    assert server.connections == 3
    assert len(server.requests) == 3  # no request was lost on a dead connection


def test_a_reused_connection_dead_before_any_reply_is_sent_again_once(serve) -> None:
    # The first connection dies on its second request (a keep-alive timeout racing it).
    def script(connection: int, served: int, _: bytes) -> tuple[bytes, bool]:
        if connection == 1 and served == 2:
            return b"", True
        return ok(), False

    server = serve(script)
    with client() as http:
        assert http.get(server.url()).content == PAGE
        assert http.get(server.url()).content == PAGE
    assert server.connections == 2


def test_a_new_connection_that_dies_before_replying_is_an_error_not_resent(serve) -> None:
    server = serve(lambda *_: (b"", True))
    with client() as http, pytest.raises(httpx.RemoteProtocolError):
        http.get(server.url())
    assert len(server.requests) == 1
    result = fetcher().fetch(PageRequest(server.url()))
    assert result.outcome is FetchOutcome.FAILED
    assert result.error is not None
    assert "connection broken" in result.error


@pytest.mark.parametrize(
    "reply",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + PAGE,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n" + PAGE[:16] + b"\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + PAGE[:20],
    ],
    ids=["short-of-content-length", "no-last-chunk", "chunk-cut-short"],
)
def test_a_body_cut_short_is_an_error_never_a_shorter_page(serve, reply: bytes) -> None:
    server = serve(lambda *_: (reply, True))
    with client() as http, pytest.raises(httpx.RemoteProtocolError):
        http.get(server.url())
    result = fetcher().fetch(PageRequest(server.url()))
    assert result.outcome is FetchOutcome.FAILED
    assert result.body == b""


def test_a_chunked_body_is_read_whole_and_its_connection_reused(serve) -> None:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (PAGE[:10], PAGE[10:]))
    reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    server = serve(lambda *_: (reply, False))
    with client() as http:
        assert [http.get(server.url()).content for _ in range(2)] == [PAGE] * 2
    assert server.connections == 1


def test_a_body_that_runs_to_the_close_is_read_whole_and_not_reused(serve) -> None:
    server = serve(lambda *_: (b"HTTP/1.0 200 OK\r\n\r\n" + PAGE, True))
    with client() as http:
        response = http.get(server.url())
        assert response.content == PAGE
        assert response.http_version == "HTTP/1.0"
        assert http.get(server.url()).content == PAGE
    assert server.connections == 2


def test_connection_close_and_an_unread_body_each_end_the_connection(serve) -> None:
    server = serve(lambda _, served, __: (ok(PAGE, "Connection: close"), served == 1))
    with client() as http:
        http.get(server.url())
        with http.stream("GET", server.url()):
            pass  # the body is never read
        http.get(server.url())
    assert server.connections == 3


def test_an_expired_idle_connection_is_not_reused(serve, monkeypatch) -> None:
    monkeypatch.setattr(wire, "KEEPALIVE_EXPIRY", -1.0)
    server = serve(lambda *_: (ok(), False))
    with client() as http:
        http.get(server.url())
        http.get(server.url())
    assert server.connections == 2


def test_header_bytes_and_repeats_come_through_unchanged(serve) -> None:
    headers = ("Set-Cookie: a=1", "Set-Cookie: b=2", "X-Note: caf\xe9")
    server = serve(lambda *_: (ok(PAGE, *headers), False))
    with client() as http:
        response = http.get(server.url())
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert response.headers.raw[-1] == (b"X-Note", b"caf\xe9")
    assert response.reason_phrase == "OK"


def test_many_header_lines_are_read_and_too_many_refused(serve) -> None:
    """A page with 200 header lines is a page (http.client alone refuses past 100); past
    `MAX_HEADER_LINES` it is a protocol error, never a page without its headers."""
    many = tuple(f"Link: </asset-{n}.css>; rel=preload" for n in range(200))
    too_many = tuple(f"X-Filler-{n}: x" for n in range(wire.MAX_HEADER_LINES + 1))
    server = serve(lambda _, served, __: (ok(PAGE, *(many if served == 1 else too_many)), False))
    with client() as http:
        response = http.get(server.url())
        assert response.content == PAGE
        assert len(response.headers.get_list("link")) == 200
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(server.url())


def test_a_server_that_stalls_is_a_read_timeout(serve) -> None:
    server = serve(lambda *_: (b"HTTP/1.1 200 OK\r\n", False))  # never ends its headers
    http = httpx.Client(transport=WireTransport("http"), timeout=0.3)
    with http, pytest.raises(httpx.ReadTimeout):
        http.get(server.url())


def test_an_interim_answer_is_refused_and_never_answers_the_next_request(serve) -> None:
    early = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"

    def script(_: int, __: int, request: bytes) -> tuple[bytes, bool]:
        if request.startswith(b"GET /first "):
            return early + ok(b"<p>first page</p>"), False
        return ok(b"<p>second page</p>"), False

    server = serve(script)
    with client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(server.url("/first"))
        assert http.get(server.url("/second")).content == b"<p>second page</p>"


def test_a_garbled_status_line_is_a_protocol_error(serve) -> None:
    server = serve(lambda *_: (b"HTTP/1.1 two hundred\r\n\r\n", True))
    with client() as http, pytest.raises(httpx.RemoteProtocolError):
        http.get(server.url())


def test_nothing_listening_is_a_connect_error() -> None:
    with socket.socket() as spare:
        spare.bind(("127.0.0.1", 0))
        port = spare.getsockname()[1]  # bound, not listening: connections are refused
        with client() as http, pytest.raises(httpx.ConnectError):
            http.get(f"http://127.0.0.1:{port}/page")


def test_a_cookie_a_site_sets_is_sent_back_and_none_is_invented(serve) -> None:
    # A redirect that sets a cookie, then wants it: the page is read, as in a browser.
    def script(_: int, served: int, request: bytes) -> tuple[bytes, bool]:
        if request.startswith(b"GET /start "):
            head = "HTTP/1.1 302 Found\r\nLocation: /page\r\nSet-Cookie: seen=1; Path=/\r\n"
            return (head + "Content-Length: 0\r\n\r\n").encode(), False
        if b"Cookie: seen=1" in request:
            return ok(), False
        return b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", False

    server = serve(script)
    with build_client(HTTP) as http:
        watcher = Fetcher(http, HTTP, ["127.0.0.1"], sleep=lambda _: None)
        result = watcher.fetch(PageRequest(server.url("/start")))
        again = watcher.fetch(PageRequest(server.url("/page")))
    assert result.outcome is FetchOutcome.OK
    assert result.body == PAGE
    assert again.outcome is FetchOutcome.OK  # kept for the run
    assert b"Cookie" not in server.requests[0]

    fresh = serve(lambda *_: (ok(), False))
    with build_client(HTTP) as http:
        for _ in range(2):
            assert http.get(fresh.url()).status_code == 200
    assert not any(b"Cookie" in request for request in fresh.requests)
