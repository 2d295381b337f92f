"""Fire and rescue service pages (2018/19, 2021/22): three pillars and their questions.

A service page and its `effectiveness/`, `efficiency/` and `people/` sub-pages use the
police pages' grade language on a four-point scale. A pillar block is its question
("How effective is the fire and rescue service at keeping people safe and secure from
fire and other risks?"), "Last updated DD/MM/YYYY", a badge and a narrative ("Kent Fire
and Rescue Service's overall effectiveness is good."). A question block is a heading,
numbered ("1", "2. ...") or not, written short ("Understanding the risk of fire and other
emergencies") or as a question ("How effective is the FRS at understanding the risk of
fire and other emergencies?"), then a badge, a narrative and its findings: "Areas for
improvement" ("The service should ..."), "Cause of concern" with its recommendations.
The badge is the grade; a narrative that contradicts it is reported, not believed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade, Judgement
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.findings import findings_in, section_kind
from watcher.parse.recognise.vocabulary import (
    GRADE_PATTERN,
    Recognised,
    badge,
    date_line,
    grade_of,
    is_heading_like,
    narrative_grade,
    slugify,
)

FRS_PILLAR_LABELS = {
    "effectiveness": "Effectiveness",
    "efficiency": "Efficiency",
    "people": "People",
}
_SERVICE = r"(?:fire and rescue service|service|frs)"
_PILLAR_QUESTION = re.compile(
    rf"how (effective|efficient) is the {_SERVICE} at keeping people safe and secure\b.{{0,40}}"
    rf"|how well does the {_SERVICE} look after its people\??",
    re.IGNORECASE,
)
# The questions by the words that name them, in the 2023-25 table's wording: a short
# heading and its question form ("How effective is the FRS at understanding the risk of
# fire and other emergencies?") get the same unit.
FRS_QUESTIONS = (
    ("understanding the risk", "Understanding the risk of fire and other emergencies"),
    ("preventing fire", "Preventing fires and other risks"),
    ("fire regulation", "Protecting the public through fire regulation"),
    ("responding to fires", "Responding to fires and other emergencies"),
    ("national risks", "Responding to national risks"),
    ("multi-agency incidents", "Responding to major and multi-agency incidents"),
    ("best use of resources", "Making best use of resources"),
    ("affordable now and in the future", "Making the FRS affordable now and in the future"),
    ("values and culture", "Promoting the right values and culture"),
    ("right people with the right skills", "Getting the right people with the right skills"),
    ("fairness and promoting diversity", "Ensuring fairness and promoting diversity"),
    ("developing leaders", "Managing performance and developing leaders"),
)
_NUMBER = re.compile(r"\d{1,2}")
_NUMBERED = re.compile(r"(\d{1,2})[.):]?\s+(.{10,200})")
_RUN_IN = re.compile(rf"(.{{10,200}}?)\s+({GRADE_PATTERN})", re.IGNORECASE)
# "Kent Fire and Rescue Service's overall effectiveness requires improvement."
_OVERALL = re.compile(rf"\boverall \w+ (?:is )?(?:judged to be )?({GRADE_PATTERN})\b", re.I)
_NARRATIVE_MIN = 40
_MAX_QUESTION = 200
_NOT_HEADINGS = (BlockKind.ITEM, BlockKind.ROW)


@dataclass(frozen=True)
class _Unit:
    """A pillar or question block: where its heading is and what it is called."""

    heading: int
    unit: str
    label: str
    grade: Grade | None = None  # a badge run into the heading


def recognise_frs_service(blocks: Sequence[Block], pillar: str) -> Recognised:
    """Pillar and question judgements, with findings, from a fire and rescue service page.

    `pillar` is the sub-page's pillar ("" on the service page): it names the questions
    of a sub-page that prints no pillar question.
    """
    units = _units(blocks, pillar)
    ends = [u.heading for u in units[1:]] + [len(blocks)] if units else []
    result = Recognised()
    for unit, end in zip(units, ends, strict=True):
        _read_unit(blocks, unit, end, result)
    return result


def frs_pillar(block: Block) -> str | None:
    """The pillar whose question this heading asks, if it is one."""
    text = block.text
    if text[:4].lower() != "how " or len(text) > 140 or block.kind in _NOT_HEADINGS:
        return None
    match = _PILLAR_QUESTION.fullmatch(text.rstrip())
    if match is None:
        return None
    word = (match.group(1) or "").lower()
    return {"effective": "effectiveness", "efficient": "efficiency"}.get(word, "people")


def _units(blocks: Sequence[Block], pillar: str) -> list[_Unit]:
    """Every pillar and question block in page order; questions belong to the pillar above."""
    units: list[_Unit] = []
    current = pillar
    for i, block in enumerate(blocks):
        if len(block.text) > _MAX_QUESTION or block.kind in _NOT_HEADINGS:
            continue  # narrative, list items and rows: most of a page, never a heading
        found = frs_pillar(block)
        if found:
            current = found
            units.append(_Unit(i, found, FRS_PILLAR_LABELS[found]))
        elif current and (question := _question(blocks, i)):
            number, label, grade = question
            unit = f"{current}/q{number}" if number else f"{current}/{_question_slug(label)}"
            heading = i - 1 if number and _NUMBER.fullmatch(blocks[i - 1].text) else i
            if all(u.unit != unit for u in units):  # not a detail heading naming the question
                units.append(_Unit(heading, unit, label, grade))
    return units


def _question(blocks: Sequence[Block], i: int) -> tuple[str, str, Grade | None] | None:
    """(number or "", label, run-in grade) when blocks[i] opens a question block."""
    block = blocks[i]
    if not is_heading_like(block) or len(block.text) > _MAX_QUESTION:
        return None
    if section_kind(block) or date_line(block) or badge(block):
        return None
    number = blocks[i - 1].text if i and _NUMBER.fullmatch(blocks[i - 1].text) else ""
    text, grade = block.text, None
    if numbered := _NUMBERED.fullmatch(text):
        number, text = numbered.groups()
    run_in = _RUN_IN.fullmatch(text)
    if run_in and (run_in.group(1).endswith("?") or _known_question(run_in.group(1))):
        text, grade = run_in.group(1), grade_of(run_in.group(2))  # a badge inside the heading
    known = _known_question(text) is not None
    if grade or known or _grade_after(blocks, i) or (number and text.endswith("?")):
        return number, text, grade
    return None


def _known_question(text: str) -> str | None:
    lowered = text.lower()
    if len(lowered) > 160 or lowered.startswith("questions for"):
        return None
    return next((label for words, label in FRS_QUESTIONS if words in lowered), None)


def _question_slug(label: str) -> str:
    return slugify(_known_question(label) or label)


def _grade_after(blocks: Sequence[Block], i: int) -> Grade | None:
    """The badge right after a heading, allowing for a date line in between."""
    for block in blocks[i + 1 : i + 3]:
        line = date_line(block)
        grade = badge(block) or (line.grade if line else None)
        if grade or line is None:
            return grade
    return None


def _read_unit(blocks: Sequence[Block], unit: _Unit, end: int, result: Recognised) -> None:
    """A unit's judgement (its badge, dated) and findings; a contradicting narrative noted."""
    start = unit.heading + 1
    if _NUMBER.fullmatch(blocks[unit.heading].text):
        start += 1  # the number line, then the question heading
    span = blocks[start:end]
    lines = [line for line in map(date_line, span[:3]) if line]
    updated = next((line.updated for line in lines if line.updated), None)
    grade = unit.grade or _grade_after(blocks, start - 1)
    if grade is None and any(line.to_be_graded for line in lines):
        grade = Grade.NOT_YET_GRADED
    if grade is not None:
        result.judgements.append(Judgement(unit.unit, unit.label, grade, updated))
        said = _narrative(span)
        if grade.is_graded and said and said.is_graded and said is not grade:
            result.anomalies.append(
                f"{unit.unit}: badge says {grade.label.lower()} but narrative says "
                f"{said.label.lower()}"
            )
    result.findings.extend(findings_in(blocks, start, end, unit.unit))


def _narrative(span: Sequence[Block]) -> Grade | None:
    """The grade the first narrative paragraph states, if any."""
    first = next(
        (b for b in span if b.kind is BlockKind.PARAGRAPH and len(b.text) > _NARRATIVE_MIN),
        None,
    )
    if first is None:
        return None
    overall = _OVERALL.search(first.text[:2000])
    return grade_of(overall.group(1)) if overall else narrative_grade(first.text)
