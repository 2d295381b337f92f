"""`watcher` with counters on its stages: what a run parsed, and where its CPU went.

Run as ``python -m bench.full_scale.probe OUT_JSON [watcher arguments...]``. It is the
console script's `main` with three functions wrapped, each timed in its own thread's
CPU time (`time.thread_time`):

- `watcher.parse.parse_all` (which `check` imports when it first parses): counts the
  pages parsed;
- `watcher.check._check_page`: one page's work on the main thread once downloaded
  (for a parsed page: parse, diff and store; for an unchanged one: its bookkeeping);
- `watcher.fetch.Fetcher.fetch`: one download in a pool thread (the HTTP client).

Timed runs never use it: they run the real console script. A stage whose function has
been renamed is reported as not measured (-1), never guessed.
"""

from __future__ import annotations

import atexit
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import watcher.check
import watcher.fetch.client
import watcher.parse
from watcher.cli import main as watcher_main


class Counters:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.figures: dict[str, float] = {
            "parsed": 0,
            "parsed_cpu": 0.0,
            "unchanged": 0,
            "unchanged_cpu": 0.0,
            "fetches": 0,
            "fetch_cpu": 0.0,
        }

    def add(self, count: str, cpu: float) -> None:
        with self.lock:
            self.figures[count] += 1
            self.figures[f"{count.removesuffix('es')}_cpu"] += cpu


COUNTERS = Counters()
_parsing = threading.local()


def _timed(stage: Callable[..., Any], name: str) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return stage(*args, **kwargs)
        finally:
            COUNTERS.add(name, time.thread_time() - started)

    return timed


def _check_page(stage: Callable[..., Any]) -> Callable[..., Any]:
    """Time one page's main-thread work, filed as parsed or unchanged."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        _parsing.seen = False
        started = time.thread_time()
        try:
            return stage(*args, **kwargs)
        finally:
            kind = "parsed" if _parsing.seen else "unchanged"
            COUNTERS.add(kind, time.thread_time() - started)

    return timed


def _parse_all(stage: Callable[..., Any]) -> Callable[..., Any]:
    def noted(*args: Any, **kwargs: Any) -> Any:
        _parsing.seen = True
        return stage(*args, **kwargs)

    return noted


def install() -> set[str]:
    """Wrap the stages that exist; returns the figures that cannot be measured."""
    missing = set()
    for module, name in ((watcher.parse, "parse_all"), (watcher.check, "_check_page")):
        if not hasattr(module, name):
            missing |= {"parsed", "unchanged"}
    if not missing:
        # Through the modules' namespaces: `check` imports `parse_all` from the package
        # when it parses, and run_once looks `_check_page` up at call time.
        watcher.parse.parse_all = _parse_all(watcher.parse.parse_all)  # type: ignore[assignment]
        check = vars(watcher.check)
        if "parse_all" in check:  # an earlier version imported it when `check` loaded
            check["parse_all"] = _parse_all(check["parse_all"])
        check["_check_page"] = _check_page(check["_check_page"])
    watcher.fetch.Fetcher.fetch = _timed(watcher.fetch.Fetcher.fetch, "fetches")  # type: ignore[method-assign]
    return missing


def main() -> None:
    out = Path(sys.argv[1])
    missing = install()

    def write() -> None:
        figures = dict(COUNTERS.figures)
        for name in missing:
            figures[name] = figures[f"{name}_cpu"] = -1
        out.write_text(json.dumps(figures))

    atexit.register(write)
    watcher_main(sys.argv[2:], prog_name="watcher")


if __name__ == "__main__":
    main()
