"""One run over the catalogue: fetch, parse, diff, store, notify.

The only module that knows every stage. The CLI and the scheduler build the I/O
objects (HTTP client, database, Slack client) and hand them to `run_once`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from watcher.catalogue import Page
from watcher.compare import Reading, read
from watcher.config import AlertSettings
from watcher.faults import Stage, crash_point
from watcher.fetch import Fetcher, FetchOutcome, FetchResult, PageRequest, damage
from watcher.models import Assessment, Change, ChangeKind
from watcher.notify import Notifier, Routing, deliver, render_baseline, render_digest
from watcher.store import PageState, Store, body_hash, pack_body
from watcher.trust import distrust, findings_changed, reading_digest

if TYPE_CHECKING:  # parse, diff and discover are imported when first needed: a run
    # whose pages all answer 304 parses nothing, and one without [discover] reads no list
    from watcher.discover import Discovery, DiscoveryReport

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class PageOutcome:
    """What one page came to in this run."""

    url: str
    # "changed", "unchanged", "new", "published", "absent", "failed" (not fetched well),
    # "unreadable" (fetched, but cannot be read reliably), "held" (for a second reading)
    status: str
    changes: tuple[Change, ...] = ()
    reason: str | None = None
    assessment: Assessment | None = None


@dataclass
class RunReport:
    """The figures of one run, for the terminal, the logs and the exit code."""

    run_id: int | None
    outcomes: list[PageOutcome] = field(default_factory=list)
    alerts_sent: int = 0
    alerts_pending: int = 0
    delivery_error: str | None = None
    fatal: str | None = None  # a delivery problem the user must fix (e.g. bad token)
    stopped: bool = False  # asked to stop before every page was checked
    warnings: list[str] = field(default_factory=list)  # the run's own health (cli/run_health)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def changes(self) -> list[Change]:
        return [c for o in self.outcomes for c in o.changes]

    @property
    def failed(self) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def unreadable(self) -> list[PageOutcome]:
        return [o for o in self.outcomes if o.status == "unreadable"]

    @property
    def exit_code(self) -> int:
        """0: all went well; 1: the run completed but some pages or alerts failed."""
        trouble = self.failed or self.unreadable or self.delivery_error or self.fatal
        return 1 if trouble else 0


def run_once(
    pages: Sequence[Page],
    *,
    fetcher: Fetcher,
    store: Store,
    notifier: Notifier | Routing,
    now: Callable[[], datetime],
    dry_run: bool = False,
    on_page: Callable[[PageOutcome], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    unreachable_after: int = AlertSettings.unreachable_after,
    alerts: AlertSettings | None = None,
    discovery: Discovery | None = None,
) -> RunReport:
    """Check every page once and deliver what is pending. `dry_run` writes and sends nothing.

    `should_stop` is asked between pages: when it says yes, the run stops fetching,
    still delivers what is queued, and records itself as stopped. A page failing
    `unreachable_after` runs in a row is reported once (`[alerts] unreachable_after`).
    `alerts` (default: `AlertSettings`, with `unreachable_after`) caps each
    organisation's messages and holds implausibly large change sets.
    `discovery` (`[discover]`) reads the listings first and adds the pages they announced.
    """
    alerts = alerts or AlertSettings(unreachable_after=unreachable_after)
    run_id = None if dry_run else store.start_run(now())
    report = RunReport(run_id)
    # Discovery (watcher/discover/) first: the listings' new pages join this run's.
    found: DiscoveryReport | None = None
    if discovery is not None and run_id is not None:
        from watcher.discover import run_discovery

        found = run_discovery(
            discovery,
            fetcher=fetcher,
            store=store,
            run_id=run_id,
            now=now(),
            unreachable_after=alerts.unreachable_after,
        )
        pages = _with_discovered(pages, found, report)
    announced = found.announced if found else frozenset()
    by_url = {page.url: page for page in pages}
    # Every page's state, read once: each page is checked once per run.
    states = store.page_states()
    requests = [_request(states.get(page.url), page.url) for page in pages]
    # closing(): a stop request cancels the downloads not yet started. The packer
    # compresses a new body for the store while the page is parsed (zlib frees the GIL).
    with (
        ThreadPoolExecutor(1, "pack") as packer,
        closing(fetcher.fetch_all(requests)) as results,
    ):
        for result in results:
            crash_point(Stage.FETCHED)  # the fault tests' switch; a no-op otherwise
            listed = result.url in announced
            state = states.get(result.url)
            digest = body_hash(result.body) if result.outcome is FetchOutcome.OK else None
            packing = None
            if digest and run_id is not None and not (state and state.body_sha256 == digest):
                packing = packer.submit(pack_body, result.body, result.gzipped)
            run = _Run(store, run_id, now(), alerts, state, listed, digest, packing)
            outcome = _check_page(by_url[result.url], result, run)
            _log_outcome(outcome)
            report.outcomes.append(outcome)
            if on_page:
                on_page(outcome)
            if should_stop():
                report.stopped = True
                break
    # A page a listing announced is not "now watching" news: its alert was the publication.
    new_pages = [
        o.assessment
        for o in report.outcomes
        if o.status == "new" and o.assessment and o.url not in announced
    ]
    if dry_run:
        _preview(report, new_pages, Routing.default_of(notifier), now())
        return report
    assert run_id is not None
    # This run's new pages, and any a run killed before its note left waiting.
    if waiting := store.pending_baselines():
        baseline = render_baseline([a for _, a in waiting], now().date())
        store.queue_baseline(run_id, baseline.to_dict(), now(), noted=[u for u, _ in waiting])
    # Stopped: the rest stays queued. At most `max_messages` per organisation.
    tally = deliver(store, notifier, now, should_stop, max_messages=alerts.max_messages)
    report.stopped = report.stopped or should_stop()
    report.alerts_sent += tally.alerts_sent
    report.alerts_pending += tally.alerts_pending
    report.delivery_error = tally.delivery_error
    report.fatal = tally.fatal
    _finish(store, run_id, report, now())
    return report


def _with_discovered(
    pages: Sequence[Page], found: DiscoveryReport, report: RunReport
) -> list[Page]:
    """The run's pages plus those discovery added; each listing counts as a page checked."""
    report.outcomes += [PageOutcome(o.url, o.status, reason=o.reason) for o in found.outcomes]
    urls = {page.url for page in pages}
    return [*pages, *(page for page in found.pages if page.url not in urls)]


