"""Slack's secrets kept out of sight: the webhook URL shortened, tokens scrubbed from logs.

The bot token and the webhook URL never appear in a `Delivery`, a repr, or a log
line, slack-sdk's own log lines included.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit


def redact_webhook_url(url: str) -> str:
    """`https://hooks.slack.com/services/T…`: enough to recognise, not enough to use."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    shown = f"/{segments[0]}/{segments[1][:1]}…" if len(segments) > 1 else "/…"
    return f"{parts.scheme}://{parts.netloc}{shown}"


class Redactor(logging.Filter):
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
REDACTOR = Redactor()


def guard_token(token: str | None, client_logger: logging.Logger) -> None:
    """Keep a bot token out of the client's log lines (and out of any text redacted)."""
    if token:
        REDACTOR.add(token, "xox…(redacted)")
    REDACTOR.guard(client_logger)


def guard_webhook(url: str, client_logger: logging.Logger) -> None:
    """Keep a webhook URL, and its secret path, out of the client's log lines."""
    redacted = redact_webhook_url(url)
    REDACTOR.add(url, redacted)
    path = urlsplit(url).path.strip("/")
    REDACTOR.add(path.split("/", 1)[-1], "…(redacted)")  # e.g. T000/B000/XXXX in a path
    REDACTOR.add(path.rsplit("/", 1)[-1], "…(redacted)")  # the final, secret segment
    REDACTOR.guard(client_logger)
