"""Delivery of the outbox: pending alerts become Slack messages, oldest first.

Each destination (`routes`) has its own rows and goes on its own. Per destination: one
digest per organisation (in parts of at most `CHANGES_PER_MESSAGE` changes; per report
where the destination threads), page health in one message for all forces. A batch is
marked sent only once Slack confirms it, so a failure part-way never reposts what Slack
already took.
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
from watcher.notify.routes import DEFAULT, Routing, is_loud, sorted_by_destination, with_mention
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
    notifier: Notifier | Routing,
    now: Callable[[], datetime],
    should_stop: Callable[[], bool] = lambda: False,
    *,
    max_messages: int = 3,
) -> DeliveryTally:
    """Send every pending alert, oldest first; mark each sent only once Slack confirms.

    `notifier`: one sender for everything, or a `Routing` (a sender per destination).
    Rows not yet routed get their destinations first, in one transaction; then each
    destination's rows go out on their own: a destination failing (even fatally) leaves
    its rows pending and never holds up another's. Rows a crashed run left in flight
    are first looked up in Slack (`readback`), so only what did not arrive goes again.
    `should_stop` is asked before each message: once it says yes, the rest stays queued
    for the next run. At most `max_messages` messages per organisation and destination
    (`[alerts] max_messages`): the rest of its alerts go out as one summary by count.
    """
    routing = notifier if isinstance(notifier, Routing) else Routing.single(notifier)
    report = DeliveryTally()
    pending = _routed(store, routing, store.pending_alerts())
    grouped = sorted_by_destination(pending, routing.router.keys)
    for key, rows in grouped.items():
        label = routing.label(key) if len(routing.senders) > 1 else None
        _deliver_to(store, routing, key, label, rows, now, should_stop, max_messages, report)
    return report


def _routed(store: Store, routing: Routing, pending: list[PendingAlert]) -> list[PendingAlert]:
    """Route the rows not yet routed; hand rows of a destination gone from the config to
    the default. A row left in flight before routing existed was posted to the default
    destination: it stays there, to be read back."""
    router = routing.router
    unrouted = {
        a.id: [DEFAULT] if a.in_flight_at else router.destinations(a)
        for a in pending
        if a.destination is None
    }
    orphans = [a.id for a in pending if a.destination and a.destination not in routing.senders]
    if unrouted:
        store.route(unrouted)
    if orphans:
        store.hand_over(orphans, DEFAULT)
    return store.pending_alerts() if unrouted or orphans else pending


def _deliver_to(
    store: Store,
    routing: Routing,
    key: str,
    label: str | None,
    rows: list[PendingAlert],
    now: Callable[[], datetime],
    should_stop: Callable[[], bool],
    max_messages: int,
    report: DeliveryTally,
) -> None:
    """One destination's rows, batch by batch; a fatal answer stops this destination only."""
    notifier = routing.senders[key]
    router = routing.router
    threaded = router.threaded(key)
    roots = store.thread_roots(key) if threaded else {}
    rows = _reconcile(store, notifier, rows, now, report, key if threaded else None, roots)
    by_id = {a.id: a for a in rows}
    stopped_here = False
    for alert_ids, messages in _batches(rows, max_messages, by_report=threaded):
        if stopped_here or should_stop():
            report.alerts_pending += len(alert_ids)
            continue
        alerts = [by_id[i] for i in alert_ids]
        changes = [a.change for a in alerts if a.change is not None]
        url = _report_of(alerts) if threaded else None
        root = roots.get(url) if url else None
        mention = router.mention(key, changes)
        loud = any(is_loud(c) for c in changes)
        store.mark_in_flight(alert_ids, now())
        crash_point(Stage.IN_FLIGHT)
        tagged = []
        for part, message in enumerate(messages):
            message = replace(
                message,
                metadata=alert_metadata(alert_ids, part, len(messages)),
                thread_ts=root,
                reply_broadcast=bool(root and loud),
                in_thread=url is not None,
            )
            tagged.append(with_mention(message, mention) if mention and part == 0 else message)
        error, fatal, ts = _send_all(notifier, tagged)
        if error is None:
            # The one window that can repeat a message: Slack has it, the store not yet.
            crash_point(Stage.SLACK_ACCEPTED)
            opens = (key, url) if url and not root and ts else None
            store.mark_sent(alert_ids, ts, now(), thread=opens)
            if opens and url and ts:
                roots[url] = ts
            crash_point(Stage.MARKED_SENT)
            report.alerts_sent += len(alert_ids)
            continue
        error = f"{label}: {error}" if label else error
        store.mark_attempt_failed(alert_ids, error)
        report.alerts_pending += len(alert_ids)
        report.delivery_error = error
        if fatal:
            report.fatal = report.fatal or error
            stopped_here = True


