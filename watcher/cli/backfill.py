"""`watcher backfill`: the watched pages' history read from a web archive.

Builds the archive's own `Fetcher` (the archive host only, at `[archive] rate`), the
store and the page list, calls `archive.backfill`, and prints the per-family table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from watcher.archive import Backfill, BackfillReport, backfill
from watcher.catalogue import Page
from watcher.cli.base import CannotRun, command_config, select_pages, utc_now
from watcher.config import Config
from watcher.fetch import Fetcher, build_client
from watcher.lock import LockError, RunLock
from watcher.store import Store, StoreError, open_database


@click.command(name="backfill")
@click.option(
    "--force",
    "forces",
    multiple=True,
    metavar="SLUG",
    help="Only this force or service (repeatable), e.g. --force kent.",
)
@click.option("--since", type=click.IntRange(1996, 2100), metavar="YYYY", help="From this year.")
@click.option("--dry-run", is_flag=True, help="Download and read the captures; store nothing.")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the per-family counts and the unreadable captures' addresses as JSON.",
)
@click.pass_context
def backfill_command(
    ctx: click.Context,
    forces: tuple[str, ...],
    since: int | None,
    dry_run: bool,
    report_path: Path | None,
) -> None:
    """Read the watched pages' past versions from a web archive into their history.

    Contacts only the archive ([archive] base_url), sends nothing to Slack, and can
    be run again at any time: captures already read are not fetched again.

    \b
    Examples:
        watcher backfill --force kent --since 2015 --report backfill.json
        watcher backfill --dry-run
    """
    config = command_config(ctx)
    pages = select_pages(config, forces)
    report = _run(config, pages, since=since, dry_run=dry_run)
    console = Console()
    console.print(report_table(report))
    if report_path is not None:
        try:
            report_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", "utf-8")
        except OSError as exc:
            raise CannotRun(f"--report {report_path}: {exc}") from None
    ctx.exit(report.exit_code)


def _run(
    config: Config, pages: Sequence[Page], *, since: int | None, dry_run: bool
) -> BackfillReport:
    archive = config.archive
    # The archive's own politeness: one request at a time, `rate` seconds apart.
    http = replace(config.http, delay=archive.rate, max_concurrency=1)
    try:
        with RunLock(config.state.path), build_client(http) as client:
            db = open_database(config.state.path)
            try:
                job = Backfill(
                    fetcher=Fetcher(client, http, archive.allowed_hosts),
                    store=Store(db),
                    base_url=archive.base_url,
                    now=utc_now,
                    since=since,
                    dry_run=dry_run,
                )
                return backfill(pages, job)
            finally:
                db.close()
    except (LockError, StoreError) as exc:
        raise CannotRun(str(exc)) from None


def report_table(report: BackfillReport) -> Table:
    """Per page family: captures read fully, with anomalies, unreadable."""
    title = "Archived captures by page family"
    if report.dry_run:
        title += " (dry run: nothing stored)"
    table = Table(title=title, title_justify="left")
    for column in ("Family", "Read fully", "With anomalies", "Unreadable"):
        table.add_column(column, justify="left" if column == "Family" else "right", overflow="fold")
    for name, tally in sorted(report.families.items()):
        table.add_row(name, str(tally.full), str(tally.anomalies), str(len(tally.unreadable)))
    caption = [f"{report.new_captures} captures read now, {report.stored} readings stored"]
    if report.lookup_failures or report.download_failures:
        failed = len(report.lookup_failures) + len(report.download_failures)
        caption.append(f"{failed} lookups or downloads failed this time: run again later")
    table.caption = "; ".join(caption)
    return table
