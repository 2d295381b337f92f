"""The demo's story: the whole job, offline, one replayed day at a time.

A local web server on 127.0.0.1 plays back the bundled archive (`watcher.demo.replay`), one
day at a time; each day the real check runs over it (`run_once` with the real fetcher,
parser, diff and SQLite store), and the alerts it sends are shown as Slack would show
them. Nothing leaves the machine unless Slack is configured, in which case the same
alerts go to Slack too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from rich.console import Console
from rich.table import Table

from watcher.catalogue import Page
from watcher.check import RunReport, run_once
from watcher.config import HttpSettings
from watcher.demo.html_report import RunRecord, count_alerts
from watcher.demo.replay import Archive, ReplaySite, Step
from watcher.fetch import Fetcher, build_client
from watcher.models import Assessment, Change
from watcher.notify import (
    MAX_BLOCKS,
    ConsoleNotifier,
    Delivery,
    Message,
    Notifier,
    format_date,
)
from watcher.store import Store

# The demo's site is this machine: no politeness delay, a short timeout, no retries.
DEMO_HTTP = HttpSettings(timeout=10.0, delay=0.0, max_concurrency=4, retries=1)
RUN_TIME = time(7, 0, tzinfo=UTC)
TITLE = "watcher demo: five days of HMICFRS pages, replayed"
# How the archive names its organisations where the catalogue has no name for them.
NAMES = {"frs/hereford-and-worcester": "Hereford & Worcester Fire and Rescue Service"}


# ---------------------------------------------------------------- delivery


@dataclass
class DemoNotifier:
    """Shows every message in the terminal, sends it to Slack too if configured, keeps it.

    A Slack failure is reported and never stops the demo; a fatal one (a bad token)
    turns Slack off for the rest of it.
    """

    console: ConsoleNotifier
    slack: Notifier | None = None
    warn: Callable[[str], None] = print
    name: str = "demo"
    sent: list[Message] = field(default_factory=list)
    slack_failures: int = 0

    def send(self, message: Message) -> Delivery:
        self.sent.append(message)
        self.console.send(message)
        if self.slack is not None:
            delivery = self.slack.send(demo_marked(message))
            if not delivery.ok:
                self.slack_failures += 1
                self.warn(f"Slack: {delivery.error}")
                if delivery.fatal:
                    self.slack = None
        return Delivery(ok=True)

    def take(self) -> tuple[Message, ...]:
        """The messages sent since the last call."""
        taken, self.sent = tuple(self.sent), []
        return taken


DEMO_MARK = "[DEMO]"
DEMO_NOTE = (
    f"{DEMO_MARK} Demo data from `watcher demo`: illustrative pages with made-up grades, "
    "not these organisations' real inspection results."
)


def demo_marked(message: Message) -> Message:
    """The message as the demo posts it to Slack: marked as demo data, top and bottom.

    The alerts name real forces with made-up grades; in a real workspace nobody may
    take one for news, in the notification, the header or the message body.
    """
    blocks = [_marked_header(block) for block in message.blocks]
    note = {"type": "context", "elements": [{"type": "mrkdwn", "text": DEMO_NOTE}]}
    # Slack takes at most 50 blocks: a full message keeps its header's mark and one note.
    room = MAX_BLOCKS - len(blocks)
    marked = [*blocks[:1], note, *blocks[1:]] if room >= 1 else blocks
    if room >= 2:
        marked.append(note)
    return Message(text=f"{DEMO_MARK} {message.text}", blocks=tuple(marked))


def _marked_header(block: dict[str, Any]) -> dict[str, Any]:
    if block.get("type") != "header":
        return block
    text = block["text"]["text"]
    return {**block, "text": {**block["text"], "text": f"{DEMO_MARK} {text}"[:150]}}


# ---------------------------------------------------------------- the replay


@dataclass
class Replay:
    """What the demo did: the runs as the report shows them, and the raw run reports."""

    runs: list[RunRecord] = field(default_factory=list)
    reports: list[RunReport] = field(default_factory=list)
    not_modified: int = 0

    @property
    def changes(self) -> list[Change]:
        return [c for run in self.runs for c in run.changes]


Reading = dict[tuple[str, str], Assessment]


def replay(archive: Archive, store: Store, notifier: DemoNotifier, console: Console) -> Replay:
    """Serve the archive locally and run the real check once per step over it."""
    result = Replay()
    site = ReplaySite(archive)
    with site.running(), build_client(DEMO_HTTP) as client:
        player = _Player(archive, site, Fetcher(client, DEMO_HTTP, ["127.0.0.1"]), store)
        for index, step in enumerate(archive.steps):
            _announce(console, index, step)
            served = site.not_modified
            report, record = player.run(index, notifier)
            result.runs.append(record)
            result.reports.append(report)
            result.not_modified += site.not_modified - served
            _run_line(console, report, record, site.not_modified - served)
    return result


class _Player:
    """Runs the real check over the replay site, one step at a time."""

    def __init__(self, archive: Archive, site: ReplaySite, fetcher: Fetcher, store: Store) -> None:
        self.archive, self.site, self.fetcher, self.store = archive, site, fetcher, store
        self.pages = [Page(site.base_url + p.path, p.organisation, p.cycle) for p in archive.pages]

    def run(self, index: int, notifier: DemoNotifier) -> tuple[RunReport, RunRecord]:
        """Step the site to `index` and check every page once, as on that step's morning."""
        self.site.step = index
        step = self.archive.steps[index]
        before = _readings(self.store, self.pages)
        now = datetime.combine(step.day, RUN_TIME)
        report = run_once(
            self.pages, fetcher=self.fetcher, store=self.store, notifier=notifier, now=lambda: now
        )
        after = _readings(self.store, self.pages)
        cosmetic = _cosmetic(self.archive, index, self.pages, report, before, after)
        changes = tuple(c for c in report.changes if c.alerts)
        label = f"Run {index + 1}"
        messages = notifier.take()
        record = RunRecord(
            label, step.day, step.story, tuple(after.values()), changes, messages, len(cosmetic)
        )
        return report, record


