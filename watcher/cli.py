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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlite_utils
from rich.console import Console
from rich.logging import RichHandler

from watcher import __version__, queries, versions
from watcher.catalogue import (
    FORCES,
    SERVICE_PREFIX,
    SERVICES,
    Page,
    expand,
    expand_services,
    organisation_name,
)
from watcher.check import PageOutcome, RunReport, run_once
from watcher.config import Config, ConfigError, load_config
from watcher.demo import demo
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client
from watcher.lock import LockError, RunLock
from watcher.models import Assessment
from watcher.notify import ConsoleNotifier, Notifier, notifier_from_env
from watcher.parse import parse_all
from watcher.queries import open_readonly
from watcher.schedule import next_check, run_forever
from watcher.store import Store, StoreError, open_database
from watcher.terminal import (
    STDERR,
    comparison_view,
    forces_table,
    history_view,
    page_progress,
    status_view,
)

log = logging.getLogger("watcher")

EXIT_OK, EXIT_PARTIAL, EXIT_CANNOT_RUN = 0, 1, 2


def utc_now() -> datetime:
    return datetime.now(UTC)


class CannotRun(click.ClickException):
    """The command could not run at all (configuration, lock, database)."""

    exit_code = EXIT_CANNOT_RUN


@click.group()
@click.version_option(__version__, prog_name="watcher")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $WATCHER_CONFIG or ./config.toml).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Also log every HTTP request and the scheduler's steps."
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Log only problems, and print no run summary when all went well (for cron).",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: bool, quiet: bool) -> None:
    """Watch HMICFRS inspection pages and alert Slack when grades or findings change.

    Logs go to stderr, one line per page checked and per problem.

    \b
    Example:
        watcher --config config.toml check --force kent
    """
    _configure_logging(verbose=verbose, quiet=quiet)
    ctx.obj = config_path


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    """Plain lines on stderr; through rich on a terminal, so a progress bar stays whole."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler: logging.Handler
    if STDERR.is_terminal:
        handler = RichHandler(console=STDERR, show_path=False, markup=False)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    else:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    # -v / -q also set our logger's level: basicConfig does nothing when logging was
    # already set up (by an embedding program or a test runner). The default inherits.
    logging.getLogger("watcher").setLevel(level if verbose or quiet else logging.NOTSET)
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    for noisy in ("httpcore", "slack_sdk", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _config(ctx: click.Context) -> Config:
    try:
        return load_config(ctx.obj)
    except ConfigError as exc:
        raise CannotRun(f"configuration: {exc}") from None


@contextmanager
def _open_store(config: Config) -> Iterator[Store]:
    try:
        db = open_database(config.state.path)
    except StoreError as exc:
        raise CannotRun(str(exc)) from None
    try:
        yield Store(db)
    finally:
        db.close()


@main.command()
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
    config = _config(ctx)
    console = Console()
    quiet = bool(ctx.find_root().params.get("quiet"))
    # A bar on a terminal; elsewhere (cron, Procfile) the log has a line per page.
    show_bar = STDERR.is_terminal and not quiet
    with page_progress(STDERR, len(_pages(config, forces)), show=show_bar) as on_page:
        report = check_once(config, console, forces=forces, dry_run=dry_run, on_page=on_page)
    if not quiet or report.exit_code or dry_run:
        _summarise(console, report, dry_run)
    if report.fatal:
        raise click.ClickException(f"Slack: {report.fatal}")
    ctx.exit(report.exit_code)


def check_once(
    config: Config,
    console: Console,
    *,
    forces: tuple[str, ...] = (),
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    on_page: Callable[[PageOutcome], None] | None = None,
) -> RunReport:
    """One locked run with fresh I/O objects: what `check` and each scheduled job do."""
    pages = _pages(config, forces)
    notifier = ConsoleNotifier(console) if dry_run else _notifier(config, console)
    try:
        with (
            RunLock(config.state.path),
            _open_store(config) as store,
            build_client(config.http) as client,
        ):
            return run_once(
                pages,
                fetcher=Fetcher(client, config.http, config.site.allowed_hosts),
                store=store,
                notifier=notifier,
                now=utc_now,
                dry_run=dry_run,
                should_stop=should_stop,
                on_page=on_page,
                unreachable_after=config.alerts.unreachable_after,
            )
    except LockError as exc:
        raise CannotRun(str(exc)) from None


@main.command(name="run")
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
    config = _config(ctx)
    console = Console()

    def job(stop: threading.Event) -> None:
        try:
            report = check_once(config, console, should_stop=stop.is_set)
        except click.ClickException as exc:
            log.error("scheduled check could not run: %s", exc.message)
            return
        _summarise(console, report, dry_run=False)

    def last_success() -> datetime | None:
        with _open_store(config) as store:
            return store.last_success()

    run_forever(config.schedule, job, last_success, utc_now, second=second)


def _pages(config: Config, only: tuple[str, ...]) -> list[Page]:
    """The catalogue's pages, or only those of the forces and services named by --force."""
    watch, base = config.watch, config.site.base_url
    if not only:
        police = expand(base, watch.forces, watch.cycles, watch.pages)
        fire = expand_services(base, watch.services, watch.cycles) if watch.services != () else []
        return police + fire
    forces = [slug for slug in only if slug in FORCES]
    services = [s.removeprefix(SERVICE_PREFIX) for s in only if s.startswith(SERVICE_PREFIX)]
    for slug in only:
        if slug not in FORCES and slug.removeprefix(SERVICE_PREFIX) not in SERVICES:
            raise CannotRun(f"--force {slug}: unknown force or service (e.g. kent, frs/kent)")
    fire = [p for p in expand_services(base, services, watch.cycles) if p.organisation]
    return expand(base, forces, watch.cycles) + fire


