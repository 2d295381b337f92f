"""The demo's HTML report: a grade heatmap per organisation and the alerts, in one page.

Pure: runs in, one self-contained HTML document out (inline CSS, no scripts, no
external assets), so it opens anywhere and can be mailed as one file. Rows are a
page's units, columns are runs; a cell is coloured by its grade and marks the run in
which it changed. The alerts are the Slack messages as sent, rendered like Slack does.
Drawn by the dashboard's templates (`watcher.outputs`: layout, stylesheet, grade cells).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from watcher.catalogue import cycle_label, organisation_name
from watcher.demo.slack_html import message_html
from watcher.models import Assessment, Change, ChangeKind, Direction, FindingKind, Grade
from watcher.notify import Message, format_date
from watcher.outputs import Cell, alert_label, count_alerts, grade_css, render

__all__ = ["RunRecord", "alert_label", "count_alerts", "heatmap", "render_report"]


@dataclass(frozen=True)
class RunRecord:
    """One run as the report shows it."""

    label: str  # "Run 2"
    day: date
    story: tuple[str, ...]  # what the site changed before this run
    readings: tuple[Assessment, ...]  # every page's latest known assessment after the run
    changes: tuple[Change, ...]  # the alertable changes found in this run
    messages: tuple[Message, ...]  # the messages sent, in order
    cosmetic: int = 0  # pages whose bytes changed but whose assessment did not


# ---------------------------------------------------------------- heatmap model


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class PageRows:
    """One page's rows under one organisation."""

    heading: str
    url: str
    rows: tuple[Row, ...]


_ABSENT = Cell("—", "absent", note="not published, or not read yet")
_MONITORING_MARKS = {ChangeKind.MONITORING_ENTERED: "▼", ChangeKind.MONITORING_LEFT: "▲"}
_MARKS = {
    Direction.IMPROVED: "▲",
    Direction.DECLINED: "▼",
    Direction.FIRST: "★",
    Direction.WITHDRAWN: "✕",
    Direction.CHANGED: "•",
}


def heatmap(runs: Sequence[RunRecord]) -> dict[str, list[PageRows]]:
    """Each organisation's pages, each page's rows: one per graded unit, then findings."""
    snapshots = [{(a.organisation, a.url): a for a in run.readings} for run in runs]
    keys = dict.fromkeys(key for snapshot in snapshots for key in snapshot)
    read = [{url for _, url in snapshot} for snapshot in snapshots]
    by_organisation: dict[str, list[PageRows]] = {}
    for organisation, url in keys:
        if not organisation:
            continue
        history = [snapshot.get((organisation, url)) for snapshot in snapshots]
        changes = [_of_page(run.changes, organisation, url) for run in runs]
        listed = [url in urls for urls in read]
        rows = _unit_rows(history, changes) + _monitoring_rows(history, changes, listed)
        rows += _finding_rows(history, changes)
        if rows:
            latest = next(a for a in reversed(history) if a)
            by_organisation.setdefault(organisation, []).append(
                PageRows(_page_heading(latest), url, tuple(rows))
            )
    return by_organisation


def _of_page(changes: Iterable[Change], organisation: str, url: str) -> list[Change]:
    return [c for c in changes if c.organisation == organisation and c.url == url]


def _page_heading(assessment: Assessment) -> str:
    if assessment.cycle:
        return cycle_label(assessment.cycle)
    # A list's title names the organisation too: "Police forces in Engage — Essex Police".
    title = assessment.title.split(" — ")[0]
    return title or str(assessment.kind).replace("_", " ").capitalize()


def _unit_rows(history: list[Assessment | None], changes: list[list[Change]]) -> list[Row]:
    units: dict[str, str] = {}
    for known in (j for a in history if a for j in a.judgements):
        units.setdefault(known.unit, known.label)
    rows = []
    for unit, label in units.items():
        cells = []
        for assessment, found in zip(history, changes, strict=True):
            judgement = assessment.judgement(unit) if assessment else None
            if judgement is None:
                cells.append(_ABSENT)
            else:
                cells.append(_grade_cell(judgement.grade, _unit_mark(found, unit)))
        rows.append(Row(label, tuple(cells)))
    return rows


