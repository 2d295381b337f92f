"""Choosing the notifier from the environment: Slack by bot token or webhook, or the terminal.

slack-sdk is imported here only when a token or a webhook is set, so a run that prints
to the terminal never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from rich.console import Console

from watcher.config import SlackSettings
from watcher.hosts import is_loopback
from watcher.notify.retry import RetryPolicy
from watcher.notify.senders import SLACK_TIMEOUT, ConsoleNotifier, Notifier, SlackConfigError


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
        from slack_sdk import WebClient

        from watcher.notify.slack import SlackWebNotifier

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
        from slack_sdk.webhook import WebhookClient

        from watcher.notify.slack import WebhookNotifier

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