def _notifier(config: Config, console: Console) -> Notifier:
    try:
        return notifier_from_env(os.environ, config.slack, console)
    except ConfigError as exc:
        raise CannotRun(str(exc)) from None


def _summarise(console: Console, report: RunReport, dry_run: bool) -> None:
    prefix = "dry run: " if dry_run else ""
    console.print(
        f"{prefix}{len(report.outcomes)} pages: {report.count('changed')} changed, "
        f"{report.count('published')} newly published, {report.count('new')} new, "
        f"{report.count('unchanged')} unchanged, {report.count('absent')} not published, "
        f"{len(report.failed)} failed; {len(report.changes)} changes; "
        f"{report.alerts_sent} alerts sent, {report.alerts_pending} pending"
    )
    for outcome in report.failed:
        console.print(f"  failed: {outcome.url}: {outcome.reason}")
    if report.delivery_error:
        console.print(f"  Slack: {report.delivery_error} (alerts kept for the next run)")


@main.command()
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the assessment as JSON.")
@click.pass_context
def show(ctx: click.Context, url: str, as_json: bool) -> None:
    """Fetch and parse one page and print its assessment; store nothing.

    \b
    Example:
        watcher show https://hmicfrs.justiceinspectorates.gov.uk/peel-reports/kent-2023-25/ --json
    """
    config = _config(ctx)
    with build_client(config.http) as client:
        result = Fetcher(client, config.http, config.site.allowed_hosts).fetch(PageRequest(url))
    if result.outcome is not FetchOutcome.OK:
        raise CannotRun(f"{url}: {result.error or f'HTTP {result.status}'}")
    assessments = parse_all(result.body, url)
    if as_json:
        # One object for a page about one organisation; a list for an all-force page.
        multi = bool(assessments) and assessments[0].kind.is_multi
        data = [a.to_dict() for a in assessments] if multi else assessments[0].to_dict()
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console()
    for assessment in assessments:
        _print_assessment(console, assessment)


def _print_assessment(console: Console, assessment: Assessment) -> None:
    org = organisation_name(assessment.organisation) if assessment.organisation else "(no force)"
    console.print(f"[bold]{org}[/] · {assessment.cycle or '?'} · {assessment.kind}")
    for j in assessment.judgements:
        console.print(f"  {j.label}: [bold]{j.grade.label}[/]  ({j.unit})")
    for f in assessment.findings:
        console.print(f"  {f.kind.label} ({f.unit}): {f.text}", markup=False)
    for anomaly in assessment.anomalies:
        console.print(f"  [yellow]anomaly:[/] {anomaly}")


# -- the operator's commands: read the state database, print, change nothing ----------


