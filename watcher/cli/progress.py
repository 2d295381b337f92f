"""`watcher check` on a terminal: the console on stderr and the progress bar over the pages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from watcher.check import PageOutcome

# Logs and the progress bar share one console on stderr, so log lines print above the
# bar instead of through it. It looks up sys.stderr at each write.
STDERR = Console(stderr=True)


class _ProblemsOnly(logging.Filter):
    """Lets warnings and errors through, nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


@contextmanager
def page_progress(
    console: Console, total: int, *, show: bool = True
) -> Iterator[Callable[[PageOutcome], None] | None]:
    """A progress bar over the run's pages; yields the `on_page` callback that advances it.

    While the bar is up it stands in for the log's line per page: only problems (a
    failed page) are logged, above the bar. With `show` false it yields None: no bar,
    the log's line per page is enough.
    """
    if not show:
        yield None
        return
    # Imported here: off a terminal (cron, a service) no bar is drawn.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[bold]checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    page_log = logging.getLogger("watcher.check")
    only_problems = _ProblemsOnly()
    page_log.addFilter(only_problems)
    try:
        # One redraw a second (rich's default is ten): the elapsed time moves by seconds,
        # and a run mostly waits out the politeness delay, so ten cost ~17 ms of CPU a second.
        progress = Progress(*columns, console=console, transient=True, refresh_per_second=1)
        with progress:
            task = progress.add_task("", total=total)

            def on_page(outcome: PageOutcome) -> None:
                progress.update(task, advance=1, description=f"{outcome.status}: {outcome.url}")

            yield on_page
    finally:
        page_log.removeFilter(only_problems)
