"""The discovery stage of `watcher check`: listing pages read before the pages are fetched.

Each source is fetched through the run's `Fetcher` (conditional requests, politeness,
allowed hosts) and read; its items are compared with those seen before. Never cry wolf:
a source's first read is its silent baseline; only items never seen and not older than
`max_age_days` are alerted; more than `REINDEX_AFTER` new items at once are a re-index
(stored silently, one note to the operator); an item gone from a listing is never
"withdrawn"; a listing that fails or reads empty where it had items is unreadable this
time. After an outage (or when every item is new) it pages back, up to `MAX_PAGES`
pages, until an item it knows appears.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from watcher.catalogue import SERVICE_PREFIX, Page, page_path
from watcher.config import Config, DiscoverSettings
from watcher.discover.alerts import Found, queue_alerts
from watcher.discover.classify import classify
from watcher.discover.feed import read_feed
from watcher.discover.listing import Listing, ListingItem, read_listing
from watcher.fetch import Fetcher, FetchOutcome, FetchResult, PageRequest
from watcher.models import Change, ChangeKind
from watcher.store import Discoveries, SourceState, Store

log = logging.getLogger(__name__)

MAX_PAGES = 5  # listing pages read in one run when paging back, the first included
REINDEX_AFTER = 15  # more new items than this on one source in one run: a re-index
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Discovery:
    """What the stage needs of the config: sources, the site, who is watched."""

    settings: DiscoverSettings
    base_url: str
    hosts: frozenset[str]
    forces: frozenset[str] | None  # None: every force
    services: frozenset[str] | None  # None: every service
    watched_urls: frozenset[str] = frozenset()  # pages the catalogue already checks

    @classmethod
    def from_config(cls, config: Config, pages: Sequence[Page] = ()) -> Discovery | None:
        """None when `[discover]` names no source: nothing is discovered."""
        if not config.discover.sources:
            return None
        watch = config.watch
        return cls(
            settings=config.discover,
            base_url=config.site.base_url.rstrip("/"),
            hosts=frozenset(config.site.allowed_hosts),
            forces=None if watch.forces is None else frozenset(watch.forces),
            services=None if watch.services is None else frozenset(watch.services),
            watched_urls=frozenset(page.url for page in pages),
        )

    def watches(self, organisation: str) -> bool:
        if organisation.startswith("other:"):
            return False
        if organisation.startswith(SERVICE_PREFIX):
            slug = organisation.removeprefix(SERVICE_PREFIX)
            return self.services is None or slug in self.services
        return self.forces is None or organisation in self.forces


@dataclass(frozen=True)
class SourceOutcome:
    """What one listing came to: "changed" (new items), "unchanged", "new" or "failed"."""

    url: str
    status: str
    reason: str | None = None
    new_items: int = 0


@dataclass(frozen=True)
class DiscoveryReport:
    """The pages discovery adds to this run, which of them are unread, each source's outcome."""

    pages: tuple[Page, ...] = ()
    announced: frozenset[str] = frozenset()  # first read is a silent baseline
    outcomes: tuple[SourceOutcome, ...] = ()
    alerts: int = 0


@dataclass
class _Reading:
    """One source's reading in this run, before anything is written."""

    source: str
    url: str
    result: FetchResult | None = None
    listed: int = 0
    feed: bool = False  # its head names a feed: no validators kept (the feed may change alone)
    found: list[Found] = field(default_factory=list)
    reason: str | None = None


def run_discovery(
    discovery: Discovery,
    *,
    fetcher: Fetcher,
    store: Store,
    run_id: int,
    now: datetime,
    unreachable_after: int,
) -> DiscoveryReport:
    """Read every source, store what is new in one transaction, queue its alerts."""
    ledger = Discoveries(store)
    seen: set[str] = set()
    readings = [
        _read_source(discovery, s, fetcher, store, ledger, now, seen)
        for s in discovery.settings.sources
    ]
    alerts = queue_alerts(ledger, readings_found(readings), run_id, now)
    for reading in readings:
        _record_health(reading, store, run_id, now, unreachable_after)
    pages = [
        Page(p.url, p.organisation, "")
        for p in ledger.pages()
        if p.url not in discovery.watched_urls
    ]
    read = ledger.read_before(p.url for p in pages)
    return DiscoveryReport(
        pages=tuple(pages),
        announced=frozenset(p.url for p in pages if p.url not in read),
        outcomes=tuple(_outcome(r) for r in readings),
        alerts=alerts,
    )


def readings_found(readings: Sequence[_Reading]) -> list[tuple[str, int, list[Found]]]:
    """(source, items listed, what was found) for each source that read."""
    return [(r.source, r.listed, r.found) for r in readings if r.reason is None and r.listed]


def _outcome(reading: _Reading) -> SourceOutcome:
    if reading.reason is not None:
        return SourceOutcome(reading.url, "failed", reading.reason)
    new = sum(1 for f in reading.found if f.outcome != "baseline")
    if reading.found and new == 0:
        return SourceOutcome(reading.url, "new", new_items=len(reading.found))
    return SourceOutcome(reading.url, "changed" if new else "unchanged", new_items=new)