def _finish(store: Store, run_id: int, report: RunReport, now: datetime) -> None:
    store.finish_run(
        run_id,
        now,
        pages_checked=len(report.outcomes),
        pages_changed=report.count("changed") + report.count("published"),
        pages_failed=len(report.failed) + len(report.unreadable),
        changes=len(report.changes),
        alerts_sent=report.alerts_sent,
        outcome="stopped" if report.stopped else "partial" if report.exit_code else "ok",
    )


def _request(state: PageState | None, url: str) -> PageRequest:
    if state is None:
        return PageRequest(url)
    return PageRequest(url, etag=state.etag, last_modified=state.last_modified)


def _log_outcome(outcome: PageOutcome) -> None:
    if outcome.status == "failed":
        log.warning("%s: failed: %s", outcome.url, outcome.reason)
    else:
        log.info("%s: %s (%d changes)", outcome.url, outcome.status, len(outcome.changes))


@dataclass(frozen=True)
class _Run:
    """What checking one page needs of its run."""

    store: Store
    run_id: int | None  # None on a dry run: nothing is written
    now: datetime
    alerts: AlertSettings
    state: PageState | None  # the page as the store knew it when the run began
    announced: bool = False  # a discovered page never read: its first read is a baseline
    body_sha256: str | None = None  # of a 200's body (`body_hash`)
    packed: Future[bytes] | None = None  # that body compressed for the store, if new


