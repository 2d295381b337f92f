"""Delivery: rendered messages go to Slack (bot token or webhook) or to the terminal.

`send()` never raises for Slack or network trouble. It returns a `Delivery` that says
what went wrong, so the caller leaves the alert pending and the next run sends it.
Short retries happen inside the run through slack-sdk's retry handlers (`slack_retry`);
anything longer (a long Retry-After, a Slack outage) is left to the next run.

The bot token and the webhook URL are secrets: they never appear in a `Delivery`, a
repr, or a log line, slack-sdk's own log lines included (`redact`).
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.error import URLError
from urllib.parse import urlsplit

from rich.console import Console
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from watcher.config import ConfigError, SlackSettings
from watcher.hosts import is_loopback
from watcher.notify.console import print_message
from watcher.notify.message import Message, split_message
from watcher.notify.readback import (
    HISTORY_PAGE,
    MAX_HISTORY_PAGES,
    UNAVAILABLE,
    UNREADABLE,
    Readback,
    oldest,
    posted_ids,
)
from watcher.notify.redact import REDACTOR, guard_token, guard_webhook, redact_webhook_url
from watcher.notify.retry import RetryPolicy

logger = logging.getLogger(__name__)
REDACTOR.guard(logger)


# Seconds for one Slack request. Short, so a stop (SIGTERM) waits at most this long for
# the message in flight; Slack answers in well under a second. A post that times out
# after Slack took it is found by the read-back (bot token) or repeated once (webhook).
SLACK_TIMEOUT = 5.0


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
        guard_token(client.token, client.logger)

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
                metadata=message.metadata,
            )
        except SlackApiError as exc:
            return self._refused(exc.response)
        except _NETWORK_ERRORS as exc:
            return _Attempt(Delivery(ok=False, error=REDACTOR.redact(_network_error(exc))))
        ts = response.get("ts")
        return _Attempt(Delivery(ok=True, ts=str(ts) if ts else None))

    def read_back(self, since: datetime) -> Readback:
        """Which outbox rows reached the channel since `since` (see `readback`)."""
        found: list[dict[str, Any]] = []
        cursor = None
        try:
            for _ in range(MAX_HISTORY_PAGES):
                page = self._client.conversations_history(
                    channel=self._channel,
                    oldest=oldest(since),
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
                found += [m for m in page.get("messages") or [] if isinstance(m, dict)]
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
        except SlackApiError as exc:
            return _history_refused(exc.response)
        except _NETWORK_ERRORS as exc:
            return Readback(error=REDACTOR.redact(_network_error(exc)))
        return Readback(posted=posted_ids(found))

    def _refused(self, response: SlackResponse) -> _Attempt:
        status = response.status_code
        data = response.data if isinstance(response.data, dict) else {}
        code = str(data.get("error") or f"HTTP {status}")
        if status == 429:
            error = _rate_limited(_header(response.headers, "retry-after"))
        elif code in _WEB_FATAL:
            error = _WEB_FATAL[code].format(channel=self._channel)
            return _Attempt(Delivery(ok=False, error=REDACTOR.redact(error), fatal=True))
        elif code in _TOO_LONG:
            error = f"Slack refused the message as too long or malformed ({code})"
        elif status >= 500:
            error = f"Slack server error (HTTP {status}); left pending for the next run"
        else:
            error = f"Slack refused the message: {_clip(code)} (HTTP {status})"
        return _Attempt(Delivery(ok=False, error=REDACTOR.redact(error)), code in _TOO_LONG)


def _history_refused(response: SlackResponse) -> Readback:
    data = response.data if isinstance(response.data, dict) else {}
    code = str(data.get("error") or f"HTTP {response.status_code}")
    if code in UNREADABLE:
        return Readback(unavailable=UNAVAILABLE.format(code=code))
    reason = f"could not read Slack's history to check for a message already posted ({code})"
    return Readback(error=REDACTOR.redact(f"{reason}; left pending for the next run"))


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
        guard_webhook(client.url, client.logger)

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
            return _Attempt(Delivery(ok=False, error=REDACTOR.redact(_network_error(exc))))
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
    return _Attempt(Delivery(ok=False, error=REDACTOR.redact(error)), body in _TOO_LONG)


# ---------------------------------------------------------------- terminal


class ConsoleNotifier:
    """Prints messages as a readable rendering of their blocks; always succeeds."""

    name = "console"

    def __init__(self, console: Console) -> None:
        self._console = console

    def send(self, message: Message) -> Delivery:
        print_message(self._console, message)
        return Delivery(ok=True)


# ---------------------------------------------------------------- choosing


def notifier_from_env(
    environ: Mapping[str, str],
    settings: SlackSettings,
    console: Console,
    *,
    timeout: float = SLACK_TIMEOUT,
    retry: RetryPolicy = RetryPolicy(),  # frozen, so one shared default is safe
    should_stop: Callable[[], bool] = lambda: False,
) -> Notifier:
    """Slack by bot token (SLACK_BOT_TOKEN + slack.channel), by webhook (SLACK_WEBHOOK_URL),
    or the terminal when neither is set. The bot token wins when both are set.

    `should_stop`: once it says yes, no post is retried and no retry wait goes on.
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
            retry_handlers=retry.handlers(should_stop),
        )
        return SlackWebNotifier(client, settings.channel)
    if webhook_url:
        if not _webhook_scheme_ok(webhook_url):
            raise SlackConfigError(
                "SLACK_WEBHOOK_URL must be an https:// Incoming Webhook URL "
                "(plain http would send every message, and the URL itself, unencrypted)"
            )
        webhook = WebhookClient(
            webhook_url,
            timeout=timeout,  # type: ignore[arg-type]  # urllib takes float seconds
            retry_handlers=retry.handlers(should_stop),
        )
        return WebhookNotifier(webhook)
    return ConsoleNotifier(console)


def _webhook_scheme_ok(url: str) -> bool:
    """https, or plain http to this machine only (a local relay or test server)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme == "https":
        return bool(host)
    return parts.scheme == "http" and is_loopback(host)
