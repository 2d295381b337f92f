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

from watcher.cli.base import CannotRun, command_config, named_organisation, utc_now
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


_FORCES = click.option(
    "--force",
    "forces",
    multiple=True,
    metavar="SLUG",
    help="Only this force or service (frs/SLUG); repeat for more. Default: all.",
)


@click.command(name="report")
@click.option(
    "--html",
    "html_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the dashboard to this file (one self-contained HTML page).",
)
@_FORCES
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
        only = _organisations(forces, snap)
        page = render_dashboard(build(snap, generated=utc_now(), only=only))
    _write(html_path, page)
    click.echo(f"Dashboard: {html_path}")


def _organisations(forces: tuple[str, ...], snap: Snapshot) -> tuple[str, ...]:
    """The organisations `--force` names (none: all), each checked; else exit 2."""
    stored = {r.organisation for r in snap.readings} | {c.change.organisation for c in snap.changes}
    return tuple(dict.fromkeys(named_organisation(slug, stored) for slug in forces))


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
@_FORCES
@_STATE
@click.pass_context
def export_command(
    ctx: click.Context, folder: Path, fmt: str, forces: tuple[str, ...], state_path: Path | None
) -> None:
    """Write the open-data tables judgements, findings and changes into FOLDER.

    The columns are listed in the README.

    \b
    Examples:
        watcher export exports/
        watcher export exports/ --format json
        watcher export kent/ --force kent --force frs/kent
    """
    with _snapshot(ctx, state_path) as snap:
        found = tables(snap.only(_organisations(forces, snap)))
    for table in found:
        text = (to_csv if fmt == "csv" else to_json)(table.columns, table.rows)
        _write(folder / f"{table.name}.{fmt}", text)
        click.echo(f"{folder / f'{table.name}.{fmt}'}: {len(table.rows)} rows")


@click.command(name="feed")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@_FORCES
@_STATE
@click.pass_context
def feed_command(
    ctx: click.Context, file: Path, forces: tuple[str, ...], state_path: Path | None
) -> None:
    """Write an Atom feed of the alerts: one entry per organisation per run, the last 100.

    Entry ids stay the same each time the feed is written; a feed for some organisations
    (--force) has an id of its own and their names in its title.

    \b
    Examples:
        watcher feed public/watcher.atom
        watcher feed public/kent.atom --force kent --force frs/kent
    """
    with _snapshot(ctx, state_path) as snap:
        only = _organisations(forces, snap)
        text = atom_feed(snap.only(only).changes, generated=utc_now(), scope=only)
    _write(file, text)
    click.echo(f"Feed: {file}")


OUTPUT_COMMANDS = (report_command, export_command, feed_command)
