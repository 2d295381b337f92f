"""PEEL 2015-2017 pillar pages: the pillar question, then numbered question blocks.

The pillar block is its question heading, "Last updated DD/MM/YYYY" (or "To be
graded") and a badge. Each question block is a number line ("2"), the question and a
badge, which may sit right after the question or at the end of the block (both are
seen on real pages). A narrative sentence such as "Kent Police is good at ..." is
evidence, not the grade: the badge wins and a disagreement is reported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade, Judgement
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.findings import findings_in
from watcher.parse.recognise.vocabulary import (
    GRADE_PATTERN,
    PILLAR_LABELS,
    Recognised,
    badge,
    carried_over_year,
    date_line,
    grade_of,
    is_heading_like,
    narrative_grade,
    pillar_question,
)

_NUMBER = re.compile(r"\d{1,2}")
_NUMBERED_QUESTION = re.compile(
    rf"(\d{{1,2}})[.):]?\s+(.{{10,200}}\?)(?:\s+({GRADE_PATTERN}))?", re.IGNORECASE
)
# A paragraph longer than this is narrative, not a badge, date or number line.
_NARRATIVE_MIN = 40
_QUESTION = re.compile(rf"(.{{10,200}}\?)(?:\s+({GRADE_PATTERN}))?", re.IGNORECASE)


@dataclass(frozen=True)
class _Question:
    marker: int  # index of the number line (or of the numbered heading)
    heading: int  # index of the question text
    number: str
    text: str
    grade: Grade | None  # a badge run into the heading itself


def recognise_pillar_page(blocks: Sequence[Block], pillar: str) -> Recognised:
    """The pillar judgement, one judgement per graded question, and their findings."""
    result = Recognised()
    questions = _questions(blocks)
    top = _pillar_top(blocks, pillar)
    end = questions[0].marker if questions else len(blocks)
    if top is not None:
        pillar = pillar_question(blocks[top]) or pillar
        _read_unit(blocks, top + 1, end, pillar, PILLAR_LABELS[pillar], None, result)
    ends = [q.marker for q in questions[1:]] + [len(blocks)] if questions else []
    for question, stop in zip(questions, ends, strict=True):
        unit = f"{pillar}/q{question.number}"
        _read_unit(blocks, question.heading + 1, stop, unit, question.text, question.grade, result)
    return result


_LEADERSHIP = re.compile(r"leadership|how well led is the force\??", re.IGNORECASE)


def _pillar_top(blocks: Sequence[Block], pillar: str) -> int | None:
    """The pillar question's index; on a leadership page (no such question), its heading."""
    top = next((i for i, b in enumerate(blocks) if pillar_question(b)), None)
    if top is None and pillar == "leadership":
        headings = (i for i, b in enumerate(blocks) if is_heading_like(b))
        top = next((i for i in headings if _LEADERSHIP.fullmatch(blocks[i].text)), None)
    return top


def _questions(blocks: Sequence[Block]) -> list[_Question]:
    """Numbered questions: a number line then the question, or "2. How ...?" in one."""
    found: list[_Question] = []
    for i, block in enumerate(blocks):
        if block.kind in (BlockKind.ITEM, BlockKind.ROW):
            continue
        numbered = _NUMBERED_QUESTION.fullmatch(block.text)
        if numbered:
            number, text, grade = numbered.groups()
            found.append(_Question(i, i, number, text, grade_of(grade or "")))
        elif _NUMBER.fullmatch(block.text) and i + 1 < len(blocks):
            question = _QUESTION.fullmatch(blocks[i + 1].text)
            if question and blocks[i + 1].kind not in (BlockKind.ITEM, BlockKind.ROW):
                text, grade = question.groups()
                found.append(_Question(i, i + 1, block.text, text, grade_of(grade or "")))
    return found


def _read_unit(
    blocks: Sequence[Block],
    start: int,
    end: int,
    unit: str,
    label: str,
    grade: Grade | None,
    result: Recognised,
) -> None:
    """One unit's judgement and findings, from the blocks after its heading."""
    span = blocks[start:end]
    lines = [line for line in map(date_line, span) if line]
    updated = next((line.updated for line in lines if line.updated), None)
    grade = grade or next((g for g in (_badge_or_dated(b) for b in span) if g), None)
    if grade is None and any(line.to_be_graded for line in lines):
        grade = Grade.NOT_YET_GRADED
    if grade is not None:
        result.judgements.append(Judgement(unit, label, grade, updated, carried_over_year(span)))
    narrative = _narrative_grade(span)
    if grade and grade.is_graded and narrative and narrative.is_graded and narrative is not grade:
        result.anomalies.append(
            f"{unit}: badge says {grade.label.lower()} but narrative says {narrative.label.lower()}"
        )
    result.findings.extend(findings_in(blocks, start, end, unit))


def _badge_or_dated(block: Block) -> Grade | None:
    """A badge, or a badge run into the date line ("Last updated 22/03/2018 Good")."""
    line = date_line(block)
    return line.grade if line else badge(block)


def _narrative_grade(span: Sequence[Block]) -> Grade | None:
    """The grade the first narrative paragraph's first sentence states, if any."""
    first = next(
        (b for b in span if b.kind is BlockKind.PARAGRAPH and len(b.text) > _NARRATIVE_MIN),
        None,
    )
    return narrative_grade(first.text) if first else None
