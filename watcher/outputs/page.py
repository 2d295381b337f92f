"""The one path from values to HTML: Jinja2 templates with autoescaping, shipped as package data.

Shared by the dashboard and the demo's report: the page layout and stylesheet
(`templates/base.html.j2`), the grade cell (`templates/cells.html.j2`: a colour and the
grade's word, so a cell reads without colour and to a screen reader) and the words
for alert kinds. Page text reaches HTML only here, escaped by Jinja.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jinja2

from watcher.models import Change, ChangeKind, Direction, FindingKind, Grade

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("watcher.outputs", "templates"),
    autoescape=True,  # every template, whatever its name: page text is never markup
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Cell:
    """A grade as drawn: its colour class and its word, a mark for a change, a tooltip."""

    text: str
    css: str
    mark: str = ""  # the change in this run, e.g. "▼"
    note: str = ""  # tooltip
    stale: str = ""  # why this may no longer be what the page says (it is failing now)


def render(template: str, **context: Any) -> str:
    """One template rendered with autoescaping."""
    return _ENV.get_template(template).render(**context)


def grade_css(grade: Grade) -> str:
    """The class that colours a grade's cell: "g-requires-improvement"."""
    return "g-" + grade.value.replace("_", "-")


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
    ChangeKind.PAGE_UNREACHABLE: "page unreachable",
    ChangeKind.PAGE_REACHABLE: "page readable again",
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


def grade_word(value: str | None) -> str:
    """A stored grade value as its word; other text (a finding, a list name) as it is."""
    if value is None:
        return "—"
    try:
        return Grade(value).label
    except ValueError:
        return value


def change_summary(change: Change) -> str:
    """One line of what changed: "Legitimacy: Not yet graded → Good"."""
    label = change.unit_label or change.unit
    if change.kind is ChangeKind.GRADE:
        return f"{label}: {grade_word(change.before)} → {grade_word(change.after)}"
    text = change.after or change.before or ""
    if change.kind in (ChangeKind.MONITORING_ENTERED, ChangeKind.MONITORING_LEFT):
        return text or alert_label(change)  # the list's note says it all
    return f"{label}: {text}" if label and text else label or text or alert_label(change)