def _readings(store: Store, pages: Sequence[Page]) -> Reading:
    """The latest stored assessment of every page, and of every organisation on a list."""
    found: Reading = {}
    for page in pages:
        for subject in store.subjects(page.url):
            assessment = store.latest_assessment(page.url, subject)
            if assessment is not None:
                found[(page.url, subject)] = assessment
    return found


def _cosmetic(
    archive: Archive,
    index: int,
    pages: Sequence[Page],
    report: RunReport,
    before: Reading,
    after: Reading,
) -> list[str]:
    """Pages whose bytes changed in this step while what they say did not."""
    changed = {c.url for c in report.changes}
    cosmetic = []
    for page, archived in zip(pages, archive.pages, strict=True):
        if not archive.changed_bytes(archived, index) or page.url in changed:
            continue
        if _of(before, page.url) == _of(after, page.url):
            cosmetic.append(page.url)
    return cosmetic


def _of(reading: Reading, url: str) -> dict[str, str]:
    return {subject: a.content_hash() for (page, subject), a in reading.items() if page == url}


# ---------------------------------------------------------------- the terminal


def _announce(console: Console, index: int, step: Step) -> None:
    console.print()
    console.rule(f"[bold]Run {index + 1}[/] · {format_date(step.day)}", align="left")
    console.print("[dim]On the site since the last run:[/]")
    for line in step.story:
        console.print(f"  • {line}", style="dim", markup=False)
    console.print()


def _run_line(console: Console, report: RunReport, record: RunRecord, not_modified: int) -> None:
    parts = [
        _count(len(report.outcomes), "page") + " checked",
        f"{report.count('changed') + report.count('published')} changed",
        f"{not_modified} answered 304 Not Modified",
        f"{report.count('absent')} not published (404)",
        _count(record.cosmetic, "cosmetic change") + " ignored",
        f"{len(report.failed)} failed",
    ]
    alerts = _count(len(record.changes), "alert")
    messages = _count(len(record.messages), "message")
    console.print(f"[dim]{', '.join(parts)} → {alerts} in {messages}[/]")
    for outcome in report.failed:
        console.print(f"  failed: {outcome.url}: {outcome.reason}", style="red", markup=False)


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summarise(console: Console, archive: Archive, result: Replay) -> None:
    """The closing summary: pages, runs, alerts by kind, cosmetic changes ignored."""
    console.print()
    console.rule("[bold]Summary[/]", align="left")
    table = Table("alert", "count", box=None, show_edge=False, pad_edge=False)
    for kind, count in count_alerts(result.changes).items():
        table.add_row(kind, str(count))
    messages = sum(len(run.messages) for run in result.runs)
    baselines = sum(1 for report in result.reports if report.count("new"))
    console.print(
        f"{len(archive.pages)} pages, {len(result.runs)} runs, {len(result.changes)} alerts "
        f"in {messages} Slack messages ({baselines} of them a baseline note)"
    )
    console.print(table)
    cosmetic = sum(run.cosmetic for run in result.runs)
    console.print(
        f"{cosmetic} cosmetic changes ignored (pages whose bytes changed but whose "
        f"assessment did not); {result.not_modified} answers were 304 Not Modified"
    )
