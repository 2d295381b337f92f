"""Notify: what an alert says and how it reaches Slack or the terminal.

Pure rendering (`render`: Block Kit digests; `message`: Slack's limits), then the
delivery of the outbox (`deliver`) through a sender (`senders`: bot token, webhook,
console) with short retries (`retry`) and the secrets kept out of logs (`redact`).
"""

from watcher.notify.deliver import DeliveryTally, deliver
from watcher.notify.message import MAX_BLOCKS, MRKDWN_INLINE, Message, split_message
from watcher.notify.publications import render_national, render_publication, render_reindex
from watcher.notify.redact import redact_every_log_record, redact_secrets, redact_webhook_url
from watcher.notify.render import format_date, render_baseline, render_digest
from watcher.notify.retry import RetryPolicy
from watcher.notify.senders import (
    ConsoleNotifier,
    Delivery,
    Notifier,
    SlackConfigError,
    SlackWebNotifier,
    WebhookNotifier,
    notifier_from_env,
)

__all__ = [
    "MAX_BLOCKS",
    "MRKDWN_INLINE",
    "ConsoleNotifier",
    "Delivery",
    "DeliveryTally",
    "Message",
    "Notifier",
    "RetryPolicy",
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
    "split_message",
]
