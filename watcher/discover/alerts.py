"""What one run's discoveries become: stored items, pages added to the watch list, alerts.

A publication about a watched organisation: one message of its own, its page added to
the pages checked from then on (news articles excepted: they carry no grades). The
run's national items: one message. A re-index: one note for the operator. All written
in one transaction through `Discoveries.record`, so each is queued exactly once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from watcher.discover.classify import Classified, PublicationKind
from watcher.discover.listing import ListingItem
from watcher.models import Change, ChangeKind, Publication
from watcher.notify import render_national, render_publication, render_reindex
from watcher.store import DiscoveredPage, Discoveries, QueuedAlert, SeenItem


@dataclass(frozen=True)
class Found:
    """An item never seen before, and what to do about it (`outcome`)."""

    item: ListingItem
    url: str  # on the configured site: base URL + identity
    classified: Classified
    watched: tuple[str, ...]  # the organisations it names that are watched
    outcome: str  # alerted, national, baseline, reindex, old, unwatched, watched, ...


def queue_alerts(
    ledger: Discoveries,
    readings: Sequence[tuple[str, int, Sequence[Found]]],
    run_id: int,
    now: datetime,
) -> int:
    """Store every reading's items, pages and alerts in one transaction; alerts queued."""
    items, pages, alerts, national = [], [], [], []
    for source, _, found in readings:
        for one in found:
            items.append(_seen(source, one))
            if one.outcome == "alerted":
                alerts.append(_publication_alert(one, now))
                if one.classified.kind is not PublicationKind.NEWS:
                    pages.append(_page(one, now))
            elif one.outcome == "national":
                national.append(one)
        reindexed = sum(1 for one in found if one.outcome == "reindex")
        if reindexed:
            alerts.append(_reindex_note(source, reindexed, run_id, now))
    if national:
        alerts.append(_national_alert(national, run_id, now))
    sources = [(source, listed) for source, listed, _ in readings]
    ledger.record(run_id=run_id, sources=sources, items=items, pages=pages, alerts=alerts, now=now)
    return len(alerts)


def _seen(source: str, found: Found) -> SeenItem:
    item = found.item
    return SeenItem(
        path=item.path,
        url=found.url,
        source=source,
        title=item.title,
        label=item.label,
        kind=str(found.classified.kind),
        organisations=found.classified.organisations,
        published=item.published.isoformat() if item.published else None,
        outcome=found.outcome,
    )


def _publication(found: Found, organisations: tuple[str, ...]) -> Publication:
    kind = found.classified.kind.label
    return Publication(found.url, found.item.title, kind, found.item.published, organisations)


def _change(found: Found, organisation: str) -> Change:
    return Change(
        kind=ChangeKind.PUBLICATION_DISCOVERED,
        url=found.url,
        organisation=organisation,
        cycle="",
        unit=found.item.path,
        unit_label=found.classified.kind.label,
        after=found.item.title,
    )


def _publication_alert(found: Found, now: datetime) -> QueuedAlert:
    message = render_publication(_publication(found, found.watched), now.date())
    change = _change(found, found.watched[0])
    return QueuedAlert(change.id, found.watched[0], message.to_dict(), (change,))


def _national_alert(found: Sequence[Found], run_id: int, now: datetime) -> QueuedAlert:
    message = render_national([_publication(f, ()) for f in found], now.date())
    changes = tuple(_change(f, "") for f in found)
    digest = hashlib.sha256("\x1f".join(c.id for c in changes).encode()).hexdigest()[:12]
    return QueuedAlert(f"national-{run_id}-{digest}", "", message.to_dict(), changes)


def _reindex_note(source: str, count: int, run_id: int, now: datetime) -> QueuedAlert:
    message = render_reindex(source, count, now.date())
    return QueuedAlert(f"reindex-{run_id}-{source}", "", message.to_dict(), ())


def _page(found: Found, now: datetime) -> DiscoveredPage:
    return DiscoveredPage(
        url=found.url,
        path=found.item.path,
        organisation=found.watched[0],
        kind=str(found.classified.kind),
        title=found.item.title,
        added_at=now.isoformat(),
    )
