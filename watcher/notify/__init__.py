"""Notify: what an alert says and how it reaches Slack or the terminal.

Pure rendering (`render`: Block Kit digests; `message`: Slack's limits), then the
delivery of the outbox (`deliver`) through a sender chosen by `choose` (`slack`: bot
token, webhook; `senders`: console) with short retries (`retry`) and the secrets kept
out of logs (`redact`).
"""

from typing import TYPE_CHECKING

from watcher.notify.choose import notifier_from_env, routing_from_env
from watcher.notify.deliver import DeliveryTally, deliver
from watcher.notify.message import MAX_BLOCKS, MRKDWN_INLINE, Message, split_message
from watcher.notify.publications import render_national, render_publication, render_reindex
from watcher.notify.redact import redact_every_log_record, redact_secrets, redact_webhook_url
from watcher.notify.render import format_date, render_baseline, render_digest
from watcher.notify.retry import RetryPolicy
from watcher.notify.routes import Router, Routing
from watcher.notify.senders import ConsoleNotifier, Delivery, Notifier, SlackConfigError

if TYPE_CHECKING:  # imported on first use (`__getattr__`): slack-sdk is slow to load
    from watcher.notify.slack import SlackWebNotifier, WebhookNotifier

__all__ = [
    "MAX_BLOCKS",
    "MRKDWN_INLINE",
    "ConsoleNotifier",
    "Delivery",
    "DeliveryTally",
    "Message",
    "Notifier",
    "RetryPolicy",
    "Router",
    "Routing",
    "SlackConfigError",
    "SlackWebNotifier",
    "WebhookNotifier",
    "deliver",
    "format_date",
    "notifier_from_env",
    "redact_every_log_record",
    "redact_secrets",
    "redact_webhook_url",
    "render_baseline",
    "render_digest",
    "render_national",
    "render_publication",
    "render_reindex",
    "routing_from_env",
    "split_message",
]


def __getattr__(name: str) -> object:
    """The Slack senders, imported when first asked for (a run without Slack never is)."""
    if name in ("SlackWebNotifier", "WebhookNotifier"):
        from watcher.notify.slack import SlackWebNotifier, WebhookNotifier

        return {"SlackWebNotifier": SlackWebNotifier, "WebhookNotifier": WebhookNotifier}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
