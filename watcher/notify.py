"""Delivery: rendered messages go to Slack (bot token or webhook) or to the terminal.

`send()` never raises for Slack or network trouble. It returns a `Delivery` that says
what went wrong, so the caller leaves the alert pending and the next run sends it.
Short retries happen inside the run through slack-sdk's retry handlers; anything
longer (a long Retry-After, a Slack outage) is left to the next run.

The bot token and the webhook URL are secrets: they never appear in a `Delivery`, a
repr, or a log line, slack-sdk's own log lines included.
"""

from __future__ import annotations

import http.client
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.error import URLError
from urllib.parse import urlsplit

from rich.console import Console, Group, RenderableType
from rich.emoji import Emoji
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import (
    BackoffRetryIntervalCalculator,
    ConnectionErrorRetryHandler,
    HttpRequest,
    HttpResponse,
    RateLimitErrorRetryHandler,
    RetryHandler,
    RetryState,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.jitter import Jitter, RandomJitter
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from watcher.config import ConfigError, SlackSettings
from watcher.render import Message, split_message

logger = logging.getLogger(__name__)


class SlackConfigError(ConfigError, ValueError):
    """Slack is half configured; the message names the setting to fix."""


@dataclass(frozen=True)
class Delivery:
    """What happened to one message.

    `fatal` marks a configuration problem retrying cannot fix; `error` says what to fix.
    """

    ok: bool
    ts: str | None = None
    error: str | None = None
    fatal: bool = False


class Notifier(Protocol):
    name: str

    def send(self, message: Message) -> Delivery: ...


# ---------------------------------------------------------------- retries


class _NoJitter(Jitter):
    def recalculate(self, duration: float) -> float:
        return duration


class _ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Waits out a short Retry-After; a longer one is left for the next run."""

    def __init__(self, max_retry_count: int, max_wait: float, jitter: Jitter) -> None:
        super().__init__(max_retry_count)
        self.max_wait = max_wait
        self.jitter = jitter

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        wait = _retry_after(response)
        return wait is not None and wait <= self.max_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        time.sleep(self.jitter.recalculate(_retry_after(response) or 0))
        state.increment_current_attempt()


def _retry_after(response: HttpResponse | None) -> float | None:
    if response is None or response.status_code != 429:
        return None
    for name, values in response.headers.items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """Short retries inside one run, for connection errors, 5xx and short rate limits.

    Between attempts a send waits at most about retries × (max_retry_after + 1) seconds,
    on top of the client's timeout for each attempt.
    """

    retries: int = 2  # after the first attempt, whatever the mix of failures
    backoff: float = 0.5  # seconds before the first retry, doubled for each next one
    jitter: bool = True  # add up to 1 s at random (off in tests, to keep them exact)
    max_retry_after: float = 10.0  # seconds; a longer Retry-After is left for the next run

    def handlers(self) -> list[RetryHandler]:
        jitter = RandomJitter() if self.jitter else _NoJitter()
        interval = BackoffRetryIntervalCalculator(self.backoff, jitter)
        return [
            ConnectionErrorRetryHandler(self.retries, interval),
            ServerErrorRetryHandler(self.retries, interval),
            _ShortRateLimitRetryHandler(self.retries, self.max_retry_after, jitter),
        ]


# ---------------------------------------------------------------- secrets


def redact_webhook_url(url: str) -> str:
    """`https://hooks.slack.com/services/T…`: enough to recognise, not enough to use."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    shown = f"/{segments[0]}/{segments[1][:1]}…" if len(segments) > 1 else "/…"
    return f"{parts.scheme}://{parts.netloc}{shown}"


class _Redactor(logging.Filter):
    """Replaces known secrets in text and in log records passing through a logger."""

    def __init__(self) -> None:
        super().__init__()
        self._replacements: dict[str, str] = {}

    def add(self, secret: str, replacement: str) -> None:
        if len(secret) >= 6:  # a shorter "secret" would only garble ordinary text
            self._replacements[secret] = replacement

    def redact(self, text: str) -> str:
        replacements = self._replacements.copy()  # clients on other threads may add to it
        for secret in sorted(replacements, key=len, reverse=True):
            text = text.replace(secret, replacements[secret])
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True

    def guard(self, target: logging.Logger) -> None:
        if self not in target.filters:
            target.addFilter(self)


# One process-wide redactor: slack-sdk logs through module loggers shared by every client
# (its webhook client logs the full URL when it retries a connection error).
_REDACTOR = _Redactor()
_REDACTOR.guard(logger)


def _guard_token(token: str | None, client_logger: logging.Logger) -> None:
    if token:
        _REDACTOR.add(token, "xox…(redacted)")
    _REDACTOR.guard(client_logger)


def _guard_webhook(url: str, client_logger: logging.Logger) -> None:
    redacted = redact_webhook_url(url)
    _REDACTOR.add(url, redacted)
    path = urlsplit(url).path.strip("/")
    _REDACTOR.add(path.split("/", 1)[-1], "…(redacted)")  # e.g. T000/B000/XXXX in a path
    _REDACTOR.add(path.rsplit("/", 1)[-1], "…(redacted)")  # the final, secret segment
    _REDACTOR.guard(client_logger)


# ---------------------------------------------------------------- sending in parts


@dataclass(frozen=True)
class _Attempt:
    delivery: Delivery
    too_long: bool = False  # Slack refused the size: worth splitting


_MAX_SPLIT_DEPTH = 6  # 64 parts: more than any message of 50 blocks can need


def _send_in_parts(
    message: Message, post: Callable[[Message], _Attempt], depth: int = 0
) -> Delivery:
    """Post; when Slack refuses the size, halve the message and post the halves.

    Ok only when every part was accepted. A failure after the first half went out says
    so: sending the message again later posts that half a second time.
    """
    attempt = post(message)
    parts = split_message(message) if attempt.too_long and depth < _MAX_SPLIT_DEPTH else None
    if parts is None:
        return attempt.delivery
    logger.info("Slack refused a message as too long; sending it in two parts")
    first = _send_in_parts(parts[0], post, depth + 1)
    if not first.ok:
        return first
    second = _send_in_parts(parts[1], post, depth + 1)
    if not second.ok:
        error = f"{second.error} (the message's first part was already posted)"
        return Delivery(ok=False, error=error, fatal=second.fatal)
    return Delivery(ok=True, ts=first.ts)


def _logged(delivery: Delivery, destination: str) -> Delivery:
    if not delivery.ok:
        log = logger.error if delivery.fatal else logger.warning
        log("Delivery to %s failed: %s", destination, delivery.error)
    return delivery


# What a send can raise short of a bug here: slack-sdk's errors, socket and HTTP trouble
# (timeouts included), and ValueError for a URL urllib cannot use.
_NETWORK_ERRORS = (SlackClientError, OSError, http.client.HTTPException, ValueError)


def _network_error(exc: BaseException) -> str:
    timed_out = isinstance(exc, TimeoutError) or (
        isinstance(exc, URLError) and isinstance(exc.reason, TimeoutError)
    )
    if timed_out:
        return "timed out waiting for Slack; left pending for the next run"
    if isinstance(exc, URLError):
        return f"could not reach Slack ({exc.reason}); left pending for the next run"
    return f"could not talk to Slack ({type(exc).__name__}: {exc}); left pending"


def _rate_limited(wait: str | None) -> str:
    asked = f", Slack asked to wait {wait} s" if wait else ""
    return f"rate limited by Slack (HTTP 429{asked}); left pending for the next run"


_TOO_LONG = frozenset({"msg_too_long", "msg_blocks_too_long", "invalid_blocks"})


# ---------------------------------------------------------------- bot token


_TOKEN_FIX = "set SLACK_BOT_TOKEN to a valid bot token (xoxb-…) for this workspace"
_WEB_FATAL = {
    "invalid_auth": f"Slack rejected the bot token (invalid_auth): {_TOKEN_FIX}",
    "not_authed": f"no bot token reached Slack (not_authed): {_TOKEN_FIX}",
    "token_revoked": f"the bot token was revoked (token_revoked): {_TOKEN_FIX}",
    "token_expired": f"the bot token expired (token_expired): {_TOKEN_FIX}",
    "account_inactive": f"the bot's account is inactive (account_inactive): {_TOKEN_FIX}",
    "missing_scope": "the bot token lacks the chat:write scope (missing_scope): "
    "add it in the Slack app settings and reinstall the app",
    "channel_not_found": "Slack has no channel {channel} the bot can see (channel_not_found): "
    "set slack.channel in config.toml to the channel's ID (e.g. C0123ABC)",
    "not_in_channel": "the bot is not a member of channel {channel} (not_in_channel): "
    "invite it with /invite @your-bot in that channel, or change slack.channel",
    "is_archived": "channel {channel} is archived (is_archived): "
    "unarchive it or set slack.channel to another channel",
}


class SlackWebNotifier:
    """Posts with chat.postMessage: bot token plus channel."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self.name = f"slack:{channel}"
        self._client = client
        self._channel = channel
        _guard_token(client.token, client.logger)

    def __repr__(self) -> str:
        return f"SlackWebNotifier(channel={self._channel!r})"

    def send(self, message: Message) -> Delivery:
        return _logged(_send_in_parts(message, self._post), self.name)

    def _post(self, message: Message) -> _Attempt:
        try:
            response = self._client.chat_postMessage(
                channel=self._channel,
                text=message.text,
                blocks=list(message.blocks) or None,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            return self._refused(exc.response)
        except _NETWORK_ERRORS as exc:
            return _Attempt(Delivery(ok=False, error=_REDACTOR.redact(_network_error(exc))))
        ts = response.get("ts")
        return _Attempt(Delivery(ok=True, ts=str(ts) if ts else None))

    def _refused(self, response: SlackResponse) -> _Attempt:
        status = response.status_code
        data = response.data if isinstance(response.data, dict) else {}
        code = str(data.get("error") or f"HTTP {status}")
        if status == 429:
            error = _rate_limited(_header(response.headers, "retry-after"))
        elif code in _WEB_FATAL:
            error = _WEB_FATAL[code].format(channel=self._channel)
            return _Attempt(Delivery(ok=False, error=_REDACTOR.redact(error), fatal=True))
        elif code in _TOO_LONG:
            error = f"Slack refused the message as too long or malformed ({code})"
        elif status >= 500:
            error = f"Slack server error (HTTP {status}); left pending for the next run"
        else:
            error = f"Slack refused the message: {_clip(code)} (HTTP {status})"
        return _Attempt(Delivery(ok=False, error=_REDACTOR.redact(error)), code in _TOO_LONG)


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _clip(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- incoming webhook


_WEBHOOK_FIX = "create a new Incoming Webhook in the Slack app and set SLACK_WEBHOOK_URL to it"
_WEBHOOK_FATAL = {
    "no_service": "Slack no longer knows this webhook (no_service)",
    "no_active_hooks": "this webhook is turned off (no_active_hooks)",
    "invalid_token": "Slack rejected this webhook (invalid_token)",
    "channel_not_found": "the webhook's channel no longer exists (channel_not_found)",
    "channel_is_archived": "the webhook's channel is archived (channel_is_archived)",
    "action_prohibited": "an admin blocked this webhook (action_prohibited)",
    "team_disabled": "the Slack workspace is disabled (team_disabled)",
}


class WebhookNotifier:
    """Posts to an Incoming Webhook URL (a secret: never shown in full)."""

    name = "slack-webhook"

    def __init__(self, client: WebhookClient) -> None:
        self._client = client
        _guard_webhook(client.url, client.logger)

    def __repr__(self) -> str:
        return f"WebhookNotifier(url={redact_webhook_url(self._client.url)!r})"

    def send(self, message: Message) -> Delivery:
        return _logged(_send_in_parts(message, self._post), self.name)

    def _post(self, message: Message) -> _Attempt:
        try:
            response = self._client.send(
                text=message.text,
                blocks=list(message.blocks) or None,
                unfurl_links=False,
                unfurl_media=False,
            )
        except _NETWORK_ERRORS as exc:
            return _Attempt(Delivery(ok=False, error=_REDACTOR.redact(_network_error(exc))))
        body = (response.body or "").strip()
        status = response.status_code
        if status == 200 and body == "ok":
            return _Attempt(Delivery(ok=True))
        return _webhook_refused(status, body, response.headers)


def _webhook_refused(status: int, body: str, headers: Mapping[str, Any]) -> _Attempt:
    if status == 429:
        error = _rate_limited(_header(headers, "retry-after"))
    elif body in _WEBHOOK_FATAL or status in (403, 404, 410):
        reason = _WEBHOOK_FATAL.get(body, f"Slack refused the webhook (HTTP {status})")
        return _Attempt(Delivery(ok=False, error=f"{reason}: {_WEBHOOK_FIX}", fatal=True))
    elif status >= 500:
        error = f"Slack server error (HTTP {status}); left pending for the next run"
    else:
        error = f"Slack refused the message: {_clip(body) or 'no reason given'} (HTTP {status})"
    return _Attempt(Delivery(ok=False, error=_REDACTOR.redact(error)), body in _TOO_LONG)


# ---------------------------------------------------------------- terminal


class ConsoleNotifier:
    """Prints messages as a readable rendering of their blocks; always succeeds."""

    name = "console"

    def __init__(self, console: Console) -> None:
        self._console = console

    def send(self, message: Message) -> Delivery:
        if not message.blocks:
            self._console.print(_mrkdwn(message.text))
        for block in message.blocks:
            self._console.print(_terminal_block(block))
        self._console.print(Rule(style="dim"))
        return Delivery(ok=True)


def _terminal_block(block: Mapping[str, Any]) -> RenderableType:
    kind = block.get("type")
    if kind == "header":
        return Text(Emoji.replace(block["text"]["text"]), style="bold underline")
    if kind == "section":
        text = _mrkdwn(block.get("text", {}).get("text", ""))
        fields = [_mrkdwn(field.get("text", "")) for field in block.get("fields", [])]
        return Group(text, _fields(fields)) if fields else text
    if kind == "context":
        text = Text(style="dim")
        for number, element in enumerate(block.get("elements", [])):
            if number:
                text.append(" · ")
            text.append_text(_mrkdwn(element.get("text", "")))
        return text
    if kind == "divider":
        return Rule(style="dim")
    return Text(f"[{kind} block]", style="dim")


def _fields(fields: list[Text]) -> Table:
    """A section's fields two to a row, as Slack lays them out."""
    grid = Table.grid(padding=(0, 4))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    for start in range(0, len(fields), 2):
        grid.add_row(*fields[start : start + 2])
    return grid


_INLINE = re.compile(
    r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>"
    r"|(?P<emoji>:[a-z0-9_+\-]+:)"
    r"|\*(?P<bold>[^*\n]+)\*"
    r"|~(?P<strike>[^~\n]+)~"
    r"|_(?P<italic>[^_\n]+)_"
    r"|`(?P<code>[^`\n]+)`"
)
_STYLES = {"bold": "bold", "strike": "strike red", "italic": "italic", "code": "reverse"}


def _mrkdwn(source: str) -> Text:
    """Slack mrkdwn as rich Text: styles applied, links as "label (url)", quotes barred."""
    text = Text()
    for number, line in enumerate(source.split("\n")):
        if number:
            text.append("\n")
        if line.startswith(">"):
            text.append("│ ", style="dim")
            line = line[1:].lstrip(" ")
        position = 0
        for match in _INLINE.finditer(line):
            text.append(_plain(line[position : match.start()]))
            _append_inline(text, match)
            position = match.end()
        text.append(_plain(line[position:]))
    return text


def _append_inline(text: Text, match: re.Match[str]) -> None:
    if match["target"]:
        target, label = _plain(match["target"]), match["label"]
        if target.startswith(("!", "@", "#")):
            text.append("@" + target.lstrip("!@#"), style="bold")
        elif label:  # the URL shown too: not every terminal makes a link clickable
            text.append(f"{_plain(label)} ({target})", style=Style(underline=True, link=target))
        else:
            text.append(target, style=Style(underline=True, link=target))
        return
    if match["emoji"]:
        text.append(Emoji.replace(match["emoji"]))
        return
    for group, style in _STYLES.items():
        if match[group]:
            text.append(_plain(match[group]), style=style)


def _plain(source: str) -> str:
    return Emoji.replace(source.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


# ---------------------------------------------------------------- choosing


def notifier_from_env(
    environ: Mapping[str, str],
    settings: SlackSettings,
    console: Console,
    *,
    timeout: float = 30,
    retry: RetryPolicy = RetryPolicy(),  # frozen, so one shared default is safe
) -> Notifier:
    """Slack by bot token (SLACK_BOT_TOKEN + slack.channel), by webhook (SLACK_WEBHOOK_URL),
    or the terminal when neither is set. The bot token wins when both are set.
    """
    token = environ.get("SLACK_BOT_TOKEN", "").strip()
    webhook_url = environ.get("SLACK_WEBHOOK_URL", "").strip()
    if token:
        if not settings.channel:
            raise SlackConfigError(
                'SLACK_BOT_TOKEN is set but slack.channel is not: add channel = "C0123ABC" '
                "(the channel's ID) under [slack] in config.toml"
            )
        client = WebClient(
            token=token,
            base_url=settings.api_url,
            timeout=timeout,  # type: ignore[arg-type]  # urllib takes float seconds
            retry_handlers=retry.handlers(),
        )
        return SlackWebNotifier(client, settings.channel)
    if webhook_url:
        if urlsplit(webhook_url).scheme not in ("https", "http"):
            raise SlackConfigError("SLACK_WEBHOOK_URL must be an https:// Incoming Webhook URL")
        webhook = WebhookClient(
            webhook_url,
            timeout=timeout,  # type: ignore[arg-type]  # urllib takes float seconds
            retry_handlers=retry.handlers(),
        )
        return WebhookNotifier(webhook)
    return ConsoleNotifier(console)
