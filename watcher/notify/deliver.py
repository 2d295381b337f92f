"""Delivery of the outbox: pending alerts become Slack messages, oldest first.

One digest per organisation (in parts of at most `CHANGES_PER_MESSAGE` changes),
page health in one message for all forces. A batch is marked sent only once Slack
confirms it, so a failure part-way never reposts what Slack already took.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from watcher.faults import Stage, crash_point
from watcher.models import ChangeKind
from watcher.notify.message import Message
from watcher.notify.readback import NOTICE_KEY, ReadsBack, alert_metadata
from watcher.notify.render import HEALTH_KINDS, render_digest, render_health, render_overflow
from watcher.notify.senders import Notifier
from watcher.store import PendingAlert, Store

# Changes per Slack message: a digest longer than this goes out in parts, each marked
# sent on its own, so a failure part-way resends at most one part.
CHANGES_PER_MESSAGE = 20
MONITORING_KINDS = frozenset((ChangeKind.MONITORING_ENTERED, ChangeKind.MONITORING_LEFT))


@dataclass
class DeliveryTally:
    """What one delivery of the outbox came to: alerts sent, alerts left pending, why."""

    alerts_sent: int = 0
    alerts_pending: int = 0
    delivery_error: str | None = None
    fatal: str | None = None  # a delivery problem the user must fix (e.g. bad token)


def deliver(
    store: Store,
    notifier: Notifier,
    now: Callable[[], datetime],
    should_stop: Callable[[], bool] = lambda: False,
    *,
    max_messages: int = 3,
) -> DeliveryTally:
    """Send every pending alert, oldest first; mark each sent only once Slack confirms.

    Rows a crashed run left in flight are first looked up in Slack (`readback`), so
    only what did not arrive goes again. `should_stop` is asked before each message:
    once it says yes, the rest stays queued for the next run. At most `max_messages`
    messages per organisation (`[alerts] max_messages`): the rest of its alerts go out
    as one summary by count, marked sent with it.
    """
    report = DeliveryTally()
    pending = _reconcile(store, notifier, store.pending_alerts(), now, report)
    for alert_ids, messages in _batches(pending, max_messages):
        if report.fatal or should_stop():
            report.alerts_pending += len(alert_ids)
            continue
        store.mark_in_flight(alert_ids, now())
        crash_point(Stage.IN_FLIGHT)
        tagged = [
            replace(m, metadata=alert_metadata(alert_ids, part, len(messages)))
            for part, m in enumerate(messages)
        ]
        error, fatal, ts = _send_all(notifier, tagged)
        if error is None:
            # The one window that can repeat a message: Slack has it, the store not yet.
            crash_point(Stage.SLACK_ACCEPTED)
            store.mark_sent(alert_ids, ts, now())
            crash_point(Stage.MARKED_SENT)
            report.alerts_sent += len(alert_ids)
            continue
        store.mark_attempt_failed(alert_ids, error)
        report.alerts_pending += len(alert_ids)
        report.delivery_error = error
        if fatal:
            report.fatal = error
    return report


def _reconcile(
    store: Store,
    notifier: Notifier,
    pending: list[PendingAlert],
    now: Callable[[], datetime],
    report: DeliveryTally,
) -> list[PendingAlert]:
    """Mark sent the in-flight rows Slack already has; return the rows still to post.

    A webhook cannot be read back: its in-flight rows go again (the documented bound),
    and so do a bot's when its token may not read history (noted for `watcher status`).
    When Slack cannot be asked this time, the in-flight rows wait for the next run.
    """
    in_flight = [a for a in pending if a.in_flight_at]
    if not in_flight or not isinstance(notifier, ReadsBack):
        return pending
    since = min(datetime.fromisoformat(a.in_flight_at or "") for a in in_flight)
    readback = notifier.read_back(since)
    if readback.unavailable:
        store.set_notice(NOTICE_KEY, readback.unavailable, now())
        return pending
    store.clear_notice(NOTICE_KEY)
    if readback.error:
        held = {a.id for a in in_flight}
        report.alerts_pending += len(held)
        report.delivery_error = readback.error
        return [a for a in pending if a.id not in held]
    arrived: dict[str, list[str]] = {}
    for alert in in_flight:
        if alert.id in readback.posted:
            arrived.setdefault(readback.posted[alert.id], []).append(alert.id)
    for ts, alert_ids in arrived.items():
        store.mark_sent(alert_ids, ts or None, now())
        report.alerts_sent += len(alert_ids)
    done = {alert_id for alert_ids in arrived.values() for alert_id in alert_ids}
    return [a for a in pending if a.id not in done]


def _send_all(
    notifier: Notifier, messages: Sequence[Message]
) -> tuple[str | None, bool, str | None]:
    first_ts = None
    for message in messages:
        delivery = notifier.send(message)
        if not delivery.ok:
            return delivery.error or "delivery failed", delivery.fatal, None
        first_ts = first_ts or delivery.ts
    return None, False, first_ts


Batch = tuple[list[str], list[Message]]


def _batches(pending: Sequence[PendingAlert], max_messages: int = 3) -> list[Batch]:
    """Group pending alerts into messages: one digest per organisation, in parts."""
    batches: list[tuple[list[str], list[Message]]] = []
    groups: dict[str, list[PendingAlert]] = {}
    health: list[PendingAlert] = []  # page health: one message for all forces
    for alert in pending:
        if alert.payload is not None:
            batches.append(([alert.id], [Message.from_dict(alert.payload)]))
        elif alert.change is not None and alert.change.kind in HEALTH_KINDS:
            health.append(alert)
        elif alert.change is not None:
            groups.setdefault(alert.organisation, []).append(alert)
    # Forces entering or leaving Engage first, then by name: the same order every run.
    ordered = sorted(groups.items(), key=lambda group: (not _about_monitoring(group[1]), group[0]))
    for organisation, alerts in ordered:
        batches += _capped(organisation, alerts, max_messages)
    for start in range(0, len(health), CHANGES_PER_MESSAGE):
        batches += _one_message_each(None, health[start : start + CHANGES_PER_MESSAGE])
    return batches


def _capped(organisation: str, alerts: Sequence[PendingAlert], cap: int) -> list[Batch]:
    """One organisation's messages, at most `cap`: past it, the rest as one summary.

    Rendering stops as soon as the cap is passed, so a page gaining thousands of
    findings costs a few messages' rendering, not thousands.
    """
    batches: list[Batch] = []
    for start in range(0, len(alerts), CHANGES_PER_MESSAGE):
        batches += _one_message_each(organisation, alerts[start : start + CHANGES_PER_MESSAGE])
        if sum(len(messages) for _, messages in batches) > cap:
            break
    if sum(len(messages) for _, messages in batches) <= cap:
        return batches
    kept: list[Batch] = []
    for ids, messages in batches:
        if sum(len(m) for _, m in kept) + len(messages) > cap - 1:
            break
        kept.append((ids, messages))
    shown = {alert_id for ids, _ in kept for alert_id in ids}
    rest = [a for a in alerts if a.id not in shown]
    seen_on = datetime.fromisoformat(rest[0].created_at).date()
    summary = render_overflow(organisation, [a.change for a in rest if a.change], seen_on)
    return [*kept, ([a.id for a in rest], [summary])]


def _about_monitoring(alerts: Sequence[PendingAlert]) -> bool:
    return any(a.change is not None and a.change.kind in MONITORING_KINDS for a in alerts)


def _one_message_each(
    organisation: str | None, alerts: Sequence[PendingAlert]
) -> list[tuple[list[str], list[Message]]]:
    """Alerts rendered as a digest (None: page health), halved until each is one message.

    Each batch is marked sent on its own, so Slack failing part-way through a long
    digest never makes the next run post the messages it already took. Only one change
    too long for a single message still goes out as several.
    """
    seen_on = datetime.fromisoformat(alerts[0].created_at).date()
    changes = [a.change for a in alerts if a.change is not None]
    if organisation is None:
        messages = render_health(changes, seen_on)
    else:
        messages = render_digest(organisation, changes, seen_on)
    if len(messages) <= 1 or len(alerts) == 1:
        return [([a.id for a in alerts], messages)]
    middle = len(alerts) // 2
    return _one_message_each(organisation, alerts[:middle]) + _one_message_each(
        organisation, alerts[middle:]
    )
