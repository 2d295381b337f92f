"""The demo's HTML report: a grade heatmap per organisation and the alerts, in one page.

Pure: runs in, one self-contained HTML document out (inline CSS, no scripts, no
external assets), so it opens anywhere and can be mailed as one file. Rows are a
page's units, columns are runs; a cell is coloured by its grade and marks the run in
which it changed. The alerts are the Slack messages as sent, rendered like Slack does.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from watcher.catalogue import cycle_label, organisation_name
from watcher.demo.slack_html import message_html
from watcher.models import Assessment, Change, ChangeKind, Direction, FindingKind, Grade
from watcher.notify import Message, format_date


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


# ---------------------------------------------------------------- alert kinds

_FINDING_NOUNS = {
    FindingKind.AREA_FOR_IMPROVEMENT: "area for improvement",
    FindingKind.CAUSE_OF_CONCERN: "cause of concern",
    FindingKind.RECOMMENDATION: "recommendation",
    FindingKind.PRACTICE: "practice",
    FindingKind.CLOSED_CAUSE_OF_CONCERN: "closed cause of concern",
}
_KIND_LABELS = {
    ChangeKind.REPORT_PUBLISHED: "new report",
    ChangeKind.MONITORING_ENTERED: "entered enhanced monitoring",
    ChangeKind.MONITORING_LEFT: "left enhanced monitoring",
}
_GRADE_LABELS = {
    Direction.FIRST: "first grade",
    Direction.IMPROVED: "grade improved",
    Direction.DECLINED: "grade declined",
    Direction.WITHDRAWN: "grade withdrawn",
    Direction.CHANGED: "grade state changed",
}
_FINDING_FORMS = {
    ChangeKind.FINDING_ADDED: "new {}",
    ChangeKind.FINDING_REWORDED: "{} reworded",
    ChangeKind.FINDING_RESOLVED: "{} resolved",
}


def alert_label(change: Change) -> str:
    """What kind of alert a change is, in words: "first grade", "new cause of concern"."""
    if change.kind is ChangeKind.GRADE:
        return _GRADE_LABELS[change.direction or Direction.CHANGED]
    if change.kind in _FINDING_FORMS:
        noun = _FINDING_NOUNS[change.finding_kind or FindingKind.AREA_FOR_IMPROVEMENT]
        return _FINDING_FORMS[change.kind].format(noun)
    return _KIND_LABELS[change.kind]


def count_alerts(changes: Iterable[Change]) -> dict[str, int]:
    """Alerts by kind, most frequent first."""
    return dict(Counter(alert_label(c) for c in changes).most_common())


# ---------------------------------------------------------------- heatmap model


@dataclass(frozen=True)
class Cell:
    text: str
    css: str
    mark: str = ""  # the change in this run, e.g. "▼"
    note: str = ""  # tooltip


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
    return Cell(grade.label, "g-" + grade.value.replace("_", "-"), mark)


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
    parts = [
        _HEAD.format(title=html.escape(title), css=_CSS),
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="note">{html.escape(note)}</p>',
        _figures(pages, len(runs), changes, sum(run.cosmetic for run in runs)),
        "<h2>Grade timeline</h2>",
        _LEGEND,
        *(_organisation_html(org, rows, runs, names) for org, rows in _by_name(runs, names)),
        "<h2>Alerts, run by run</h2>",
        *map(_run_html, runs),
        "</main></body></html>",
    ]
    return "\n".join(parts) + "\n"


def _by_name(
    runs: Sequence[RunRecord], names: Mapping[str, str]
) -> list[tuple[str, list[PageRows]]]:
    return sorted(heatmap(runs).items(), key=lambda item: _name(item[0], names))


def _name(organisation: str, names: Mapping[str, str]) -> str:
    return names.get(organisation) or organisation_name(organisation)


def _figures(pages: int, runs: int, changes: Sequence[Change], cosmetic: int) -> str:
    figures = [
        (pages, "pages"),
        (runs, "runs"),
        (len(changes), "alerts"),
        (cosmetic, "cosmetic changes ignored"),
    ]
    items = "".join(f"<li><b>{n}</b> {label}</li>" for n, label in figures)
    rows = "".join(
        f"<tr><td>{html.escape(kind)}</td><td>{n}</td></tr>"
        for kind, n in count_alerts(changes).items()
    )
    table = f'<table class="kinds"><tr><th>alert</th><th>count</th></tr>{rows}</table>'
    return f'<ul class="figures">{items}</ul>{table}'


def _organisation_html(
    organisation: str,
    pages: Sequence[PageRows],
    runs: Sequence[RunRecord],
    names: Mapping[str, str],
) -> str:
    head = "".join(
        f"<th>{html.escape(run.label)}<br><small>{format_date(run.day)}</small></th>"
        for run in runs
    )
    body = []
    for page in pages:
        body.append(
            f'<tr class="page"><th colspan="{len(runs) + 1}">{html.escape(page.heading)} '
            f'<a href="{html.escape(page.url)}">{html.escape(_path(page.url))}</a></th></tr>'
        )
        body += [_row_html(row) for row in page.rows]
    return (
        f'<section class="organisation"><h3>{html.escape(_name(organisation, names))}</h3>'
        f'<table class="heatmap"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1]


def _row_html(row: Row) -> str:
    cells = "".join(_cell_html(cell) for cell in row.cells)
    label = html.escape(row.label)
    return f'<tr><th class="unit" title="{label}">{label}</th>{cells}</tr>'


def _cell_html(cell: Cell) -> str:
    css = f"cell {cell.css} changed" if cell.mark else f"cell {cell.css}"
    mark = f' <b class="mark">{html.escape(cell.mark)}</b>' if cell.mark else ""
    title = f' title="{html.escape(cell.note)}"' if cell.note else ""
    return f'<td class="{css}"{title}>{html.escape(cell.text)}{mark}</td>'


def _run_html(run: RunRecord) -> str:
    story = "".join(f"<li>{html.escape(line)}</li>" for line in run.story)
    messages = "".join(map(message_html, run.messages)) or '<p class="quiet">No alerts.</p>'
    return (
        f'<section class="run"><h3>{html.escape(run.label)} · {format_date(run.day)}</h3>'
        f'<ul class="story">{story}</ul>{messages}</section>'
    )


_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style></head><body><main>"""
_LEGEND = (
    '<p class="legend">'
    + "".join(
        f'<span class="cell {css}">{label}</span>'
        for css, label in (
            ("g-outstanding", "Outstanding"),
            ("g-good", "Good"),
            ("g-adequate", "Adequate"),
            ("g-requires-improvement", "Requires improvement"),
            ("g-inadequate", "Inadequate"),
            ("g-not-yet-graded", "Not yet graded / ungraded"),
            ("absent", "— not published"),
        )
    )
    + " <b>▲</b> improved · <b>▼</b> declined · <b>★</b> first grade · "
    "<b>+ ~ −</b> findings added, reworded, resolved · outlined: changed in that run</p>"
)
_CSS = """
body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d1c1d;
margin:0;background:#f8f8f8}
main{max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{margin-top:32px;border-bottom:2px solid #ddd}
.note{color:#616061}
.figures{display:flex;gap:24px;list-style:none;padding:0;font-size:16px}
.figures b{font-size:26px;display:block}
table{border-collapse:separate;border-spacing:2px}
.kinds td,.kinds th{padding:2px 10px;text-align:left;background:#fff}
.heatmap{margin-bottom:18px;background:#fff;table-layout:fixed;width:100%}
.heatmap thead th{font-size:12px}.heatmap thead th:first-child{width:340px}
.heatmap tr.page th{text-align:left;padding:10px 4px 2px;font-size:13px}
.heatmap tr.page a{font-weight:normal;color:#616061;font-family:monospace;font-size:11px}
th.unit{text-align:left;font-weight:normal;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis;padding-right:8px}
.cell{padding:4px 6px;text-align:center;font-size:12px;border-radius:3px;
display:table-cell}
.legend .cell{display:inline-block;margin:0 4px 4px 0}
.g-outstanding{background:#0b5d1e;color:#fff}.g-good{background:#43a047;color:#fff}
.g-adequate{background:#f4d03f}.g-requires-improvement{background:#f39c12}
.g-inadequate{background:#c62828;color:#fff}
.g-not-yet-graded,.g-ungraded,.g-not-inspected{background:#c4c4c4}
.m-engage{background:#8d8d8d;color:#fff;font-weight:bold}.m-scan{background:#e0e0e0}
.absent{background:#f1f1f1;color:#9a9a9a}.findings{background:#fafafa;color:#444}
.changed{outline:3px solid #1d1c1d;outline-offset:-3px;font-weight:bold}
.mark{font-size:13px}
.run{margin:18px 0}.story{color:#616061;margin:4px 0 10px}
.quiet{color:#616061;font-style:italic}
.message{background:#fff;border:1px solid #ddd;border-left:4px solid #611f69;
border-radius:6px;padding:8px 14px;margin:8px 0;max-width:760px}
.message h4{font-size:16px;margin:4px 0 8px}
.message blockquote{border-left:4px solid #ddd;margin:4px 0;padding:0 10px;color:#1d1c1d}
.message .context{color:#616061;font-size:12px;margin:6px 0}
.message del{color:#c62828}.message a{color:#1264a3}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px}
"""
