"""`watcher check` on a terminal: the console on stderr and the progress bar over the pages."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from watcher.check import PageOutcome

# What makes rich take a stream for a terminal, or not, whatever isatty() says.
_RICH_TERMINAL_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR")


@functools.cache
def stderr_console() -> Console:
    """The console on stderr that logs and the bar share, so log lines print above the
    bar instead of through it. It looks up sys.stderr at each write."""
    from rich.console import Console

    return Console(stderr=True)


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal, as rich judges it; off one (cron, a service, a
    pipe) rich is not loaded at all, unless the environment overrides the judgement."""
    if any(name in os.environ for name in _RICH_TERMINAL_OVERRIDES):
        return stderr_console().is_terminal
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by an object without it, or closed
        return False


class _ProblemsOnly(logging.Filter):
    """Lets warnings and errors through, nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


@contextmanager
def page_progress(
    console: Console | None, total: int, *, show: bool = True
) -> Iterator[Callable[[PageOutcome], None] | None]:
    """A progress bar over the run's pages; yields the `on_page` callback that advances it.

    While the bar is up it stands in for the log's line per page: only problems (a
    failed page) are logged, above the bar. With `show` false (or no console) it yields
    None: no bar, the log's line per page is enough.
    """
    if not show or console is None:
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
        # A redraw every two seconds (rich's default is ten a second): a run mostly waits
        # out the politeness delay, and ten redraws cost ~17 ms of CPU a second, one
        # ~2 ms (`bench/terminal_idle.py`); the count and the elapsed time still move.
        progress = Progress(*columns, console=console, transient=True, refresh_per_second=0.5)
        with progress:
            task = progress.add_task("", total=total)

            def on_page(outcome: PageOutcome) -> None:
                progress.update(task, advance=1, description=f"{outcome.status}: {outcome.url}")

            yield on_page
    finally:
        page_log.removeFilter(only_problems)
