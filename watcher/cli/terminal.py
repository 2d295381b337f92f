"""What the operator's commands print: rich tables (`check`'s progress bar is in `progress`).

Values in, renderables out: the commands print them on their console, so the same
views show on a terminal and in a test's captured output.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from watcher.catalogue import cycle_label, organisation_name
from watcher.models import Change, ChangeKind, Grade, WordDiff

if TYPE_CHECKING:  # the query values: only `status`, `history`, `diff`, `forces` load them
    from watcher.store import (
        Comparison,
        FindingEvent,
        ForceGrades,
        ForceHistory,
        GradeRow,
        GradeStep,
        RunSummary,
        Status,
        UnitTimeline,
    )

OUTCOME_STYLES = {"ok": "green", "partial": "yellow", "stopped": "yellow", "running": "cyan"}


def when(iso: str | None) -> str:
    """A stored timestamp as a short readable time, e.g. `2026-05-01 07:03 UTC`."""
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M %Z").strip()


# -- status -----------------------------------------------------------------------


def status_view(status: Status, next_check: datetime | None, jitter: int) -> RenderableType:
    """Recent runs, failing pages, waiting alerts and the next scheduled check."""
    upcoming = next_check.strftime("%Y-%m-%d %H:%M %Z") if next_check else "never"
    return Group(
        Text(f"Next scheduled check: {upcoming} (plus up to {jitter} s of jitter)"),
        _runs_table(status.runs) if status.runs else Text("No run yet."),
        _failing_table(status) if status.failing else Text("No page is failing."),
        _unreadable_table(status) if status.unreadable else Text("Every page reads reliably."),
        _pending_table(status) if status.pending else Text("No alert is waiting."),
        *([_discovered_table(status)] if status.discovered else []),
        *(Text(f"Delivery: {notice}", style="yellow") for notice in status.notices),
    )


def _discovered_table(status: Status) -> Table:
    """Pages a listing announced, checked since like any watched page (`[discover]`)."""
    table = Table(title="Discovered pages being watched", title_justify="left")
    for column in ("Organisation", "Title", "Page", "Added"):
        table.add_column(column, overflow="fold")
    for page in status.discovered:
        name = organisation_name(page.organisation) if page.organisation else "—"
        table.add_row(name, page.title, page.path, when(page.added_at))
    return table


def _runs_table(runs: Sequence[RunSummary]) -> Table:
    table = Table(title="Last runs", title_justify="left")
    for column in ("Run", "Started", "Finished", "Checked", "Changed", "Failed", "Alerts"):
        table.add_column(column, justify="right" if column != "Started" else "left")
    table.add_column("Outcome")
    for run in runs:
        table.add_row(
            str(run.id),
            when(run.started_at),
            when(run.finished_at)[11:] if run.finished_at else "—",
            str(run.pages_checked),
            str(run.pages_changed),
            str(run.pages_failed),
            str(run.alerts_sent),
            Text(run.outcome, style=OUTCOME_STYLES.get(run.outcome, "red")),
        )
    return table


def _failing_table(status: Status) -> Table:
    table = Table(title="Pages failing now (unreachable)", title_justify="left")
    table.add_column("Page", overflow="fold")
    table.add_column("Failing since")
    table.add_column("Runs", justify="right")
    table.add_column("Reason", overflow="fold")
    for page in status.failing:
        table.add_row(
            page.url, when(page.failing_since), str(page.consecutive_failures), page.reason
        )
    return table


def _unreadable_table(status: Status) -> Table:
    """Pages that answer but cannot be read reliably: the site's layout, not the network."""
    table = Table(title="Pages that can't be read reliably now", title_justify="left")
    table.add_column("Page", overflow="fold")
    table.add_column("Since")
    table.add_column("State")
    table.add_column("Reason", overflow="fold")
    for page in status.unreadable:
        table.add_row(page.url, when(page.since), page.state, page.reason)
    return table


def destination_label(key: str | None) -> str:
    """A destination key as `status` shows it."""
    if key is None:
        return "not routed yet"
    if key in ("default", "ops"):
        return f"the {key} destination"
    kind, _, name = key.partition(":")
    return f"channel {name}" if kind == "slack" else f"webhook ${name}"


def _pending_table(status: Status) -> Table:
    counts: dict[str, int] = {}
    for alert in status.pending:
        label = destination_label(alert.destination)
        counts[label] = counts.get(label, 0) + 1
    waiting = ", ".join(f"{n} for {label}" for label, n in counts.items())
    table = Table(title=f"Alerts waiting to be sent: {waiting}", title_justify="left")
    table.add_column("To")
    table.add_column("Alert")
    table.add_column("Force")
    table.add_column("Queued")
    table.add_column("Attempts", justify="right")
    table.add_column("Last error", overflow="fold")
    for alert in status.pending:
        table.add_row(
            destination_label(alert.destination),
            alert.kind,
            organisation_name(alert.organisation) if alert.organisation else "—",
            when(alert.created_at),
            str(alert.attempts),
            alert.last_error or "—",
        )
    return table


# -- history ----------------------------------------------------------------------


def history_view(history: ForceHistory) -> RenderableType:
    """A force's grade timeline per unit and its findings' comings and goings."""
    name = organisation_name(history.force)
    if not history.units and not history.findings:
        return Text(f"Nothing stored for {name} (matching these options) yet.")
    return Group(_grades_table(name, history.units), _findings_table(history.findings))


