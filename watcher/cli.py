"""The `watcher` command: a thin skin over the library.

Each command builds its I/O objects, calls one library function and reports.
Exit codes: 0 ran; 1 ran but some pages or alerts failed; 2 could not run.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console

from watcher import __version__
from watcher.catalogue import FORCES, Page, expand, force_name
from watcher.check import RunReport, run_once
from watcher.config import Config, ConfigError, load_config
from watcher.fetch import Fetcher, FetchOutcome, PageRequest, build_client
from watcher.lock import LockError, RunLock
from watcher.notify import ConsoleNotifier, Notifier, notifier_from_env
from watcher.parse import parse
from watcher.schedule import run_forever
from watcher.store import Store, StoreError, open_database

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
@click.option("-v", "--verbose", is_flag=True, help="Log every page.")
@click.option("-q", "--quiet", is_flag=True, help="Log only problems.")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: bool, quiet: bool) -> None:
    """Watch HMICFRS inspection pages and alert Slack when grades or findings change.

    \b
    Example:
        watcher --config config.toml check --force kent
    """
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "slack_sdk", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    ctx.obj = config_path


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
    report = check_once(config, console, forces=forces, dry_run=dry_run)
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
            )
    except LockError as exc:
        raise CannotRun(str(exc)) from None


@main.command(name="run")
@click.pass_context
def run_command(ctx: click.Context) -> None:
    """Run forever, checking on the [schedule] of the config (the Procfile's clock).

    Stops cleanly on SIGTERM or SIGINT, after the page in progress.

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

    run_forever(config.schedule, job, last_success, utc_now)


def _pages(config: Config, forces: tuple[str, ...]) -> list[Page]:
    watch = config.watch
    if not forces:
        return expand(config.site.base_url, watch.forces, watch.cycles, watch.pages)
    for slug in forces:
        if slug not in FORCES:
            raise CannotRun(f"--force {slug}: unknown force (see the slugs in config.toml)")
    return expand(config.site.base_url, forces, watch.cycles)


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
    assessment = parse(result.body, url)
    if as_json:
        click.echo(json.dumps(assessment.to_dict(), indent=2, ensure_ascii=False))
        return
    console = Console()
    org = force_name(assessment.organisation) if assessment.organisation else "(no force)"
    console.print(f"[bold]{org}[/] · {assessment.cycle or '?'} · {assessment.kind}")
    for j in assessment.judgements:
        console.print(f"  {j.label}: [bold]{j.grade.label}[/]  ({j.unit})")
    for f in assessment.findings:
        console.print(f"  {f.kind.label} ({f.unit}): {f.text}", markup=False)
    for anomaly in assessment.anomalies:
        console.print(f"  [yellow]anomaly:[/] {anomaly}")
