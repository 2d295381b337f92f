"""What the watcher knows, for people and their tools: `report`, `export`, `feed`.

Each opens the state database read-only, takes one snapshot through `store`, hands it
to `watcher.outputs` and writes the file(s). Nothing in the database changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from watcher.catalogue import (
    FORCES,
    SERVICE_PREFIX,
    SERVICES,
    canonical_force,
    canonical_service,
)
from watcher.cli.base import CannotRun, command_config, utc_now
from watcher.outputs import atom_feed, build, render_dashboard, tables, to_csv, to_json
from watcher.store import Snapshot, StoreError, open_readonly, snapshot

_STATE = click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read this state database (default: [state] path of the config).",
)


@contextmanager
def _snapshot(ctx: click.Context, state_path: Path | None) -> Iterator[Snapshot]:
    path = state_path or command_config(ctx).state.path
    try:
        db = open_readonly(path)
    except StoreError as exc:
        raise CannotRun(str(exc)) from None
    try:
        yield snapshot(db)
    except sqlite3.Error as exc:
        raise CannotRun(f"cannot read {path}: {exc}") from None
    finally:
        db.close()


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CannotRun(f"cannot write {path}: {exc.strerror or exc}") from None


@click.command(name="report")
@click.option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the dashboard to this file (one self-contained HTML page).",
)
@click.option(
    "--force",
    "forces",
    multiple=True,
    metavar="SLUG",
    help="Only this force or service (frs/SLUG); repeat for more. Default: all.",
)
@_STATE
@click.pass_context
def report_command(
    ctx: click.Context, html_path: Path, forces: tuple[str, ...], state_path: Path | None
) -> None:
    """Write the grade dashboard: current grades per cycle, each area's grades over time,
    enhanced monitoring and the latest changes, as one self-contained HTML page.

    \b
    Examples:
        watcher report --html report.html
        watcher report --html kent.html --force kent --force frs/kent
    """
    with _snapshot(ctx, state_path) as snap:
        stored = {r.organisation for r in snap.readings}
        only = tuple(_organisation(slug, stored) for slug in forces)
        page = render_dashboard(build(snap, generated=utc_now(), only=only))
    _write(html_path, page)
    click.echo(f"Dashboard: {html_path}")


def _organisation(slug: str, stored: set[str]) -> str:
    """A force's slug (aliases resolved), a service's `frs/<slug>`, or one stored; else exit 2."""
    if slug.startswith(SERVICE_PREFIX):
        service = SERVICE_PREFIX + canonical_service(slug.removeprefix(SERVICE_PREFIX))
        if service in stored or service.removeprefix(SERVICE_PREFIX) in SERVICES:
            return service
    elif (force := canonical_force(slug)) in FORCES or force in stored:
        return force
    raise CannotRun(f"--force {slug}: not a force or service slug (see `watcher forces`)")


@click.command(name="export")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="Write CSV (with a header row) or JSON (an array of objects).",
)
@_STATE
@click.pass_context
def export_command(ctx: click.Context, folder: Path, fmt: str, state_path: Path | None) -> None:
    """Write the open-data tables judgements, findings and changes into FOLDER.

    The columns are listed in the README.

    \b
    Examples:
        watcher export exports/
        watcher export exports/ --format json
    """
    with _snapshot(ctx, state_path) as snap:
        found = tables(snap)
    for table in found:
        text = (to_csv if fmt == "csv" else to_json)(table.columns, table.rows)
        _write(folder / f"{table.name}.{fmt}", text)
        click.echo(f"{folder / f'{table.name}.{fmt}'}: {len(table.rows)} rows")


@click.command(name="feed")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_STATE
@click.pass_context
def feed_command(ctx: click.Context, file: Path, state_path: Path | None) -> None:
    """Write an Atom feed of the alerts: one entry per organisation per run, the last 100.

    Entry ids stay the same each time the feed is written.

    \b
    Example:
        watcher feed public/watcher.atom
    """
    with _snapshot(ctx, state_path) as snap:
        text = atom_feed(snap.changes, generated=utc_now())
    _write(file, text)
    click.echo(f"Feed: {file}")


OUTPUT_COMMANDS = (report_command, export_command, feed_command)