def _check_page(page: Page, result: FetchResult, run: _Run) -> PageOutcome:
    """Turn one fetch into an outcome, storing it unless this is a dry run."""
    if quick := _without_parsing(page, result, run):
        return quick
    reason = _failure_reason(result) or _damage(result.body, run.store, run.state)
    if reason:
        if run.run_id is not None:
            _record_failure(page, result, reason, run)
        return PageOutcome(page.url, "failed", reason=reason)
    return _check_body(page, result, run)


def _without_parsing(page: Page, result: FetchResult, run: _Run) -> PageOutcome | None:
    """A 304, the same bytes as last time, or a page not published: nothing to parse."""
    store, state = run.store, run.state
    validators = {"etag": result.etag, "last_modified": result.last_modified}
    stored = state is not None and state.body_sha256 is not None
    if (result.outcome is FetchOutcome.NOT_MODIFIED and stored) or (
        result.outcome is FetchOutcome.OK and state and state.body_sha256 == run.body_sha256
    ):
        if run.run_id is not None:
            _note_recovery(page, state, run)
            store.record_unchanged(page.url, result.status or 304, run.now, **validators)
        return PageOutcome(page.url, "unchanged")
    if result.outcome is FetchOutcome.GONE and not (state and state.ever_ok):
        if run.run_id is not None:
            _note_recovery(page, state, run)
            store.record_absent(page.url, result.status or 404, run.now, page.organisation)
        return PageOutcome(page.url, "absent")
    return None


def _check_body(page: Page, result: FetchResult, run: _Run) -> PageOutcome:
    """A body fetched well: trusted or not, compared, held or stored."""
    from watcher.parse import parse_all

    store, state = run.store, run.state
    assessments = parse_all(result.body, page.url)
    if why := distrust(page.organisation, assessments):
        return _unreadable(page, result, why, run)
    # Only a page seen absent (404/410) may be announced as newly published: one whose
    # first fetches failed (500, timeout, 403) is a baseline like any page never read.
    # A page a listing announced was alerted as the publication: its first read is silent.
    seen_absent = bool(state and state.absent_seen) and not run.announced
    reading = read(page.url, assessments, store, seen_absent=seen_absent)
    if isinstance(reading, str):
        if run.run_id is not None:
            _record_failure(page, result, reading, run)
        return PageOutcome(page.url, "failed", reason=reading)
    if held := _hold(page, reading, run):
        return held
    if run.run_id is not None:
        _store(page, result, reading, run)
    return PageOutcome(page.url, reading.status, reading.changes, assessment=reading.page)


def _store(page: Page, result: FetchResult, reading: Reading, run: _Run) -> None:
    from watcher.parse import parser_fingerprint

    assert run.run_id is not None
    _note_recovery(page, run.state, run)
    run.store.record_assessment(
        run_id=run.run_id,
        url=page.url,
        status=result.status or 200,
        body=result.body,
        validators={"etag": result.etag, "last_modified": result.last_modified},
        readings=reading.readings,
        changes=reading.changes,
        now=run.now,
        # A page read for the first time waits for the "now watching" note, crash-safe.
        baseline=reading.page if reading.status == "new" and not run.announced else None,
        sha256=run.body_sha256,
        packed=run.packed.result if run.packed else None,
        parser=parser_fingerprint(),
    )
    crash_point(Stage.CHANGES_STORED)


def _unreadable(page: Page, result: FetchResult, why: str, run: _Run) -> PageOutcome:
    """Nothing stored or compared; the operator told once, at the first such run."""
    if run.run_id is not None:
        run.store.record_unreadable(page.url, result.status, why, run.now)
        note = _health(ChangeKind.PAGE_UNREADABLE, page, run, after=why)
        run.store.queue_page_health(run.run_id, note, run.now)
    return PageOutcome(page.url, "unreadable", reason=why)


