"""A fake Slack for tests: a real threaded HTTP server on 127.0.0.1 (port 0).

It answers `POST /api/chat.postMessage` (JSON or form body, Bearer token), keeping
each message's metadata, `conversations.history` (newest first, `oldest`, `limit`,
`cursor`, metadata only with `include_all_metadata`; `missing_scope` when told it
lacks the history scope) and one Incoming Webhook path. It records every attempt and
every accepted message, can be told to fail the next calls (429 + Retry-After, 5xx, a
delay, a Slack error) or to answer every call late (`hang`), and checks Slack's Block
Kit limits itself so tests prove our messages fit. A message's ts is the time Slack
took it, as Slack's are.

Use the `fake_slack` fixture, or `FakeSlack()` as a context manager.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

DEFAULT_TOKEN = "xoxb-000000000000-fake-bot-token-for-tests"
DEFAULT_WEBHOOK_PATH = "/webhook/T000/B000/XXX"

# Slack's documented limits.
MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_TEXT = 40_000


@dataclass(frozen=True)
class Failure:
    """How to answer one call instead of accepting it."""

    status: int | None = None  # HTTP status; None: 200 for API errors, 400 for webhooks
    error: str | None = None  # Slack error code, e.g. "invalid_auth", "no_service"
    body: str | None = None  # raw body, overriding the default one
    retry_after: int | None = None  # seconds, sent as Retry-After
    delay: float = 0.0  # seconds to wait before answering (client timeouts)


def limit_error(payload: dict[str, Any], *, max_blocks: int = MAX_BLOCKS) -> str | None:
    """The error Slack would answer for a message breaking its limits, or None."""
    text = payload.get("text") or ""
    blocks = payload.get("blocks") or []
    if not text and not blocks:
        return "no_text"
    if len(text) > MAX_TEXT:
        return "msg_too_long"
    if len(blocks) > max_blocks:
        return "invalid_blocks"
    if any(_block_error(block) for block in blocks):
        return "invalid_blocks"
    return None


def _block_error(block: dict[str, Any]) -> bool:
    kind = block.get("type")
    if kind == "header":
        text = block.get("text", {})
        return text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= MAX_HEADER
    if kind == "section":
        text = block.get("text", {}).get("text")
        fields = block.get("fields", [])
        if text is None and not fields:
            return True
        too_long = text is not None and not 0 < len(text) <= MAX_SECTION_TEXT
        bad_fields = len(fields) > MAX_FIELDS or any(
            len(f.get("text", "")) > MAX_FIELD_TEXT for f in fields
        )
        return too_long or bad_fields
    if kind == "context":
        elements = block.get("elements", [])
        return not 0 < len(elements) <= MAX_CONTEXT_ELEMENTS or any(
            len(e.get("text", "")) > MAX_SECTION_TEXT for e in elements
        )
    return kind != "divider"


class FakeSlack:
    """The server, what it received, and the failures it has been told to answer."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        webhook_path: str = DEFAULT_WEBHOOK_PATH,
        enforce_limits: bool = True,
        max_blocks: int = MAX_BLOCKS,
    ) -> None:
        self.token = token
        self.webhook_path = webhook_path
        self.enforce_limits = enforce_limits
        self.max_blocks = max_blocks
        self.history_scope = True  # False: conversations.history answers missing_scope
        self.hang = 0.0  # seconds to wait before answering every call (a Slack timing out)
        self.post_delay = 0.0  # seconds between taking a message and answering (the window)
        self._last_ts = 0.0
        self.webhook_paths = {webhook_path}  # more with `add_webhook` (one per route)
        self.broken_channels: dict[str, str] = {}  # channel -> the error every post there gets
        self.messages: list[dict[str, Any]] = []  # accepted: via, channel, text, blocks
        self.attempts: list[dict[str, Any]] = []  # every request: path, headers, payload
        self._failures: deque[Failure | None] = deque()  # None: accept this call
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a delayed answer must not hold up teardown
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.webhook_path}"

    def add_webhook(self, path: str) -> str:
        """Another Incoming Webhook this server answers; its URL."""
        self.webhook_paths.add(path)
        return f"http://127.0.0.1:{self.port}{path}"

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        """The messages a channel shows (thread replies only when also sent to it)."""
        return [
            m
            for m in self.messages
            if m["channel"] == channel and (not m["thread_ts"] or _truthy(m["reply_broadcast"]))
        ]

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int | None = None,
        error: str | None = None,
        body: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        after: int = 0,
    ) -> None:
        """Answer the next `count` calls with this failure (a delay alone: answer late).

        `after`: accept that many calls normally first (an outage part-way through).
        """
        with self._lock:
            self._failures.extend([None] * after)
            self._failures.extend([Failure(status, error, body, retry_after, delay)] * count)

    def recover(self) -> None:
        """Drop the failures not yet used: the outage is over."""
        with self._lock:
            self._failures.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- answering (runs on the server's threads)

    def _next_failure(self) -> Failure | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def _record(self, kind: str, item: dict[str, Any]) -> None:
        with self._lock:
            (self.messages if kind == "message" else self.attempts).append(item)

    def _new_ts(self) -> str:
        with self._lock:
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            return f"{self._last_ts:.6f}"

    def answer_api(self, method: str, headers: dict[str, str], payload: dict[str, Any]) -> _Answer:
        if self.hang:  # Slack timing out: the caller gives up first; nothing is taken
            time.sleep(self.hang)
            return _Answer(504, "Gateway Timeout", "text/plain")
        failure = self._next_failure()
        if failure and failure.delay:
            time.sleep(failure.delay)
        if failure and (failure.status or failure.error or failure.body):
            return _api_failure(failure)
        auth = headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth else payload.get("token", "")
        if not token:
            return _json(200, {"ok": False, "error": "not_authed"})
        if token != self.token:
            return _json(200, {"ok": False, "error": "invalid_auth"})
        if method in ("conversations.history", "conversations.replies"):
            return self._history(payload) if method.endswith("history") else self._replies(payload)
        if payload.get("channel") in self.broken_channels:
            return _json(200, {"ok": False, "error": self.broken_channels[payload["channel"]]})
        error = limit_error(payload, max_blocks=self.max_blocks) if self.enforce_limits else None
        if error:
            return _json(200, {"ok": False, "error": error})
        ts = self._new_ts()
        self._record("message", _message("api", payload, ts))
        if self.post_delay:
            time.sleep(self.post_delay)
        return _json(200, {"ok": True, "channel": payload.get("channel"), "ts": ts})

    def _history(self, payload: dict[str, Any]) -> _Answer:
        if not self.history_scope:
            return _json(200, {"ok": False, "error": "missing_scope", "needed": "channels:history"})
        oldest = float(payload.get("oldest") or 0)
        with self._lock:
            found = [
                m
                for m in reversed(self.messages)
                if m["via"] == "api"
                and m["channel"] == payload.get("channel")
                and float(m["ts"]) > oldest
                and (not m["thread_ts"] or _truthy(m["reply_broadcast"]))
            ]
        start = int(payload.get("cursor") or 0)
        limit = int(payload.get("limit") or 100)
        metadata = str(payload.get("include_all_metadata")).lower() in ("true", "1")
        page = [_history_item(m, metadata) for m in found[start : start + limit]]
        more = start + limit < len(found)
        cursor = {"next_cursor": str(start + limit) if more else ""}
        return _json(
            200, {"ok": True, "messages": page, "has_more": more, "response_metadata": cursor}
        )

    def _replies(self, payload: dict[str, Any]) -> _Answer:
        """A thread: its first message and its replies, oldest first (one page)."""
        if not self.history_scope:
            return _json(200, {"ok": False, "error": "missing_scope", "needed": "channels:history"})
        root, oldest = str(payload.get("ts")), float(payload.get("oldest") or 0)
        with self._lock:
            found = [
                m
                for m in self.messages
                if m["via"] == "api"
                and m["channel"] == payload.get("channel")
                and (m["ts"] == root or m["thread_ts"] == root)
                and float(m["ts"]) > oldest
            ]
        metadata = str(payload.get("include_all_metadata")).lower() in ("true", "1")
        page = [_history_item(m, metadata) for m in found]
        return _json(200, {"ok": True, "messages": page, "has_more": False})

    def answer_webhook(self, path: str, payload: dict[str, Any]) -> _Answer:
        if self.hang:
            time.sleep(self.hang)
            return _Answer(504, "Gateway Timeout", "text/html")
        failure = self._next_failure()
        if failure and failure.delay:
            time.sleep(failure.delay)
        if failure and (failure.status or failure.error or failure.body):
            status = failure.status or 400
            body = failure.body or failure.error or "error"
            return _Answer(status, body, "text/html", _retry_after(failure))
        if path not in self.webhook_paths:
            return _Answer(404, "no_service", "text/html")
        if path in self.broken_channels:
            return _Answer(404, self.broken_channels[path], "text/html")
        error = limit_error(payload, max_blocks=self.max_blocks) if self.enforce_limits else None
        if error:
            return _Answer(400, error, "text/html")
        self._record("message", {**_message("webhook", payload, None), "path": path})
        if self.post_delay:
            time.sleep(self.post_delay)
        return _Answer(200, "ok", "text/html")


@dataclass(frozen=True)
class _Answer:
    status: int
    body: str
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


def _json(status: int, data: dict[str, Any], headers: tuple[tuple[str, str], ...] = ()) -> _Answer:
    return _Answer(status, json.dumps(data), "application/json; charset=utf-8", headers)


def _retry_after(failure: Failure) -> tuple[tuple[str, str], ...]:
    return (("Retry-After", str(failure.retry_after)),) if failure.retry_after is not None else ()


def _api_failure(failure: Failure) -> _Answer:
    status = failure.status or 200
    if failure.body is not None:
        return _Answer(status, failure.body, "text/plain", _retry_after(failure))
    if status >= 500:
        return _Answer(status, "Internal Server Error", "text/plain", _retry_after(failure))
    error = failure.error or ("ratelimited" if status == 429 else "fatal_error")
    return _json(status, {"ok": False, "error": error}, _retry_after(failure))


def _message(via: str, payload: dict[str, Any], ts: str | None) -> dict[str, Any]:
    return {
        "via": via,
        "ts": ts,
        "channel": payload.get("channel"),
        "text": payload.get("text"),
        "blocks": payload.get("blocks") or [],
        "unfurl_links": payload.get("unfurl_links"),
        "metadata": _metadata(payload.get("metadata")),
        "thread_ts": payload.get("thread_ts"),
        "reply_broadcast": payload.get("reply_broadcast"),
    }


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


def _metadata(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):  # a form body carries it as JSON text
        value = json.loads(value)
    return value if isinstance(value, dict) else None


def _history_item(message: dict[str, Any], metadata: bool) -> dict[str, Any]:
    item = {"type": "message", "ts": message["ts"], "text": message["text"]}
    if metadata and message["metadata"]:
        item["metadata"] = message["metadata"]
    return item


def _parse_body(content_type: str, raw: bytes) -> dict[str, Any]:
    if "json" in content_type:
        data = json.loads(raw or b"{}")
        return data if isinstance(data, dict) else {}
    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
    payload: dict[str, Any] = dict(form)
    if isinstance(form.get("blocks"), str):
        payload["blocks"] = json.loads(form["blocks"])
    return payload


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            payload = {k: v[0] for k, v in parse_qs(query).items()}
            self._answer(path, payload)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            payload = _parse_body(self.headers.get("Content-Type", ""), raw)
            path, _, query = self.path.partition("?")
            payload.update({k: v[0] for k, v in parse_qs(query).items()})
            self._answer(path, payload)

        def _answer(self, path: str, payload: dict[str, Any]) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake._record("attempt", {"path": path, "headers": headers, "payload": payload})
            if path in (
                "/api/chat.postMessage",
                "/api/conversations.history",
                "/api/conversations.replies",
            ):
                answer = fake.answer_api(path.removeprefix("/api/"), headers, payload)
            elif path.startswith("/api/"):
                answer = _json(404, {"ok": False, "error": "unknown_method"})
            else:  # any other path is a webhook: the right one, or Slack's no_service
                answer = fake.answer_webhook(path, payload)
            self._write(answer)

        def _write(self, answer: _Answer) -> None:
            body = answer.body.encode("utf-8")
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A running fake Slack, shut down after the test."""
    with FakeSlack() as server:
        yield server