def _report_of(alerts: Sequence[PendingAlert]) -> str | None:
    """The page every alert of a batch is about (its thread), if they share one."""
    urls = {a.change.url if a.change else None for a in alerts}
    return urls.pop() if len(urls) == 1 else None


def _reconcile(
    store: Store,
    notifier: Notifier,
    pending: list[PendingAlert],
    now: Callable[[], datetime],
    report: DeliveryTally,
    threaded: str | None = None,
    roots: dict[str, str] | None = None,
) -> list[PendingAlert]:
    """Mark sent the in-flight rows Slack already has; return the rows still to post.

    A webhook cannot be read back: its in-flight rows go again (the documented bound),
    and so do a bot's when its token may not read history (noted for `watcher status`).
    When Slack cannot be asked this time, the in-flight rows wait for the next run.
    `threaded` (the destination's key) and `roots`: the threads replies may be in; a
    report's first message found this way opens its thread.
    """
    roots = roots if roots is not None else {}
    in_flight = [a for a in pending if a.in_flight_at]
    if not in_flight or not isinstance(notifier, ReadsBack):
        return pending
    since = min(datetime.fromisoformat(a.in_flight_at or "") for a in in_flight)
    urls = {a.change.url for a in in_flight if a.change is not None}
    readback = notifier.read_back(since, [roots[u] for u in sorted(urls) if u in roots])
    if readback.unavailable:
        store.set_notice(NOTICE_KEY, readback.unavailable, now())
        return pending
    store.clear_notice(NOTICE_KEY)
    if readback.error:
        held = {a.id for a in in_flight}
        report.alerts_pending += len(held)
        report.delivery_error = readback.error
        return [a for a in pending if a.id not in held]
    arrived: dict[str, list[PendingAlert]] = {}
    for alert in in_flight:
        if alert.id in readback.posted:
            arrived.setdefault(readback.posted[alert.id], []).append(alert)
    for ts, alerts in arrived.items():
        url = _report_of(alerts) if threaded else None
        opens = (threaded, url) if threaded and url and url not in roots and ts else None
        store.mark_sent([a.id for a in alerts], ts or None, now(), thread=opens)
        if opens and url:
            roots[url] = ts
        report.alerts_sent += len(alerts)
    done = {alert.id for alerts in arrived.values() for alert in alerts}
    return [a for a in pending if a.id not in done]


def _send_all(
    notifier: Notifier, messages: Sequence[Message]
) -> tuple[str | None, bool, str | None]:
    first_ts = None
    for message in messages:
        delivery = notifier.send(message.continued_under(first_ts))
        if not delivery.ok:
            return delivery.error or "delivery failed", delivery.fatal, None
        first_ts = first_ts or delivery.ts
    return None, False, first_ts


Batch = tuple[list[str], list[Message]]


def _batches(
    pending: Sequence[PendingAlert], max_messages: int = 3, *, by_report: bool = False
) -> list[Batch]:
    """Group pending alerts into messages: one digest per organisation, in parts.

    `by_report` (a threaded destination): one digest per organisation and page, so each
    message is about one report and can open, or reply in, that report's thread.
    """
    batches: list[tuple[list[str], list[Message]]] = []
    groups: dict[tuple[str, str], list[PendingAlert]] = {}
    health: list[PendingAlert] = []  # page health: one message for all forces
    for alert in pending:
        if alert.payload is not None:
            batches.append(([alert.id], [Message.from_dict(alert.payload)]))
        elif alert.change is not None and alert.change.kind in HEALTH_KINDS:
            health.append(alert)
        elif alert.change is not None:
            report = alert.change.url if by_report else ""
            groups.setdefault((alert.organisation, report), []).append(alert)
    # Forces entering or leaving Engage first, then by name: the same order every run.
    ordered = sorted(groups.items(), key=lambda group: (not _about_monitoring(group[1]), group[0]))
    for (organisation, _), alerts in ordered:
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
