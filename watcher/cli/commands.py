"""The `watcher` command: a thin skin over the library.

Each command builds its I/O objects, calls one library function and reports.
Exit codes: 0 ran; 1 ran but some pages or alerts failed; 2 could not run.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import click

from watcher.catalogue import (
    Page,
    organisation_name,
)
from watcher.check import PageOutcome, RunReport, run_once
from watcher.cli.base import EXIT_OK, EXIT_PARTIAL, CannotRun, command_config, select_pages, utc_now
from watcher.cli.progress import page_progress, stderr_console, stderr_is_terminal
from watcher.cli.run_health import plural, published_before, run_warnings
from watcher.config import Config, ConfigError
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client
from watcher.lock import LockError, RunLock
from watcher.models import Assessment
from watcher.notify import (
    ConsoleNotifier,
    Notifier,
    Routing,
    routing_from_env,
)
from watcher.schedule import run_forever, stop_on_signals
from watcher.store import (
    Store,
    StoreError,
    database_problem,
    open_database,
    scratch_database,
)

if TYPE_CHECKING:
    from rich.console import Console

    from watcher.discover import Discovery
from watcher.trust import distrust

log = logging.getLogger("watcher")


@contextmanager
def _open_store(config: Config, *, dry_run: bool = False) -> Iterator[Store]:
    """The state database; for a dry run, read-only, or in memory when there is none yet."""
    path = config.state.path
    try:
        if not dry_run:
            db = open_database(path)
        elif path.is_file():
            from watcher.store import open_readonly

            db = open_readonly(path)
        else:
            db = scratch_database()  # a dry run creates no file
    except StoreError as exc:
        raise CannotRun(str(exc)) from None
    try:
        yield Store(db)
    except sqlite3.Error as exc:
        raise CannotRun(database_problem(path, exc)) from None
    finally:
        db.close()


@contextmanager
def _run_lock(config: Config, *, dry_run: bool) -> Iterator[None]:
    """The run lock; a dry run writes and sends nothing, so it needs none (and makes none)."""
    if dry_run:
        yield
        return
    lock = RunLock(config.state.path)
    try:
        lock.__enter__()
    except LockError as exc:
        raise CannotRun(str(exc)) from None
    except PermissionError as exc:
        raise CannotRun(
            f"cannot write beside the state database {config.state.path} "
            f"({exc.strerror}): make its directory writable, or set [state] path "
            "(or WATCHER_STATE) to a writable place"
        ) from None
    except OSError as exc:
        raise CannotRun(f"cannot take the run lock beside {config.state.path}: {exc}") from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


@click.command()
@click.option(
    "--force",
    "forces",
    multiple=True,
    metavar="SLUG",
    help="Only this force (repeatable), e.g. --force kent.",
)
@click.option("--dry-run", is_flag=True, help="Fetch, parse and print; store and send nothing.")
@click.pass_context
def check(ctx: click.Context, forces: tuple[str, ...], dry_run: bool) -> None:
    """Check every watched page once and send the alerts.

    \b
    Examples:
        watcher check
        watcher check --force kent --dry-run
    """
    config = command_config(ctx)
    quiet = bool(ctx.find_root().params.get("quiet"))
    # A bar on a terminal; elsewhere (cron, Procfile) the log has a line per page.
    bar = stderr_console() if not quiet and stderr_is_terminal() else None
    with (
        stop_on_signals() as stop,
        page_progress(bar, len(_pages(config, forces))) as on_page,
    ):
        report = check_once(
            config,
            None,  # alerts printed when no Slack is set: stdout, set up at the first one
            forces=forces,
            dry_run=dry_run,
            should_stop=stop.is_set,
            on_page=on_page,
        )
    if not quiet or report.exit_code or dry_run or report.warnings:
        _summarise(report, dry_run)
    if report.fatal:
        raise click.ClickException(f"Slack: {report.fatal}")
    ctx.exit(max(report.exit_code, EXIT_PARTIAL if report.warnings else EXIT_OK))


def check_once(
    config: Config,
    console: Console | None,
    *,
    forces: tuple[str, ...] = (),
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    on_page: Callable[[PageOutcome], None] | None = None,
) -> RunReport:
    """One locked run with fresh I/O objects: what `check` and each scheduled job do."""
    pages = _pages(config, forces)
    notifier = ConsoleNotifier(console) if dry_run else _notifier(config, console, should_stop)
    with (
        _run_lock(config, dry_run=dry_run),
        _open_store(config, dry_run=dry_run) as store,
        build_client(config.http) as client,
    ):
        known = published_before(store.page_states())
        report = run_once(
            pages,
            fetcher=Fetcher(client, config.http, config.site.allowed_hosts),
            store=store,
            notifier=notifier,
            now=utc_now,
            dry_run=dry_run,
            should_stop=should_stop,
            on_page=on_page,
            alerts=config.alerts,
            discovery=_discovery(config, pages),
        )
        if forces and report.run_id is not None:
            store.mark_run_forced(report.run_id)  # not a complete run, for the catch-up
    report.warnings.extend(run_warnings(report, known))
    for warning in report.warnings:
        log.warning("%s", warning)
    return report


@click.command(name="run")
@click.option(
    "--second",
    type=click.IntRange(0, 59),
    default=0,
    hidden=True,  # for tests: a real schedule that fires seconds ahead, not minutes
    help="Fire at this second of the scheduled minute.",
)
@click.pass_context
def run_command(ctx: click.Context, second: int) -> None:
    """Run forever, checking on the [schedule] of the config (the Procfile's clock).

    Logs the next check when it starts. When the last successful run is older than
    one scheduled period (the clock was down), it checks at once to catch up.
    Stops cleanly on SIGTERM or SIGINT, after the page in progress, with exit code 0.

    \b
    Example:
        watcher --config config.toml run
    """
    config = command_config(ctx)

    def job(stop: threading.Event) -> None:
        try:
            report = check_once(config, None, should_stop=stop.is_set)
        except click.ClickException as exc:
            log.error("scheduled check could not run: %s", exc.message)
            return
        _summarise(report, dry_run=False)

    def last_success() -> datetime | None:
        with _open_store(config) as store:
            return store.last_success()

    run_forever(config.schedule, job, last_success, utc_now, second=second)


def _discovery(config: Config, pages: Sequence[Page]) -> Discovery | None:
    """The listings to read first; None (and discover never imported) without [discover]."""
    if not config.discover.sources:
        return None
    from watcher.discover import Discovery

    return Discovery.from_config(config, pages)


def _pages(config: Config, only: tuple[str, ...]) -> list[Page]:
    """The catalogue's pages, or only those of the forces and services named by --force."""
    return select_pages(config, only)


def _notifier(
    config: Config, console: Console | None, should_stop: Callable[[], bool]
) -> Notifier | Routing:
    try:
        return routing_from_env(os.environ, config.slack, console, should_stop=should_stop)
    except ConfigError as exc:
        raise CannotRun(str(exc)) from None


def _summarise(report: RunReport, dry_run: bool) -> None:
    """The run in a few plain lines on stdout (never wrapped: URLs stay whole)."""
    prefix = "dry run: " if dry_run else ""
    lines = [
        f"{prefix}{plural(len(report.outcomes), 'page')}: {report.count('changed')} changed, "
        f"{report.count('published')} newly published, {report.count('new')} new, "
        f"{report.count('unchanged')} unchanged, {report.count('absent')} not published, "
        f"{len(report.failed)} failed, {len(report.unreadable)} unreadable; "
        f"{plural(len(report.changes), 'change')}; "
        f"{plural(report.alerts_sent, 'alert')} sent, {report.alerts_pending} pending"
    ]
    lines += [f"  failed: {outcome.url}: {outcome.reason}" for outcome in report.failed]
    lines += [f"  can't read reliably: {o.url}: {o.reason}" for o in report.unreadable]
    lines += [f"  held: {o.url}: {o.reason}" for o in report.outcomes if o.status == "held"]
    lines += [f"  warning: {warning}" for warning in report.warnings]
    if report.delivery_error:
        lines.append(f"  Slack: {report.delivery_error} (alerts kept for the next run)")
    click.echo("\n".join(lines))


@click.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
@click.pass_context
def show(ctx: click.Context, url: str, as_json: bool) -> None:
    """Fetch and parse one page and print its assessment; store nothing.

    The JSON has `readings` (each independent reading of the grades, what it gave and
    whether it agreed) and `unreadable` (why the page cannot be read reliably, else
    null). Exits 1 when the page cannot be read reliably, 2 when it cannot be fetched.

    \b
    Example:
        watcher show https://hmicfrs.justiceinspectorates.gov.uk/peel-reports/kent-2023-25/ --json
    """
    config = command_config(ctx)
    with build_client(config.http) as client:
        result = Fetcher(client, config.http, config.site.allowed_hosts).fetch(PageRequest(url))
    if result.outcome is not FetchOutcome.OK:
        raise CannotRun(f"{url}: {result.error or f'HTTP {result.status}'}")
    from watcher.parse import parse_all

    assessments = _trusted(parse_all(result.body, url))
    if as_json:
        # One object for a page about one organisation; a list for an all-force page
        # (empty when it says that it lists nobody).
        multi = not assessments or assessments[0].kind.is_multi
        data = [a.to_dict() for a in assessments] if multi else assessments[0].to_dict()
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        from rich.console import Console

        console = Console()
        for assessment in assessments:
            _print_assessment(console, assessment)
    ctx.exit(EXIT_PARTIAL if any(a.unreadable for a in assessments) else EXIT_OK)


def _trusted(assessments: list[Assessment]) -> list[Assessment]:
    """The assessments as `check` would judge them: a distrusted page says why."""
    if len(assessments) != 1 or assessments[0].unreadable:
        return assessments
    why = distrust(assessments[0].organisation, assessments)
    return [replace(assessments[0], unreadable=why)] if why else assessments


def _print_assessment(console: Console, assessment: Assessment) -> None:
    org = organisation_name(assessment.organisation) if assessment.organisation else "(no force)"
    console.print(f"[bold]{org}[/] · {assessment.cycle or '?'} · {assessment.kind}")
    for j in assessment.judgements:
        console.print(f"  {j.label}: [bold]{j.grade.label}[/]  ({j.unit})")
    for f in assessment.findings:
        console.print(f"  {f.kind.label} ({f.unit}): {f.text}", markup=False)
    for anomaly in assessment.anomalies:
        console.print(f"  [yellow]anomaly:[/] {anomaly}")
    for reading in assessment.readings:
        agreed = {True: "agreed", False: "disagreed", None: "alone"}[reading.agreed]
        console.print(f"  reading: {reading.source} ({agreed})", markup=False)
    if assessment.unreadable:
        console.print(f"  can't read reliably: {assessment.unreadable}", markup=False)