def _grade_cell(grade: Grade, mark: str) -> Cell:
    return Cell(grade.label, grade_css(grade), mark)


def _unit_mark(changes: Sequence[Change], unit: str) -> str:
    for change in changes:
        if change.kind is ChangeKind.GRADE and change.unit == unit and change.direction:
            return _MARKS[change.direction]
    return ""


def _monitoring_rows(
    history: list[Assessment | None], changes: list[list[Change]], read: list[bool]
) -> list[Row]:
    """Engage or Scan per run; a force not on a list that was read is in Scan."""
    if not any(a and a.monitoring for a in history):
        return []
    cells = []
    for assessment, found, page_read in zip(history, changes, read, strict=True):
        mark = next((_MONITORING_MARKS[c.kind] for c in found if c.kind in _MONITORING_MARKS), "")
        if assessment is None:
            cells.append(Cell("Scan", "m-scan", note="not on the list") if page_read else _ABSENT)
        elif assessment.monitoring:
            cells.append(Cell("Engage", "m-engage", mark, assessment.monitoring_note or ""))
        else:
            cells.append(Cell("Scan", "m-scan", mark, "routine monitoring"))
    return [Row("Enhanced monitoring", tuple(cells))]


def _finding_rows(history: list[Assessment | None], changes: list[list[Change]]) -> list[Row]:
    if not any(a and _alerting(a) for a in history):
        return []
    cells = []
    for assessment, found in zip(history, changes, strict=True):
        if assessment is None:
            cells.append(_ABSENT)
            continue
        counted = Counter(f.kind for f in assessment.findings if f.kind.alerts)
        text = ", ".join(f"{n} {_SHORT[kind]}" for kind, n in sorted(counted.items())) or "none"
        cells.append(Cell(text, "findings", _finding_marks(found)))
    return [Row("Findings", tuple(cells))]


_SHORT = {
    FindingKind.AREA_FOR_IMPROVEMENT: "AFI",
    FindingKind.CAUSE_OF_CONCERN: "CoC",
    FindingKind.RECOMMENDATION: "rec.",
}
_FINDING_MARKS = {
    ChangeKind.FINDING_ADDED: "+",
    ChangeKind.FINDING_REWORDED: "~",
    ChangeKind.FINDING_RESOLVED: "−",
}


def _alerting(assessment: Assessment) -> bool:
    return any(f.kind.alerts for f in assessment.findings)


def _finding_marks(changes: Sequence[Change]) -> str:
    counted = Counter(_FINDING_MARKS[c.kind] for c in changes if c.kind in _FINDING_MARKS)
    return " ".join(f"{mark}{n}" for mark, n in counted.items())


# ---------------------------------------------------------------- the document


def render_report(
    runs: Sequence[RunRecord], *, names: Mapping[str, str], title: str, note: str, pages: int
) -> str:
    """The whole report as one HTML document."""
    changes = [c for run in runs for c in run.changes]
    figures = [
        (pages, "pages"),
        (len(runs), "runs"),
        (len(changes), "alerts"),
        (sum(run.cosmetic for run in runs), "cosmetic changes ignored"),
    ]
    organisations = [
        (_name(org, names), pages)
        for org, pages in sorted(heatmap(runs).items(), key=lambda item: _name(item[0], names))
    ]
    return render(
        "demo.html.j2",
        title=title,
        note=note,
        figures=figures,
        kinds=count_alerts(changes),
        runs=[(run, format_date(run.day), _messages(run)) for run in runs],
        organisations=organisations,
        path=_path,
    )


def _messages(run: RunRecord) -> list[Markup]:
    # slack_html escapes every piece of page text itself as it draws Slack's markup.
    return [Markup(message_html(message)) for message in run.messages]


def _name(organisation: str, names: Mapping[str, str]) -> str:
    return names.get(organisation) or organisation_name(organisation)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1]
