"""Fire and rescue 2023-25 per-service reports: eleven diagnostic questions, read twice.

A 2023-25 report (`/frs-assessment/frs-2023-25/{service}/`) grades eleven diagnostic
questions on the five-point scale and no pillar. Its grades can be read twice:

- a summary: table rows ("Understanding the risk of fire ..." | "Adequate"), lines
  ("Understanding the risk of fire ...: Adequate"), or grade headings each followed by
  the questions with that grade;
- the questions' own sections: a heading naming the question (short, or as "How
  effective is the FRS at ...?"), then a badge (a "Last updated" line may come first).

Where both exist they must agree; each must give all eleven questions, once each. A
page where they disagree, where a question is given twice, or where nothing can be read
(a graphic with no text, an unknown layout) is unreadable this time, with the reason.
A question's unit is the slug of its label in the all-services table's wording, so a
report and the table speak of the same units.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from watcher.models import Finding, Grade, Judgement, Reading
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.findings import findings_in
from watcher.parse.recognise.frs import FRS_QUESTIONS
from watcher.parse.recognise.vocabulary import (
    GRADE_PATTERN,
    Recognised,
    badge,
    date_line,
    grade_of,
    is_heading_like,
    slugify,
)

QUESTIONS = 11
SUMMARY = "summary"
SECTIONS = "question sections"
# 2018/19 and 2021/22 had "Responding to national risks"; 2023-25 does not grade it.
_LABELS = tuple((words, label) for words, label in FRS_QUESTIONS if words != "national risks")
_LINE = re.compile(rf"(.{{10,160}}?)\s*[:–—-]\s*({GRADE_PATTERN})\.?", re.IGNORECASE)
_MAX_LABEL = 200
# How much longer than its label a listed question may be ("How effective is ...?").
_SLACK = 40


@dataclass
class _Read:
    """One reading's (unit, label, grade) triples in page order."""

    grades: list[tuple[str, str, Grade]] = field(default_factory=list)

    def add(self, label: str, grade: Grade) -> None:
        self.grades.append((slugify(label), label, grade))


@dataclass
class ReportRead:
    """What a 2023-25 report gives: its judgements, findings, readings and any problem."""

    recognised: Recognised
    readings: tuple[Reading, ...]
    unreadable: str | None


def question_label(text: str) -> str | None:
    """The table's label of the question a heading or line names, if it names one."""
    lowered = text.lower()
    if len(lowered) > _MAX_LABEL or lowered.startswith("questions for"):
        return None
    return next((label for words, label in _LABELS if words in lowered), None)


def read_frs_report(blocks: Sequence[Block]) -> ReportRead:
    """The eleven questions from the summary and the sections, cross-checked."""
    summary, sections, starts = _summary(blocks), _Read(), []
    for i in range(len(blocks)):
        found = _section(blocks, i)
        if found:
            sections.add(*found)
            starts.append(i)
    problems = _problems(SUMMARY, summary) + _problems(SECTIONS, sections)
    problems += _disagreements(summary, sections)
    readings = [
        Reading(source, _pairs(read), len({u for u, _, _ in read.grades}), None)
        for source, read in ((SUMMARY, summary), (SECTIONS, sections))
        if read.grades
    ]
    if len(readings) == 2:
        readings = [Reading(r.source, r.grades, r.count, not problems) for r in readings]
    chosen = summary if summary.grades else sections
    recognised = Recognised(
        judgements=_unique(chosen),
        findings=_findings(blocks, starts, sections),
        anomalies=list(problems),
    )
    return ReportRead(recognised, tuple(readings), "; ".join(problems) or None)


def _summary(blocks: Sequence[Block]) -> _Read:
    """The summary's grades: rows, "Label: Grade" lines, or grade headings over labels."""
    read, heading_grade = _Read(), None
    for block in blocks:
        label = question_label(block.text) if len(block.text) <= _MAX_LABEL else None
        if block.kind is BlockKind.ROW:
            grade = next((g for g in map(grade_of, block.cells) if g), None)
            heading_grade = None
            if label and grade:
                read.add(label, grade)
        elif badge(block) and is_heading_like(block):
            heading_grade = badge(block)
        elif label and (line := _LINE.fullmatch(block.text)):
            grade = grade_of(line.group(2))
            if grade is not None:
                read.add(label, grade)
        elif label and heading_grade and _listed(block, label):
            read.add(label, heading_grade)  # a question listed under its grade's heading
        elif not label:
            heading_grade = None
    return read


def _listed(block: Block, label: str) -> bool:
    """A line that is only a question's name (not a heading, nor narrative naming it)."""
    text = block.text
    return (
        block.kind is not BlockKind.HEADING and len(text) <= len(label) + _SLACK and text[-1] != "."
    )


def _section(blocks: Sequence[Block], i: int) -> tuple[str, Grade] | None:
    """(label, grade) when blocks[i] is a question's heading followed by its badge."""
    block = blocks[i]
    if block.kind is not BlockKind.HEADING or len(block.text) > _MAX_LABEL:
        return None
    label = question_label(block.text)
    if label is None or _LINE.fullmatch(block.text):
        return None
    for j in range(i + 1, min(i + 3, len(blocks))):
        line = date_line(blocks[j])
        grade = badge(blocks[j]) or (line.grade if line else None)
        if grade is not None:
            after = blocks[j + 1].text if j + 1 < len(blocks) else ""
            # A grade heading over the next questions is the summary's, not this one's.
            return None if question_label(after) and len(after) < 120 else (label, grade)
        if line is None:
            return None
    return None


def _problems(source: str, read: _Read) -> list[str]:
    """A question given twice with different grades, or not all eleven given."""
    if not read.grades:
        return []
    grades: dict[str, set[Grade]] = {}
    for unit, _, grade in read.grades:
        grades.setdefault(unit, set()).add(grade)
    problems = [
        f"{source}: {unit} given twice, " + " and ".join(sorted(g.label.lower() for g in found))
        for unit, found in grades.items()
        if len(found) > 1
    ]
    if len(grades) != QUESTIONS:
        problems.append(f"{source}: {len(grades)} of the {QUESTIONS} questions graded")
    return problems


def _disagreements(summary: _Read, sections: _Read) -> list[str]:
    """Each question whose summary grade and section grade differ, with both."""
    if not summary.grades or not sections.grades:
        return []
    said = {unit: (label, grade) for unit, label, grade in sections.grades}
    problems = []
    for unit, label, grade in summary.grades:
        if unit not in said:
            problems.append(f"{label}: in the summary ({_low(grade)}) but has no section")
        elif said[unit][1] is not grade:
            problems.append(
                f"{label}: the summary says {_low(grade)}, its section says {_low(said[unit][1])}"
            )
    return problems


def _low(grade: Grade) -> str:
    return grade.label.lower()


def _pairs(read: _Read) -> tuple[tuple[str, str], ...]:
    return tuple((unit, str(grade)) for unit, _, grade in read.grades)


def _unique(read: _Read) -> list[Judgement]:
    seen: dict[str, Judgement] = {}
    for unit, label, grade in read.grades:
        seen.setdefault(unit, Judgement(unit, label, grade))
    return list(seen.values())


def _findings(blocks: Sequence[Block], starts: list[int], sections: _Read) -> list[Finding]:
    """Each section's areas for improvement and the like, tied to its question."""
    ends = [*starts[1:], len(blocks)] if starts else []
    found: list[Finding] = []
    for start, end, (unit, _, _) in zip(starts, ends, sections.grades, strict=True):
        found.extend(findings_in(blocks, start + 1, end, unit))
    return found
