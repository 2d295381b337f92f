"""Choosing the senders from the environment: Slack by bot token or webhook, or the terminal.

`notifier_from_env` picks the one default sender; `routing_from_env` adds a sender for
each destination `[[slack.routes]]` and `[slack] ops_channel` name (`routes`). slack-sdk
is imported here only when a token or a webhook is set, so a run that prints to the
terminal never loads it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from watcher.config import SlackRoute, SlackSettings
from watcher.hosts import is_loopback
from watcher.notify.retry import RetryPolicy
from watcher.notify.routes import DEFAULT, OPS, Routing, router_keys
from watcher.notify.senders import SLACK_TIMEOUT, ConsoleNotifier, Notifier, SlackConfigError

if TYPE_CHECKING:
    from rich.console import Console

logger = logging.getLogger(__name__)
DEFAULT_WEBHOOK_ENV = "SLACK_WEBHOOK_URL"


def notifier_from_env(
    environ: Mapping[str, str],
    settings: SlackSettings,
    console: Console | None,
    *,
    timeout: float = SLACK_TIMEOUT,
    retry: RetryPolicy = RetryPolicy(),  # frozen, so one shared default is safe
    should_stop: Callable[[], bool] = lambda: False,
) -> Notifier:
    """Slack by bot token (SLACK_BOT_TOKEN + slack.channel), by webhook (SLACK_WEBHOOK_URL),
    or the terminal (`console`; None: stdout, set up at the first alert) when neither
    is set. The bot token wins when both are set.

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


def routing_from_env(
    environ: Mapping[str, str],
    settings: SlackSettings,
    console: Console | None,
    *,
    timeout: float = SLACK_TIMEOUT,
    retry: RetryPolicy = RetryPolicy(),
    should_stop: Callable[[], bool] = lambda: False,
) -> Routing:
    """A sender for every destination the settings name, each checked before any post.

    The default destination is `notifier_from_env`'s. With neither a bot token nor a
    webhook set, everything goes to the terminal once and the routes are not used.
    A route that cannot be served (a channel without a bot token, a webhook variable not
    set, a thread through a webhook) is a `SlackConfigError` naming the route's key.
    """
    default = notifier_from_env(
        environ, settings, console, timeout=timeout, retry=retry, should_stop=should_stop
    )
    if isinstance(default, ConsoleNotifier):
        if settings.routes or settings.ops_channel:
            logger.info("no Slack token or webhook set: routes unused, alerts printed here")
        return Routing.single(default)
    token = environ.get("SLACK_BOT_TOKEN", "").strip()
    target = f"slack:{settings.channel}" if token else f"webhook:{DEFAULT_WEBHOOK_ENV}"
    router = router_keys(settings, target)
    senders: dict[str, Notifier] = {DEFAULT: default}
    labels = {
        DEFAULT: f"the default channel {settings.channel}" if token else "the default webhook"
    }
    build = _Builder(environ, settings, timeout, retry, should_stop, token)
    for route, key in router.routes:
        if route.thread and (route.webhook_env or (key == DEFAULT and not token)):
            raise SlackConfigError(
                f"{route.label}.thread: a webhook cannot reply in threads (Slack gives it "
                "no message ts); send this route to a channel with SLACK_BOT_TOKEN"
            )
        if key not in senders:
            senders[key] = build.route(route)
            labels[key] = f"channel {route.channel}" if route.channel else f"${route.webhook_env}"
    if router.ops == OPS:
        senders[OPS] = build.channel(settings.ops_channel or "", "slack.ops_channel")
        labels[OPS] = f"the ops channel {settings.ops_channel}"
    return Routing(router, senders, labels)


class _Builder:
    """The Slack senders of the routes: one WebClient for every channel, a webhook each."""

    def __init__(
        self,
        environ: Mapping[str, str],
        settings: SlackSettings,
        timeout: float,
        retry: RetryPolicy,
        should_stop: Callable[[], bool],
        token: str,
    ) -> None:
        self._environ = environ
        self._settings = settings
        self._timeout = timeout
        self._retry = retry
        self._should_stop = should_stop
        self._token = token
        self._client: object | None = None

    def route(self, route: SlackRoute) -> Notifier:
        if route.channel:
            return self.channel(route.channel, f"{route.label}.channel")
        return self.webhook(route)

    def channel(self, channel: str, setting: str) -> Notifier:
        if not self._token:
            raise SlackConfigError(
                f"{setting}: posting to channel {channel} needs SLACK_BOT_TOKEN (a webhook "
                "posts to one channel only: give the route webhook_env instead)"
            )
        from slack_sdk import WebClient

        from watcher.notify.slack import SlackWebNotifier

        if self._client is None:
            self._client = WebClient(
                token=self._token,
                base_url=self._settings.api_url,
                timeout=self._timeout,  # type: ignore[arg-type]  # urllib takes float seconds
                retry_handlers=self._retry.handlers(self._should_stop),
            )
        assert isinstance(self._client, WebClient)
        return SlackWebNotifier(self._client, channel, setting=setting)

    def webhook(self, route: SlackRoute) -> Notifier:
        name = route.webhook_env or ""
        url = self._environ.get(name, "").strip()
        if not url:
            raise SlackConfigError(
                f"{route.label}.webhook_env: the environment variable {name} is not set "
                "(it must hold the route's Incoming Webhook URL)"
            )
        if not _webhook_scheme_ok(url):
            raise SlackConfigError(
                f"{route.label}.webhook_env: {name} must hold an https:// Incoming Webhook URL"
            )
        from slack_sdk.webhook import WebhookClient

        from watcher.notify.slack import WebhookNotifier

        client = WebhookClient(
            url,
            timeout=self._timeout,  # type: ignore[arg-type]  # urllib takes float seconds
            retry_handlers=self._retry.handlers(self._should_stop),
        )
        return WebhookNotifier(client)
