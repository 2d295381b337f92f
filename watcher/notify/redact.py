"""Slack's secrets kept out of sight: the webhook URL shortened, tokens scrubbed from logs.

The bot token and the webhook URL never appear in a `Delivery`, a repr, or a log
line, slack-sdk's own log lines included. Nor does the password of a URL that carries
one (`http://user:password@proxy:3128`, a proxy from the environment).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from watcher.config import mask_secrets


def redact_every_log_record() -> None:
    """Mask Slack secrets in every log record the process makes, whatever its logger.

    A filter on one logger misses its children and third-party loggers; a record
    factory sees every record before any handler (or a test's capture) does.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "redacting", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = current(*args, **kwargs)
        REDACTOR.filter(record)
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def redact_secrets(text: str) -> str:
    """Text safe to print, log or store: every Slack secret in it masked."""
    return REDACTOR.redact(text)


def redact_webhook_url(url: str) -> str:
    """`https://hooks.slack.com/services/T…`: enough to recognise, not enough to use."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    shown = f"/{segments[0]}/{segments[1][:1]}…" if len(segments) > 1 else "/…"
    return f"{parts.scheme}://{parts.netloc}{shown}"


# The password in a URL's user information: `scheme://user:password@host`.
_URL_PASSWORD = re.compile(r"(?<=://)([^\s/?#@:]*):[^\s/?#@]+@")


class Redactor(logging.Filter):
    """Replaces known secrets in text and in log records passing through a logger."""

    def __init__(self) -> None:
        super().__init__()
        self._replacements: dict[str, str] = {}

    def add(self, secret: str, replacement: str) -> None:
        if len(secret) >= 6:  # a shorter "secret" would only garble ordinary text
            self._replacements[secret] = replacement

    def redact(self, text: str) -> str:
        """Anything shaped like a Slack secret masked, then the known secrets replaced.

        Shapes first: a known secret that is a prefix of a longer token would otherwise
        cut that token in two, and its rest would no longer look like one.
        """
        text = mask_secrets(text)
        if "@" in text:
            text = _URL_PASSWORD.sub(r"\1:…(redacted)@", text)
        replacements = self._replacements.copy()  # clients on other threads may add to it
        for secret in sorted(replacements, key=len, reverse=True):
            text = text.replace(secret, replacements[secret])
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # A traceback's text can carry a token too (a URL in an exception message).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
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