def _read_source(
    discovery: Discovery,
    source: str,
    fetcher: Fetcher,
    store: Store,
    ledger: Discoveries,
    now: datetime,
    seen: set[str],
) -> _Reading:
    url = discovery.base_url + page_path(source)
    reading = _Reading(page_path(source), url)
    state = store.page_state(url)
    request = PageRequest(url, state.etag, state.last_modified) if state else PageRequest(url)
    reading.result = fetcher.fetch(request)
    if reading.result.outcome is FetchOutcome.NOT_MODIFIED:
        return reading
    listing_or_reason = _listing(discovery, reading.result, fetcher)
    if isinstance(listing_or_reason, str):
        reading.reason = listing_or_reason
        return reading
    reading.feed = listing_or_reason.feed_url is not None
    known_before = ledger.source(reading.source)
    items = _page_back(discovery, listing_or_reason, fetcher, ledger, known_before)
    if isinstance(items, str):
        reading.reason = items
        return reading
    if not items and known_before and known_before.last_items:
        reading.reason = (
            f"the listing reads as empty where it had {known_before.last_items} items "
            "(a redesign or an error page?)"
        )
        return reading
    reading.listed = len(items)
    known = ledger.known(i.path for i in items) | seen  # `seen`: new on another source
    fresh = [i for i in items if i.path not in known]
    seen |= {i.path for i in fresh}
    reading.found = _judge(discovery, fresh, known_before, now)
    return reading


def _listing(discovery: Discovery, result: FetchResult, fetcher: Fetcher) -> Listing | str:
    """The listing a fetch gave, with its feed's items when its head names one, or why not."""
    if result.outcome is not FetchOutcome.OK:
        return result.error or f"HTTP {result.status}"
    content_type = (result.content_type or "").split(";")[0].strip().lower()
    if content_type and content_type not in HTML_TYPES:
        return f"not an HTML page ({content_type})"
    if not result.body.strip():
        return "empty page"
    listing = read_listing(result.body, result.final_url or result.url, discovery.hosts)
    if not listing.feed_url:
        return listing
    feed = fetcher.fetch(PageRequest(listing.feed_url))
    if feed.outcome is not FetchOutcome.OK:
        log.warning("%s: its feed could not be read: %s", result.url, feed.error or feed.status)
        return listing
    items = {i.path: i for i in read_feed(feed.body, feed.url, discovery.hosts)}
    for item in listing.items:
        items.setdefault(item.path, item)
    return Listing(tuple(items.values()), listing.next_url, listing.feed_url)


def _page_back(
    discovery: Discovery,
    listing: Listing,
    fetcher: Fetcher,
    ledger: Discoveries,
    known_before: SourceState | None,
) -> list[ListingItem] | str:
    """This page's items and, while none of them is known, older pages' too.

    Newest first: once a page shows an item seen before, everything published since
    the last good read (an outage, a missed day) is on the pages read so far. A
    listing never read before is its own baseline: nothing to page back for.
    """
    items = {i.path: i for i in listing.items}
    pages = 1
    while known_before and listing.next_url and pages < MAX_PAGES:
        if ledger.known(i.path for i in listing.items):
            break
        older = _listing(discovery, fetcher.fetch(PageRequest(listing.next_url)), fetcher)
        if isinstance(older, str):
            # Unread, older pages may hold items of the outage: try all again next run.
            return f"page {pages + 1} of the listing could not be read: {older}"
        listing, pages = older, pages + 1
        for item in older.items:
            items.setdefault(item.path, item)
    return list(items.values())


def _judge(
    discovery: Discovery,
    fresh: Sequence[ListingItem],
    known_before: SourceState | None,
    now: datetime,
) -> list[Found]:
    """Each item never seen before, with what to do about it."""
    oldest = now.date() - timedelta(days=discovery.settings.max_age_days)
    reindex = len(fresh) > REINDEX_AFTER
    found = []
    for item in fresh:
        classified = classify(item.label, item.title, item.path, item.tags)
        watched = tuple(o for o in classified.organisations if discovery.watches(o))
        url = discovery.base_url + item.path
        if not known_before:
            outcome = "baseline"
        elif reindex:
            outcome = "reindex"
        elif item.published and item.published < oldest:
            outcome = "old"
        elif classified.national:
            outcome = "national" if discovery.settings.national else "national_off"
        elif not watched:
            outcome = "unwatched"
        else:
            outcome = "watched" if url in discovery.watched_urls else "alerted"
        found.append(Found(item, url, classified, watched, outcome))
    return found


def _record_health(
    reading: _Reading, store: Store, run_id: int, now: datetime, unreachable_after: int
) -> None:
    """Page health for a listing, as for any page: failures counted, one alert at the threshold."""
    result = reading.result
    state = store.page_state(reading.url)
    if reading.reason is None and result is not None:
        if state and state.failing_since:
            store.queue_page_health(
                run_id,
                _health(
                    ChangeKind.PAGE_REACHABLE,
                    reading,
                    state.consecutive_failures,
                    state.failing_since,
                ),
                now,
            )
        keep = not reading.feed
        validators = {
            "etag": result.etag if keep else None,
            "last_modified": result.last_modified if keep else None,
        }
        store.record_unchanged(reading.url, result.status or 200, now, **validators)
        return
    failures = store.record_failure(
        reading.url, result.status if result else None, reading.reason or "unreadable", now
    )
    state = store.page_state(reading.url)
    if failures >= unreachable_after and state and state.failing_since:
        change = _health(ChangeKind.PAGE_UNREACHABLE, reading, failures, state.failing_since)
        store.queue_page_health(run_id, change, now)


def _health(kind: ChangeKind, reading: _Reading, failures: int, since: str) -> Change:
    after = reading.reason if kind is ChangeKind.PAGE_UNREACHABLE else None
    return Change(kind, reading.url, "", "", before=str(failures), after=after, basis=since)
