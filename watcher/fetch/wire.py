"""HTTP/1.1 on the wire through the standard library's `http.client`, as an httpx transport.

httpx still builds every request and reads every response (headers, decoding, the
stream the fetcher caps); this only moves the bytes, where httpcore and h11 spend most
of a fetch's CPU. Under the fetcher's four threads a request costs about a fifth
less CPU for a 304 and a third less for a 150 KB 200 (`python bench/http_client.py`).

What the transport promises, as httpx's does:

- keep-alive: a connection read to the end goes back to an idle pool per origin and is
  reused within `KEEPALIVE_EXPIRY`; one the server has closed (readable while idle) is
  dropped before it is used, and a GET whose reused connection turns out dead before
  any byte of the response came back is sent once more on a new one;
- httpx's timeouts: connect, then write and read, each bounding one wait on the socket;
- httpx's errors: `ConnectError`/`ConnectTimeout`, `WriteError`/`WriteTimeout`,
  `ReadError`/`ReadTimeout`, and `RemoteProtocolError` for anything the server got
  wrong, including a body that ends before its Content-Length or its last chunk
  (`http.client` itself would return a body cut short as if it were whole);
- up to `MAX_HEADER_LINES` header lines (http.client alone stops at 100);
- https verifies certificates and host names with httpx's trust store
  (`httpx.create_ssl_context`: certifi, or `SSL_CERT_FILE`).
"""

from __future__ import annotations

import http.client
import select
import ssl
import threading
import time
from collections.abc import Iterator

import httpx

# An idle connection older than this is closed rather than reused (httpx's default).
KEEPALIVE_EXPIRY = 5.0
# Idle connections kept per origin; the fetcher never has more in flight to one host.
MAX_IDLE = 8
_CHUNK = 64 * 1024
# http.client refuses a response with more than 100 header lines ("got more than 100
# headers"), where httpx's own transport reads any number: a page sent with many Link
# or Set-Cookie lines would fail on every run. The limit is module-wide, so it is raised
# here, never lowered; each line stays capped at http.client's 64 KiB.
MAX_HEADER_LINES = 256
if getattr(http.client, "_MAXHEADERS", MAX_HEADER_LINES) < MAX_HEADER_LINES:
    setattr(http.client, "_MAXHEADERS", MAX_HEADER_LINES)  # noqa: B010 (untyped private)

Origin = tuple[str, int]