def _grades_table(name: str, units: Sequence[UnitTimeline]) -> Table:
    table = Table(title=f"{name}: grades", title_justify="left")
    table.add_column("Cycle")
    table.add_column("Unit")
    table.add_column("Grade (first seen)", overflow="fold")
    for unit in units:
        steps = " → ".join(f"{s.grade.label} ({_step_when(s)})" for s in unit.steps)
        table.add_row(cycle_label(unit.cycle), Text(f"{unit.label} ({unit.unit})"), steps)
    return table


def _step_when(step: GradeStep) -> str:
    """When a grade was first seen; a web archive's copy is marked as one."""
    day = when(step.seen_at)[:10]
    return f"{day}, archived copy" if step.source == "archive" else day


def _findings_table(events: Sequence[FindingEvent]) -> RenderableType:
    if not events:
        return Text("No findings.")
    table = Table(title="Findings", title_justify="left")
    table.add_column("Seen")
    table.add_column("Cycle")
    table.add_column("Unit")
    table.add_column("Finding")
    table.add_column("Event")
    table.add_column("Text", overflow="fold", ratio=1)
    for event in events:
        text = word_diff_text(event.before, event.text) if event.before else Text(event.text)
        table.add_row(
            when(event.seen_at)[:10],
            cycle_label(event.cycle),
            event.unit,
            event.finding_kind.label if event.finding_kind else "Monitoring",
            _EVENT_LABELS.get(event.event, event.event),
            text,
        )
    return table


# "present": on the page when the watcher first read it, so not known to be new.
_EVENT_LABELS = {"present": "at first check"}


def word_diff_text(before: str, after: str) -> Text:
    """Old and new wording in one line: removed words struck out, added words green."""
    from watcher.diff import word_diff

    return wording_text(word_diff(before, after))


def wording_text(wording: WordDiff) -> Text:
    """A word diff as `kept [-removed-] {+added+}`, styled for a terminal."""
    text = Text()
    for op, words in wording.segments:
        if text:
            text.append(" ")
        style = {"delete": "red strike", "insert": "bold green"}.get(op, "")
        marked = {"delete": f"[-{words}-]", "insert": f"{{+{words}+}}"}.get(op, words)
        text.append(marked, style=style)
    return text


# -- diff -------------------------------------------------------------------------


def comparison_view(url: str, comparison: Comparison, versions: int) -> RenderableType:
    """Two stored versions of a page: grades side by side, then the findings' changes."""
    before, after = comparison.before, comparison.after
    title = (
        f"{url}\nversion {before.number} ({when(before.fetched_at)}) → "
        f"version {after.number} ({when(after.fetched_at)}) of {versions} stored"
    )
    return Group(
        Text(title, style="bold"),
        _grade_rows(comparison) if comparison.grades else Text("No grades on this page."),
        _finding_changes(comparison.findings),
    )


def _grade_rows(comparison: Comparison) -> Table:
    table = Table(title="Grades", title_justify="left")
    table.add_column("Unit")
    table.add_column(f"Version {comparison.before.number}")
    table.add_column(f"Version {comparison.after.number}")
    for row in comparison.grades:
        style = "bold" if row.changed else ""
        table.add_row(
            Text(f"{row.label} ({row.unit})", style=style),
            _grade_label(row.before),
            Text(_grade_label(row.after) + _arrow(row), style=style),
        )
    return table


def _grade_label(grade: Grade | None) -> str:
    return grade.label if grade else "—"


def _arrow(row: GradeRow) -> str:
    old, new = (row.before.rank if row.before else None), (row.after.rank if row.after else None)
    if old is None or new is None or old == new:
        return " (changed)" if row.changed else ""
    return " ▲" if new > old else " ▼"


_CHANGE_TITLES = {
    ChangeKind.FINDING_ADDED: "added",
    ChangeKind.FINDING_RESOLVED: "resolved",
    ChangeKind.FINDING_REWORDED: "reworded",
    ChangeKind.MONITORING_ENTERED: "entered monitoring",
    ChangeKind.MONITORING_LEFT: "left monitoring",
}


def _finding_changes(changes: Sequence[Change]) -> RenderableType:
    if not changes:
        return Text("Findings: no change.")
    lines: list[RenderableType] = [Text("Findings", style="bold italic")]
    for change in changes:
        kind = change.finding_kind.label if change.finding_kind else "Monitoring"
        head = Text(f"• {kind} {_CHANGE_TITLES[change.kind]} ({change.unit or '—'}): ")
        if change.wording:
            head.append_text(wording_text(change.wording))
        else:
            head.append(change.after or change.before or "")
        lines.append(head)
    return Group(*lines)


# -- forces -----------------------------------------------------------------------


def forces_table(rows: Sequence[ForceGrades]) -> Table:
    """The catalogue, one row per force, with its current grades."""
    table = Table(title="Forces and their current grades", title_justify="left")
    table.add_column("Force")
    table.add_column("Region")
    table.add_column("Cycle")
    table.add_column("Grades", overflow="fold", ratio=1)
    table.add_column("Monitoring")
    table.add_column("Last checked")
    for row in rows:
        grades = " · ".join(f"{j.label}: {j.grade.label}" for j in row.grades)
        table.add_row(
            f"{row.name} ({row.slug})",
            row.region_name or "—",
            cycle_label(row.cycle) if row.cycle else "—",
            grades or "—",
            row.monitoring or "",
            when(row.last_checked_at),
        )
    return table
