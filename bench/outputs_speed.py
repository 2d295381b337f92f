"""Outputs speed: `report`, `export` and `feed` over a state database at full scale.

Run from the repository root: `python bench/outputs_speed.py` (options: `--readings N`,
readings per organisation). It writes a state database through the real `Store` for
the 43 forces and 44 services: each organisation's report page read N times (grades
drifting, findings coming and going, one change row per drift), then times, once
each, the snapshot read (`store.snapshot`), the dashboard (`outputs.build` +
`render_dashboard`), the three tables as CSV, and the Atom feed, and prints the sizes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from watcher.catalogue import FORCES, SERVICE_PREFIX, SERVICES  # noqa: E402
from watcher.diff import diff  # noqa: E402
from watcher.models import (  # noqa: E402
    Assessment,
    Finding,
    FindingKind,
    Grade,
    Judgement,
    PageKind,
)
from watcher.outputs import atom_feed, build, render_dashboard, tables, to_csv  # noqa: E402
from watcher.store import Store, open_database, open_readonly, snapshot  # noqa: E402

T = TypeVar("T")
GRADES = (Grade.INADEQUATE, Grade.REQUIRES_IMPROVEMENT, Grade.ADEQUATE, Grade.GOOD)
AREAS = ("police-powers", "preventing-crime", "responding", "investigating",
         "vulnerable", "offenders", "workforce", "leadership")  # fmt: skip


def reading(org: str, n: int) -> Assessment:
    judgements = tuple(
        Judgement(area, area.replace("-", " ").capitalize(), GRADES[(n + i * (n // 3)) % 4])
        for i, area in enumerate(AREAS)
    )
    findings = tuple(
        Finding(FindingKind.AREA_FOR_IMPROVEMENT, AREAS[k % 8], f"{org} should improve {k}.")
        for k in range(n % 5, n % 5 + 12)
    )
    url = f"https://hmicfrs.example/peel-reports/{org.replace('/', '-')}/"
    return Assessment(org, "peel-2023-25", PageKind.PEEL_REPORT, url, "", judgements, findings)


def fill(path: Path, per_org: int) -> int:
    db = open_database(path)
    store = Store(db)
    start = datetime(2016, 1, 1, tzinfo=UTC)
    organisations = [*FORCES, *(SERVICE_PREFIX + s for s in SERVICES)]
    for n in range(per_org):
        when = start + timedelta(days=30 * n)
        run_id = store.start_run(when)
        for org in organisations:
            before, after = (reading(org, n - 1) if n else None), reading(org, n)
            changes = diff(before, after) if before else []
            store.record_assessment(
                run_id=run_id, url=after.url, status=200, body=f"{org}{n}".encode(),
                validators={}, readings=[("", after)], changes=changes, now=when,
            )  # fmt: skip
        store.finish_run(run_id, when, outcome="ok")
    db.close()
    return len(organisations)


def timed(label: str, action: Callable[[], T]) -> T:
    began = time.perf_counter()
    result = action()
    print(f"{label:<28} {1000 * (time.perf_counter() - began):8.0f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=40, help="readings per organisation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watcher.db"
        orgs = fill(path, args.readings)
        db = open_readonly(path)
        snap = timed("snapshot (read the state)", lambda: snapshot(db))
        db.close()
        now = datetime.now(UTC)
        page = timed(
            "dashboard (build + render)", lambda: render_dashboard(build(snap, generated=now))
        )
        found = timed("tables (compute)", lambda: tables(snap))
        csvs = timed("tables (to CSV)", lambda: [to_csv(t.columns, t.rows) for t in found])
        feed = timed("feed (last 100 digests)", lambda: atom_feed(snap.changes, generated=now))
        print(
            f"{orgs} organisations, {len(snap.readings)} readings, {len(snap.changes)} changes, "
            f"{path.stat().st_size // 1024} KB database"
        )
        print(
            f"dashboard {len(page) // 1024} KB; CSV {sum(map(len, csvs)) // 1024} KB "
            f"({', '.join(f'{t.name} {len(t.rows)} rows' for t in found)}); "
            f"feed {len(feed) // 1024} KB"
        )


if __name__ == "__main__":
    main()
