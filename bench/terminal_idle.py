"""CPU the progress bar of `watcher check` costs while a run waits (politeness delay).

    python bench/terminal_idle.py            # 5 s idle; --seconds N; --code DIR

Opens `page_progress` on a console that takes itself for a terminal (its output goes
to a buffer), advances it once, then sleeps: the process's CPU time over the wait,
per second, is what the bar's redraws cost. Target: at most 2 ms of CPU a second.
`--code DIR` measures the package found in DIR (another checkout) instead.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--code", type=Path, default=ROOT, help="folder holding watcher/")
    args = parser.parse_args()
    # DIR's package first, ahead of the editable install's finder.
    sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.path.insert(0, str(args.code.resolve()))
    from rich.console import Console

    from watcher.check import PageOutcome
    from watcher.cli.progress import page_progress

    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with page_progress(console, 100) as on_page:
        assert on_page is not None
        on_page(PageOutcome(url="https://example.invalid/page/", status="unchanged"))
        time.sleep(0.5)  # the bar's thread settles
        start = time.process_time()
        time.sleep(args.seconds)
        cpu = time.process_time() - start
    per_second = cpu / args.seconds * 1000
    print(f"code: {args.code.resolve()}  idle {args.seconds:.0f} s")
    print(f"CPU while waiting: {per_second:.1f} ms/s  (target <= 2 ms/s: {per_second <= 2})")


if __name__ == "__main__":
    main()
