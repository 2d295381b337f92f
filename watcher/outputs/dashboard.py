"""The dashboard: what the state database knows, as one self-contained HTML page. Pure.

Per watched cycle, a table of organisations by graded areas with the current grades;
per organisation, each area's grades since its first stored reading (archived readings
included); enhanced monitoring; the latest changes with links; when the page was drawn
and after which run. Values in, HTML out through the templates (`page.render`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from watcher.catalogue import CYCLES, cycle_label, organisation_name
from watcher.models import Assessment, Grade, PageKind
from watcher.outputs.page import Cell, alert_label, change_summary, grade_css, render
from watcher.outputs.tables import by_page
from watcher.store import FailingPage, RunInfo, Snapshot, StoredReading


@dataclass(frozen=True)
class GradeRow:
    organisation: str
    name: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class CycleTable:
    """One cycle's current grades: organisations by top-level areas."""

    cycle: str
    title: str
    units: tuple[str, ...]  # the areas' labels, in the pages' order
    rows: tuple[GradeRow, ...]


@dataclass(frozen=True)
class Step:
    since: str  # the date it was first seen
    cell: Cell


@dataclass(frozen=True)
class Timeline:
    cycle: str
    label: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Monitoring:
    status: str  # "Engage", "Not in Engage"
    since: str
    note: str
    stale: str = ""  # the list is failing now: this is its last good reading


@dataclass(frozen=True)
class OrganisationSection:
    slug: str
    name: str
    monitoring: Monitoring | None  # None: no monitoring list read for it
    timelines: tuple[Timeline, ...]


@dataclass(frozen=True)
class ChangeLine:
    when: str
    name: str
    what: str
    summary: str
    url: str


@dataclass(frozen=True)
class Dashboard:
    title: str
    generated: str
    run: RunInfo | None
    cycles: tuple[CycleTable, ...]
    organisations: tuple[OrganisationSection, ...]
    changes: tuple[ChangeLine, ...]
    engage_read: bool  # a monitoring list was read: a force not on it is not in Engage
    failing: tuple[FailingPage, ...] = ()  # pages unreadable now: their last good reading shown


ABSENT = Cell("—", "absent")


def cell(grade: Grade) -> Cell:
    return Cell(grade.label, grade_css(grade))


def build(
    snap: Snapshot,
    *,
    generated: datetime,
    only: Collection[str] = (),
    title: str = "HMICFRS grades: what the watcher knows",
    changes: int = 50,
) -> Dashboard:
    """The dashboard's values: `only` limits it to those organisations (all when empty)."""
    engage_read = any(r.assessment.kind is PageKind.ENGAGE for r in snap.readings)
    snap = snap.only(only)
    readings = [r for r in snap.readings if r.organisation]
    stale = _stale(snap.failing)
    names = sorted({r.organisation for r in readings}, key=organisation_name)
    recent = list(reversed(snap.changes))
    return Dashboard(
        title=title,
        generated=generated.isoformat(timespec="seconds"),
        run=snap.last_run,
        cycles=tuple(_cycle_tables(readings, names, stale)),
        organisations=tuple(_section(org, readings, stale) for org in names),
        changes=tuple(
            ChangeLine(
                c.detected_at[:16].replace("T", " "),
                organisation_name(c.change.organisation),
                alert_label(c.change),
                change_summary(c.change),
                c.change.url,
            )
            for c in recent[:changes]
        ),
        engage_read=engage_read,
        failing=snap.failing,
    )


def _stale(failing: Iterable[FailingPage]) -> dict[str, str]:
    """Why a failing page's grades are shown from its last good reading, by url."""
    return {
        page.url: f"last good reading; page failing since {(page.failing_since or '?')[:10]}"
        for page in failing
    }


def render_dashboard(dashboard: Dashboard) -> str:
    """The page as one HTML document."""
    return render("dashboard.html.j2", page=dashboard)


def _latest(readings: Iterable[StoredReading]) -> list[StoredReading]:
    """Each page's latest reading (per organisation on an all-force page), oldest first."""
    latest = [group[-1] for group in by_page(readings).values()]
    return sorted(latest, key=lambda r: (r.fetched_at, r.id))


def _cycle_order(cycle: str) -> int:
    keys = list(CYCLES)
    return keys.index(cycle) if cycle in keys else -1


Current = dict[str, tuple[str, Cell]]  # unit -> its label and its current grade's cell


def _cycle_tables(
    readings: list[StoredReading], names: list[str], stale: dict[str, str]
) -> list[CycleTable]:
    current: dict[tuple[str, str], Current] = {}
    for reading in _latest(readings):
        a = reading.assessment
        if a.cycle and a.is_graded:
            why = stale.get(reading.url, "")
            top = {
                j.unit: (j.label, Cell(j.grade.label, grade_css(j.grade), stale=why))
                for j in a.judgements
                if "/" not in j.unit
            }
            current.setdefault((a.cycle, reading.organisation), {}).update(top)
    tables = []
    for cycle in sorted({c for c, _ in current}, key=_cycle_order, reverse=True):
        labels: dict[str, str] = {}
        for (c, _), known in current.items():
            if c == cycle:
                labels |= {unit: label for unit, (label, _) in known.items() if unit not in labels}
        rows = [
            GradeRow(org, organisation_name(org), tuple(_current(found, unit) for unit in labels))
            for org in names
            if (found := current.get((cycle, org))) is not None
        ]
        tables.append(CycleTable(cycle, cycle_label(cycle), tuple(labels.values()), tuple(rows)))
    return tables


def _current(grades: Current, unit: str) -> Cell:
    found = grades.get(unit)
    return found[1] if found else ABSENT


def _section(
    organisation: str, readings: list[StoredReading], stale: dict[str, str]
) -> OrganisationSection:
    own = [r for r in readings if r.organisation == organisation]
    steps: dict[tuple[str, str], list[Step]] = {}
    labels: dict[tuple[str, str], str] = {}
    for reading in own:
        for j in reading.assessment.judgements:
            key = (reading.assessment.cycle, j.unit)
            labels.setdefault(key, j.label)
            found = steps.setdefault(key, [])
            if not found or found[-1].cell.text != j.grade.label:
                found.append(Step(reading.fetched_at[:10], cell(j.grade)))
    ordered = sorted(steps, key=lambda key: -_cycle_order(key[0]))
    timelines = tuple(
        Timeline(cycle_label(cycle), labels[(cycle, unit)], tuple(steps[(cycle, unit)]))
        for cycle, unit in ordered
    )
    return OrganisationSection(
        organisation, organisation_name(organisation), _monitoring(own, stale), timelines
    )


def _monitoring(own: list[StoredReading], stale: dict[str, str]) -> Monitoring | None:
    """The organisation's place on the monitoring list, from the list's latest reading."""
    lists = [r for r in own if r.assessment.kind is PageKind.ENGAGE]
    if not lists:
        return None
    latest: Assessment = lists[-1].assessment
    since = lists[-1].fetched_at
    for reading in reversed(lists):
        if bool(reading.assessment.monitoring) != bool(latest.monitoring):
            break
        since = reading.fetched_at
    why = stale.get(lists[-1].url, "")
    if latest.monitoring:
        note = latest.monitoring_note or latest.monitoring
        return Monitoring("Engage", since[:10], note, why)
    return Monitoring("Not in Engage", since[:10], "", why)