@contextmanager
def _read_state(config: Config) -> Iterator[sqlite_utils.Database]:
    try:
        db = open_readonly(config.state.path)
    except StoreError as exc:
        raise CannotRun(str(exc)) from None
    try:
        yield db
    except sqlite3.Error as exc:
        raise CannotRun(f"cannot read {config.state.path}: {exc}") from None
    finally:
        db.close()


@main.command(name="status")
@click.option("--runs", default=5, show_default=True, help="How many recent runs to list.")
@click.pass_context
def status_command(ctx: click.Context, runs: int) -> None:
    """Show the last runs, the pages failing now, the alerts waiting, and the next check.

    Exits 1 when a page is failing or an alert is waiting (a health check for
    monitoring), 2 when there is no state database to read.

    \b
    Example:
        watcher status --runs 10
    """
    config = _config(ctx)
    with _read_state(config) as db:
        found = queries.status(db, runs=runs)
    upcoming = next_check(config.schedule, utc_now())
    Console().print(status_view(found, upcoming, config.schedule.jitter))
    ctx.exit(EXIT_OK if found.healthy else EXIT_PARTIAL)


@main.command(name="history")
@click.argument("force")
@click.option("--unit", metavar="UNIT", help="Only this unit and its questions, e.g. legitimacy.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Only what was first seen on or after this date (YYYY-MM-DD).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_context
def history_command(
    ctx: click.Context, force: str, unit: str | None, since: datetime | None, as_json: bool
) -> None:
    """Show a force's grades per unit across cycles, and its findings added and resolved.

    Each grade is shown with the date the watcher first saw it.

    \b
    Examples:
        watcher history kent
        watcher history kent --unit legitimacy --since 2025-01-01 --json
    """
    config = _config(ctx)
    with _read_state(config) as db:
        if not queries.known_organisation(db, force):
            raise click.BadParameter(f"unknown force {force!r} (see `watcher forces`)")
        found = queries.force_history(db, force, unit=unit, since=since.date() if since else None)
    if as_json:
        click.echo(json.dumps(asdict(found), indent=2, ensure_ascii=False))
        return
    Console().print(history_view(found))


@main.command(name="diff")
@click.argument("url")
@click.option("--from", "older", type=int, metavar="N", help="Older version (default: M - 1).")
@click.option("--to", "newer", type=int, metavar="M", help="Newer version (default: the latest).")
@click.option("--subject", default="", metavar="SLUG", help="On an all-force page: which force.")
@click.pass_context
def diff_command(
    ctx: click.Context, url: str, older: int | None, newer: int | None, subject: str
) -> None:
    """Show two stored versions of a page: grades side by side, findings' word diffs.

    Versions are numbered from 1, the oldest stored; by default the last two. For
    explaining an alert. The URL may also be given as its path.

    \b
    Examples:
        watcher diff https://hmicfrs.justiceinspectorates.gov.uk/peel-reports/kent-2023-25/
        watcher diff /peel-reports/kent-2023-25/ --from 1 --to 3
    """
    config = _config(ctx)
    with _read_state(config) as db:
        stored = versions.stored_url(db, url)
        if stored is None:
            raise click.BadParameter(f"no page {url} is stored", param_hint="URL")
        found = versions.stored_versions(db, stored, subject)
        subjects = [s for s in versions.page_subjects(db, stored) if s]
    if not found and subjects and not subject:
        raise click.UsageError(f"an all-force page: add --subject, one of {', '.join(subjects)}")
    try:
        before, after = versions.pick_versions(found, older, newer)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    comparison = versions.compare(before, after)
    Console().print(comparison_view(stored, comparison, len(found)))


@main.command(name="forces")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.pass_context
def forces_command(ctx: click.Context, as_json: bool) -> None:
    """List the catalogue's forces, one row each, with their current grades.

    A force's grades are those of its newest graded cycle in the state database.

    \b
    Example:
        watcher forces --json
    """
    config = _config(ctx)
    with _read_state(config) as db:
        rows = queries.current_grades(db)
    if as_json:
        data = [asdict(row) for row in rows]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    Console().print(forces_table(rows))


main.add_command(demo)  # `watcher demo`: the whole job offline (watcher/demo.py)
