"""Delivery to Slack, by bot token (`SlackWebNotifier`) or by webhook (`WebhookNotifier`).

Imported only when Slack is configured: slack-sdk costs a start without Slack ~0.1 s.
Short retries happen inside the run through slack-sdk's retry handlers (`slack_retry`);
anything longer (a long Retry-After, a Slack outage) is left to the next run.

The bot token and the webhook URL are secrets: they never appear in a `Delivery`, a
repr, or a log line, slack-sdk's own log lines included (`redact`).
"""

from __future__ import annotations

import http.client
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from watcher.notify.message import Message, split_message
from watcher.notify.readback import (
    HISTORY_PAGE,
    MAX_HISTORY_PAGES,
    UNAVAILABLE,
    UNREADABLE,
    Readback,
    half_metadata,
    oldest,
    posted_ids,
    unfinished_openers,
)
from watcher.notify.redact import REDACTOR, guard_token, guard_webhook, redact_webhook_url
from watcher.notify.senders import Delivery

logger = logging.getLogger(__name__)
REDACTOR.guard(logger)


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
    halves = [replace(p, metadata=half_metadata(p.metadata, side)) for side, p in enumerate(parts)]
    first = _send_in_parts(halves[0], post, depth + 1)
    if not first.ok:
        return first
    second = _send_in_parts(halves[1].continued_under(first.ts), post, depth + 1)
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
    "set {setting} in config.toml to the channel's ID (e.g. C0123ABC)",
    "not_in_channel": "the bot is not a member of channel {channel} (not_in_channel): "
    "invite it with /invite @your-bot in that channel, or change {setting}",
    "is_archived": "channel {channel} is archived (is_archived): "
    "unarchive it or set {setting} to another channel",
}


class SlackWebNotifier:
    """Posts with chat.postMessage: bot token plus channel."""

    def __init__(self, client: WebClient, channel: str, setting: str = "slack.channel") -> None:
        self.name = f"slack:{channel}"
        self._client = client
        self._channel = channel
        self._setting = setting  # the config key naming the channel, for error messages
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
                thread_ts=message.thread_ts,
                reply_broadcast=message.reply_broadcast if message.thread_ts else None,
            )
        except SlackApiError as exc:
            return self._refused(exc.response)
        except _NETWORK_ERRORS as exc:
            return _Attempt(Delivery(ok=False, error=REDACTOR.redact(_network_error(exc))))
        ts = response.get("ts")
        return _Attempt(Delivery(ok=True, ts=str(ts) if ts else None))

    def read_back(self, since: datetime, threads: Sequence[str] = ()) -> Readback:
        """Which outbox rows reached the channel since `since` (see `readback`).

        `threads`: the ts of threads replies may have gone to (replies not also sent to
        the channel are not in its history; `conversations.replies` has them).
        """
        found: list[dict[str, Any]] = []
        start = oldest(since)
        history = self._client.conversations_history
        replies = self._client.conversations_replies
        try:
            found += _paged(lambda cursor: history(**self._read(start, cursor)))
            for root in dict.fromkeys([*threads, *unfinished_openers(found)]):
                found += _paged(partial(self._replies, replies, root, start))
        except SlackApiError as exc:
            return _history_refused(exc.response)
        except _NETWORK_ERRORS as exc:
            return Readback(error=REDACTOR.redact(_network_error(exc)))
        return Readback(posted=posted_ids(found))

    def _replies(
        self, replies: Callable[..., SlackResponse], root: str, start: str, cursor: str | None
    ) -> SlackResponse:
        return replies(ts=root, **self._read(start, cursor))

    def _read(self, start: str, cursor: str | None) -> dict[str, Any]:
        """The arguments of one page of history (or of a thread) from `start` on."""
        return {
            "channel": self._channel,
            "oldest": start,
            "include_all_metadata": True,
            "limit": HISTORY_PAGE,
            "cursor": cursor,
        }

    def _refused(self, response: SlackResponse) -> _Attempt:
        status = response.status_code
        data = response.data if isinstance(response.data, dict) else {}
        code = str(data.get("error") or f"HTTP {status}")
        if status == 429:
            error = _rate_limited(_header(response.headers, "retry-after"))
        elif code in _WEB_FATAL:
            error = _WEB_FATAL[code].format(channel=self._channel, setting=self._setting)
            return _Attempt(Delivery(ok=False, error=REDACTOR.redact(error), fatal=True))
        elif code in _TOO_LONG:
            error = f"Slack refused the message as too long or malformed ({code})"
        elif status >= 500:
            error = f"Slack server error (HTTP {status}); left pending for the next run"
        else:
            error = f"Slack refused the message: {_clip(code)} (HTTP {status})"
        return _Attempt(Delivery(ok=False, error=REDACTOR.redact(error)), code in _TOO_LONG)


def _paged(read: Callable[[str | None], SlackResponse]) -> list[dict[str, Any]]:
    """Up to `MAX_HISTORY_PAGES` pages of messages, following Slack's cursors."""
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_HISTORY_PAGES):
        page = read(cursor)
        found += [m for m in page.get("messages") or [] if isinstance(m, dict)]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return found


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
