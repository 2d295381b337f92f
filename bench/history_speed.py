"""History speed: `watcher history <force>` (`queries.force_history`) on a large database.

Run from the repository root: `python bench/history_speed.py` (options: `--readings N`
per organisation, default 300). It fills a state database as `bench/outputs_speed.py`
does (43 forces and 44 services, each report page read N times, grades and findings
drifting), then times `force_history` for one force with the history index, and again
after dropping it (what a database had before `_migration_history_index`).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from outputs_speed import fill  # noqa: E402  (bench/ is the script's own folder)

from watcher.store import open_readonly, queries  # noqa: E402

INDEX = "idx_assessments_subject_organisation"


def timed_history(path: Path, force: str) -> tuple[float, int]:
    """Seconds for one force's history through a read-only connection, and its units."""
    db = open_readonly(path)
    began = time.perf_counter()
    found = queries.force_history(db, force)
    elapsed = time.perf_counter() - began
    db.close()
    return elapsed, len(found.units)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=300, help="readings per organisation")
    parser.add_argument("--force", default="kent")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watcher.db"
        orgs = fill(path, args.readings)
        with_index, units = timed_history(path, args.force)
        conn = sqlite3.connect(path)
        rows = conn.execute("select count(*) from assessments").fetchone()[0]
        conn.execute(f"drop index {INDEX}")
        conn.commit()
        conn.close()
        without_index, _ = timed_history(path, args.force)
        size = path.stat().st_size // (1024 * 1024)
        print(f"{orgs} organisations, {rows} assessments, {size} MB database; {units} units")
        print(f"history {args.force} with the index     {1000 * with_index:8.0f} ms")
        print(f"history {args.force} without the index  {1000 * without_index:8.0f} ms")


if __name__ == "__main__":
    main()
