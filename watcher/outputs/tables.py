"""The open-data exports: tidy tables of judgements, findings and changes. Pure.

From the stored readings, one row per stretch of time a unit held a grade (or a
finding stood on a page), and one row per recorded change. `to_csv` and `to_json`
turn a table into text; the command writes the files. The columns are in the README.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from watcher.store import Snapshot, StoredReading

JUDGEMENT_COLUMNS = (
    "organisation", "cycle", "unit", "label", "grade", "first_seen", "last_seen", "page",
)  # fmt: skip
FINDING_COLUMNS = (
    "organisation", "cycle", "unit", "kind", "text", "first_seen", "resolved", "page",
)  # fmt: skip
CHANGE_COLUMNS = (
    "id", "run_id", "detected_at", "organisation", "cycle", "kind", "unit", "label",
    "before", "after", "direction", "finding_kind", "page",
)  # fmt: skip

Row = dict[str, str]


@dataclass(frozen=True)
class Table:
    """One export: its file stem, its columns, its rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def tables(snap: Snapshot) -> tuple[Table, ...]:
    """The three exports of a snapshot of the state."""
    return (
        Table("judgements", JUDGEMENT_COLUMNS, tuple(judgement_rows(snap))),
        Table("findings", FINDING_COLUMNS, tuple(finding_rows(snap))),
        Table("changes", CHANGE_COLUMNS, tuple(change_rows(snap))),
    )


def by_page(readings: Iterable[StoredReading]) -> dict[tuple[str, str], list[StoredReading]]:
    """Readings grouped by page and subject, each group oldest first."""
    grouped: dict[tuple[str, str], list[StoredReading]] = {}
    for reading in readings:
        grouped.setdefault((reading.url, reading.subject), []).append(reading)
    return grouped


def judgement_rows(snap: Snapshot) -> list[Row]:
    """A row per unit per stretch of one grade: when first seen, and last seen.

    A superseded grade was last seen in the last stored reading that showed it (a page
    whose reading did not change stores no new reading); a current one at the page's
    last good check.
    """
    rows: list[Row] = []
    for (url, _), readings in by_page(snap.readings).items():
        open_rows: dict[str, Row] = {}
        for reading in readings:
            units = {j.unit: j for j in reading.assessment.judgements}
            for unit in list(open_rows):
                if unit not in units or open_rows[unit]["grade"] != units[unit].grade.label:
                    rows.append(open_rows.pop(unit))
            for unit, judgement in units.items():
                row = open_rows.get(unit) or {
                    "organisation": reading.organisation,
                    "cycle": reading.assessment.cycle,
                    "unit": unit,
                    "label": judgement.label,
                    "grade": judgement.grade.label,
                    "first_seen": reading.fetched_at,
                    "page": url,
                }
                open_rows[unit] = row | {"last_seen": reading.fetched_at}
        last_ok = snap.last_ok.get(url)
        rows += [
            row | {"last_seen": max(row["last_seen"], last_ok or "")} for row in open_rows.values()
        ]
    return sorted(rows, key=lambda r: (r["organisation"], r["cycle"], r["unit"], r["first_seen"]))


def finding_rows(snap: Snapshot) -> list[Row]:
    """A row per finding per stretch on its page: first seen, and when it was gone."""
    rows: list[Row] = []
    for (url, _), readings in by_page(snap.readings).items():
        standing: dict[tuple[str, str], Row] = {}
        for reading in readings:
            now = {(str(f.kind), f.key): f for f in reading.assessment.findings}
            for key in [k for k in standing if k not in now]:
                rows.append(standing.pop(key) | {"resolved": reading.fetched_at})
            for key, finding in now.items():
                standing.setdefault(
                    key,
                    {
                        "organisation": reading.organisation,
                        "cycle": reading.assessment.cycle,
                        "unit": finding.unit,
                        "kind": str(finding.kind),
                        "text": finding.text,
                        "first_seen": reading.fetched_at,
                        "resolved": "",
                        "page": url,
                    },
                )
        rows += standing.values()
    return sorted(rows, key=lambda r: (r["organisation"], r["cycle"], r["first_seen"], r["unit"]))


def change_rows(snap: Snapshot) -> list[Row]:
    """Every recorded change, oldest first, with its run and detection time."""
    return [
        {
            "id": stored.id,
            "run_id": str(stored.run_id),
            "detected_at": stored.detected_at,
            "organisation": c.organisation,
            "cycle": c.cycle,
            "kind": str(c.kind),
            "unit": c.unit,
            "label": c.unit_label,
            "before": c.before or "",
            "after": c.after or "",
            "direction": str(c.direction) if c.direction else "",
            "finding_kind": str(c.finding_kind) if c.finding_kind else "",
            "page": c.url,
        }
        for stored in snap.changes
        for c in (stored.change,)
    ]


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> str:
    """A table as CSV text with a header row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_json(columns: Sequence[str], rows: Iterable[Row]) -> str:
    """A table as a JSON array of objects, keys in column order."""
    ordered = [{column: row.get(column, "") for column in columns} for row in rows]
    return json.dumps(ordered, ensure_ascii=False, indent=1) + "\n"
