"""The operator's commands: `status`, `history`, `diff`, `forces`.

Each reads the state database, prints, and changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime

import click
import sqlite_utils
from rich.console import Console

from watcher.catalogue import organisation_slug, organisation_slugs
from watcher.cli.base import EXIT_OK, EXIT_PARTIAL, CannotRun, command_config, utc_now
from watcher.cli.terminal import comparison_view, forces_table, history_view, status_view
from watcher.config import Config, did_you_mean
from watcher.lock import run_in_progress
from watcher.schedule import is_stale, next_check
from watcher.store import StoreError, database_problem, open_readonly, queries, versions


@contextmanager
def _read_state(config: Config) -> Iterator[sqlite_utils.Database]:
    try:
        db = open_readonly(config.state.path)
    except StoreError as exc:
        raise CannotRun(str(exc)) from None
    try:
        yield db
    except sqlite3.Error as exc:
        raise CannotRun(database_problem(config.state.path, exc)) from None
    finally:
        db.close()


@click.command(name="status")
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
    config = command_config(ctx)
    with _read_state(config) as db:
        found = queries.status(db, runs=runs, in_progress=run_in_progress(config.state.path))
    now = utc_now()
    upcoming = next_check(config.schedule, now)
    console = Console()
    console.print(status_view(found, upcoming, config.schedule.jitter))
    warnings = _health_warnings(found, config, now)
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    ctx.exit(EXIT_OK if found.healthy and not warnings else EXIT_PARTIAL)


def _health_warnings(found: queries.Status, config: Config, now: datetime) -> list[str]:
    """What makes `status` exit 1 beyond failing pages and waiting alerts."""
    warnings = []
    if found.interrupted:
        warnings.append(
            f"run {found.runs[0].id} was interrupted (killed before it finished); "
            "the next run picks up where it left off"
        )
    if is_stale(config.schedule, found.last_complete, now):
        assert found.last_complete is not None  # is_stale is False without one
        warnings.append(
            f"the last complete run finished at {found.last_complete:%Y-%m-%d %H:%M %Z}, "
            "more than two scheduled periods ago: is `watcher run` (or cron) running?"
        )
    return warnings


@click.command(name="history")
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
    config = command_config(ctx)
    force = organisation_slug(force) or force  # any case; a renamed force's old slug
    with _read_state(config) as db:
        if not queries.known_organisation(db, force):
            hint = did_you_mean(force.strip().lower(), organisation_slugs())
            raise click.BadParameter(f"unknown force {force!r}{hint} (see `watcher forces`)")
        found = queries.force_history(db, force, unit=unit, since=since.date() if since else None)
    if as_json:
        click.echo(json.dumps(asdict(found), indent=2, ensure_ascii=False))
        return
    Console().print(history_view(found))


@click.command(name="diff")
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
    config = command_config(ctx)
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


@click.command(name="forces")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.pass_context
def forces_command(ctx: click.Context, as_json: bool) -> None:
    """List the catalogue's forces, one row each, with their current grades.

    A force's grades are those of its newest graded cycle in the state database.

    \b
    Example:
        watcher forces --json
    """
    config = command_config(ctx)
    with _read_state(config) as db:
        rows = queries.current_grades(db)
    if as_json:
        data = [asdict(row) for row in rows]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return
    Console().print(forces_table(rows))