def _hold(page: Page, reading: Reading, run: _Run) -> PageOutcome | None:
    """A change set too large for one inspection waits for a second, identical reading."""
    changed = findings_changed(reading.changes)
    if changed <= run.alerts.max_findings_changed:
        return None
    digest = reading_digest(a for _, a in reading.readings)
    if run.state and run.state.held_hash == digest:
        return None  # read the same twice: believed, and alerted in summarised form
    why = (
        f"{changed} findings added or removed at once (more than "
        f"[alerts] max_findings_changed = {run.alerts.max_findings_changed}): "
        "held until the next run reads the same"
    )
    if run.run_id is not None:
        run.store.record_held(page.url, digest, why, run.now)
    return PageOutcome(page.url, "held", reason=why)


def _health(kind: ChangeKind, page: Page, run: _Run, *, after: str | None = None) -> Change:
    state = run.store.page_state(page.url)
    return Change(
        kind=kind,
        url=page.url,
        organisation=page.organisation,
        cycle=page.cycle,
        after=after,
        basis=(state.unreadable_since if state else None) or run.now.isoformat(),
    )


def _record_failure(page: Page, result: FetchResult, reason: str, run: _Run) -> None:
    """Count the failure; at the threshold, queue the page's one "unreachable" alert."""
    assert run.run_id is not None
    failures = run.store.record_failure(page.url, result.status, reason, run.now)
    state = run.store.page_state(page.url)
    if failures < run.alerts.unreachable_after or state is None or state.failing_since is None:
        return
    alert = Change(
        kind=ChangeKind.PAGE_UNREACHABLE,
        url=page.url,
        organisation=page.organisation,
        cycle=page.cycle,
        before=str(failures),
        after=reason,
        basis=state.failing_since,
    )
    run.store.queue_page_health(run.run_id, alert, run.now)


def _note_recovery(page: Page, state: PageState | None, run: _Run) -> None:
    """A page answering again after an "unreachable" alert gets one quiet note; a page
    read well again after a "can't read reliably" note, one too."""
    if run.run_id is None or state is None:
        return
    if state.unreadable_since is not None:
        note = _health(ChangeKind.PAGE_READABLE, page, run)
        run.store.queue_page_health(run.run_id, note, run.now)
    if state.failing_since is None:
        return
    note = Change(
        kind=ChangeKind.PAGE_REACHABLE,
        url=page.url,
        organisation=page.organisation,
        cycle=page.cycle,
        before=str(state.consecutive_failures),
        basis=state.failing_since,
    )
    run.store.queue_page_health(run.run_id, note, run.now)


def _damage(body: bytes, store: Store, state: PageState | None) -> str | None:
    """Why a 200 cannot be trusted this time (cut short, broken bytes), if it cannot."""
    last_good = store.body(state.body_sha256) if state and state.body_sha256 else None
    return damage(body, last_good)


def _failure_reason(result: FetchResult) -> str | None:
    if result.outcome is FetchOutcome.OK:
        content_type = (result.content_type or "").split(";")[0].strip().lower()
        if content_type and content_type not in HTML_TYPES:
            return f"not an HTML page ({content_type})"
        if not result.body.strip():
            return "empty page"
        return None
    if result.outcome is FetchOutcome.GONE:
        return f"HTTP {result.status}: the page had been published and is gone this time"
    if result.outcome is FetchOutcome.NOT_MODIFIED:  # `_without_parsing` took the rest
        return "HTTP 304 (not modified), but no copy of the page is stored to compare with"
    return result.error or f"HTTP {result.status}"


def _preview(
    report: RunReport, new_pages: list[Assessment], notifier: Notifier, now: datetime
) -> None:
    """Show what a real run would alert, sending nothing anywhere else."""
    for organisation, changes in _by_organisation(report.changes):
        for message in render_digest(organisation, changes, now.date()):
            notifier.send(message)
    if new_pages:
        notifier.send(render_baseline(new_pages, now.date()))


def _by_organisation(changes: Iterable[Change]) -> list[tuple[str, list[Change]]]:
    groups: dict[str, list[Change]] = {}
    for change in changes:
        groups.setdefault(change.organisation, []).append(change)
    return list(groups.items())
