"""PEEL 2014 force pages: thirteen questions under three pillars, six of them graded.

The first PEEL assessment graded three effectiveness questions ("How effective is the
force at reducing crime and preventing offending?", "... at investigating offending?",
"... at tackling anti-social behaviour?") and the three efficiency questions, with an
overall efficiency grade; every other question, and effectiveness and legitimacy as a
whole, got a narrative only. So a question is recorded only where the page states its
grade in a badge: a narrative question is left out, never recorded as ungraded. Each
question is numbered within its pillar section ("Effectiveness", "Efficiency",
"Legitimacy") in page order, or by its printed number.
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
    GRADED_PILLARS,
    PILLAR_LABELS,
    Recognised,
    badge,
    date_line,
    is_heading_like,
    narrative_grade,
    pillar_question,
)

_SECTIONS = {PILLAR_LABELS[p].lower(): p for p in GRADED_PILLARS}
_LONGEST_SECTION = max(map(len, _SECTIONS))
_QUESTION = re.compile(
    rf"(?:(\d{{1,2}})[.):]?\s+)?((?:how|to what extent)\b.{{8,200}}\?)(?:\s+({GRADE_PATTERN}))?",
    re.IGNORECASE,
)
_NARRATIVE_MIN = 40


@dataclass(frozen=True)
class _Question:
    heading: int
    unit: str
    label: str
    grade: Grade | None  # a badge run into the heading


def recognise_peel_2014(blocks: Sequence[Block]) -> Recognised:
    """The grades a 2014 force page states, per question and for efficiency overall."""
    questions = _questions(blocks)
    ends = [q.heading for q in questions[1:]] + [len(blocks)]
    result = Recognised()
    for question, end in zip(questions, ends, strict=True):
        end = next((i for i in range(question.heading + 1, end) if _section(blocks[i])), end)
        _read_question(blocks, question, end, result)
    return result


def _section(block: Block) -> str | None:
    """The pillar a section heading ("Efficiency") opens."""
    if len(block.text) > _LONGEST_SECTION or not is_heading_like(block):
        return None
    return _SECTIONS.get(block.text.lower())


def _questions(blocks: Sequence[Block]) -> list[_Question]:
    """The pillar and question headings, each with its unit."""
    found: list[_Question] = []
    pillar: str | None = None
    counts: dict[str, int] = {}
    for i, block in enumerate(blocks):
        pillar = _section(block) or pillar
        match = _QUESTION.fullmatch(block.text) if _is_question_heading(block) else None
        if match is None:
            continue
        number, text, run_in = match.groups()
        asked = pillar_question(Block(block.kind, text))
        grade = _grade_word(run_in)
        if asked:
            found.append(_Question(i, asked, PILLAR_LABELS[asked], grade))
        elif pillar:
            counts[pillar] = int(number) if number else counts.get(pillar, 0) + 1
            found.append(_Question(i, f"{pillar}/q{counts[pillar]}", text, grade))
    return found


def _is_question_heading(block: Block) -> bool:
    return "?" in block.text and block.kind is not BlockKind.ITEM and is_heading_like(block)


def _grade_word(word: str | None) -> Grade | None:
    return badge(Block(BlockKind.PARAGRAPH, word)) if word else None


def _read_question(
    blocks: Sequence[Block], question: _Question, end: int, result: Recognised
) -> None:
    """The question's stated grade (its badge), last-updated date and findings."""
    start = question.heading + 1
    grade, updated = question.grade, None
    for block in blocks[start : min(start + 3, end)]:
        line = date_line(block)
        shown = line.grade if line else badge(block)
        if line is None and shown is None:
            break  # the narrative: a badge comes before it or not at all
        updated = updated or (line.updated if line else None)
        grade = grade or shown
    if grade is not None:
        result.judgements.append(Judgement(question.unit, question.label, grade, updated))
        said = _narrative(blocks[start:end])
        if grade.is_graded and said and said.is_graded and said is not grade:
            result.anomalies.append(
                f"{question.unit}: badge says {grade.label.lower()} but narrative says "
                f"{said.label.lower()}"
            )
    result.findings.extend(findings_in(blocks, start, end, question.unit))


def _narrative(span: Sequence[Block]) -> Grade | None:
    first = next(
        (b for b in span if b.kind is BlockKind.PARAGRAPH and len(b.text) > _NARRATIVE_MIN),
        None,
    )
    return narrative_grade(first.text) if first else None