class WireTransport(httpx.BaseTransport):
    """One scheme's connections ("http" or "https"); thread-safe."""

    def __init__(self, scheme: str, ssl_context: ssl.SSLContext | None = None) -> None:
        if scheme == "https" and ssl_context is None:
            raise ValueError("https needs an ssl_context")
        self.scheme = scheme
        self.ssl_context = ssl_context
        self._idle: dict[Origin, list[tuple[http.client.HTTPConnection, float]]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        default_port = 443 if self.scheme == "https" else 80
        origin = (request.url.raw_host.decode("ascii"), request.url.port or default_port)
        retry_stale = request.method in ("GET", "HEAD")
        while True:
            connection, reused = self._checkout(origin, timeouts.get("connect"))
            try:
                response = _exchange(connection, request, timeouts)
            except _DeadConnection as exc:
                connection.close()
                if reused and retry_stale:
                    retry_stale = False  # once: a second dead connection is the server's
                    continue
                raise httpx.RemoteProtocolError(str(exc), request=request) from exc
            except BaseException:
                connection.close()
                raise
            return httpx.Response(
                status_code=response.status,
                headers=[
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in response.getheaders()
                ],
                stream=_Body(self, origin, connection, response),
                extensions={
                    "http_version": b"HTTP/1.0" if response.version == 10 else b"HTTP/1.1",
                    "reason_phrase": response.reason.encode("latin-1", "replace"),
                },
            )

    def _checkout(
        self, origin: Origin, connect_timeout: float | None
    ) -> tuple[http.client.HTTPConnection, bool]:
        """A live idle connection to `origin`, or a new one; and whether it was reused."""
        now = time.monotonic()
        with self._lock:
            idle = self._idle.get(origin, [])
            while idle:
                connection, since = idle.pop()
                if now - since <= KEEPALIVE_EXPIRY and _still_open(connection):
                    return connection, True
                connection.close()
        return self._connect(origin, connect_timeout), False

    def _connect(self, origin: Origin, timeout: float | None) -> http.client.HTTPConnection:
        host, port = origin
        connection: http.client.HTTPConnection
        if self.scheme == "https":
            connection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=self.ssl_context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.auto_open = 0  # never reconnect behind the pool's back
        try:
            connection.connect()
        except TimeoutError as exc:
            connection.close()
            raise httpx.ConnectTimeout(str(exc) or "timed out connecting") from exc
        except OSError as exc:  # refused, unreachable, unresolvable, TLS refused
            connection.close()
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return connection

    def give_back(self, origin: Origin, connection: http.client.HTTPConnection) -> None:
        """A connection whose response was read to the end, for the next request."""
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if self._closed or connection.sock is None or len(idle) >= MAX_IDLE:
                connection.close()
            else:
                idle.append((connection, time.monotonic()))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection, _ in connections:
                connection.close()


class _DeadConnection(Exception):
    """The connection was gone before any byte of the response came back."""


def _exchange(
    connection: http.client.HTTPConnection,
    request: httpx.Request,
    timeouts: dict[str, float | None],
) -> http.client.HTTPResponse:
    """Send `request` and read the response's status line and headers."""
    sock = connection.sock
    assert sock is not None
    sock.settimeout(timeouts.get("write"))
    _send(connection, request)
    sock.settimeout(timeouts.get("read"))
    try:
        response = connection.getresponse()
    except http.client.RemoteDisconnected as exc:
        raise _DeadConnection("server closed the connection without a response") from exc
    except ConnectionResetError as exc:
        raise _DeadConnection(str(exc) or type(exc).__name__) from exc
    except TimeoutError as exc:
        raise httpx.ReadTimeout(str(exc) or "timed out reading", request=request) from exc
    except http.client.HTTPException as exc:  # a bad status line or headers
        raise httpx.RemoteProtocolError(_protocol_error(exc), request=request) from exc
    except OSError as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
    if response.status < 200:
        # http.client skips only 100 Continue: any other interim answer (103 Early
        # Hints) would come back as the answer, and the real one would be read as the
        # answer to the next request on this connection. Refused; the caller closes it.
        raise httpx.RemoteProtocolError(
            f"interim response {response.status} before the answer", request=request
        )
    return response


def _send(connection: http.client.HTTPConnection, request: httpx.Request) -> None:
    """The request line, httpx's headers as they are (Host included), and any body."""
    body = request.read()
    try:
        target = request.url.raw_path.decode("ascii")
        connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in request.headers.raw:
            connection.putheader(name.decode("latin-1"), value.decode("latin-1"))
        connection.endheaders(body or None)
    except ValueError as exc:  # a header or target http.client will not send
        raise httpx.LocalProtocolError(str(exc), request=request) from exc
    except TimeoutError as exc:
        raise httpx.WriteTimeout(str(exc) or "timed out writing", request=request) from exc
    except (BrokenPipeError, ConnectionResetError) as exc:
        raise _DeadConnection(str(exc) or type(exc).__name__) from exc
    except OSError as exc:
        raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc


class _Body(httpx.SyncByteStream):
    """A response's body as it arrives; the connection goes back to the pool once the
    body has been read to its end, and is closed if it is abandoned before that."""

    def __init__(
        self,
        transport: WireTransport,
        origin: Origin,
        connection: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
    ) -> None:
        self._transport = transport
        self._origin = origin
        self._connection: http.client.HTTPConnection | None = connection
        self._response = response
        self._complete = False

    def __iter__(self) -> Iterator[bytes]:
        response = self._response
        try:
            while chunk := response.read1(_CHUNK):
                yield chunk
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc) or "timed out reading") from exc
        except http.client.HTTPException as exc:  # a chunk cut short or garbled
            raise httpx.RemoteProtocolError(_protocol_error(exc)) from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
        # http.client ends a body cut short before its Content-Length quietly.
        if response.length:
            raise httpx.RemoteProtocolError(
                f"peer closed connection without sending complete message body "
                f"({response.length} bytes missing)"
            )
        self._complete = True

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        self._response.close()
        if self._complete and not self._response.will_close:
            self._transport.give_back(self._origin, connection)
        else:
            connection.close()


def _still_open(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection is still usable: nothing to read, so not closed by
    the server (a closed socket reads as readable, at its end)."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return not poller.poll(0)
        readable, _, _ = select.select([sock], [], [], 0)
        return not readable
    except (OSError, ValueError):
        return False


def _protocol_error(exc: Exception) -> str:
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text and text != name else name
