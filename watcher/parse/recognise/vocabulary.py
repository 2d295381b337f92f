"""The inspectorate's wording: grade words, pillars, dates, and a recogniser's result."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from watcher.models import Finding, Grade, Judgement, Reading
from watcher.parse.blocks import Block, BlockKind

_GRADE_WORDS: dict[str, Grade] = {
    "outstanding": Grade.OUTSTANDING,
    "good": Grade.GOOD,
    "adequate": Grade.ADEQUATE,
    "requires improvement": Grade.REQUIRES_IMPROVEMENT,
    "requiring improvement": Grade.REQUIRES_IMPROVEMENT,
    "require improvement": Grade.REQUIRES_IMPROVEMENT,
    "inadequate": Grade.INADEQUATE,
    "not yet graded": Grade.NOT_YET_GRADED,
    "to be graded": Grade.NOT_YET_GRADED,
    "ungraded": Grade.UNGRADED,
    "not graded": Grade.UNGRADED,
    "not inspected": Grade.NOT_INSPECTED,
}
GRADE_PATTERN = "|".join(sorted(_GRADE_WORDS, key=len, reverse=True))
_BADGE = re.compile(rf"({GRADE_PATTERN})\.?", re.IGNORECASE)

PILLAR_LABELS = {
    "effectiveness": "Effectiveness",
    "efficiency": "Efficiency",
    "legitimacy": "Legitimacy",
    "leadership": "Leadership",
}
GRADED_PILLARS = ("effectiveness", "efficiency", "legitimacy")
_PILLAR_STEMS = (
    ("effective", "effectiveness"),
    ("efficien", "efficiency"),
    ("legitima", "legitimacy"),
)


@dataclass
class Recognised:
    """What a recogniser read from a page, in page order."""

    judgements: list[Judgement] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)  # cross-checked readings (2021+)
    unreadable: str | None = None  # why the page cannot be read reliably this time


def grade_of(phrase: str) -> Grade | None:
    """The grade a phrase names exactly ("Requires improvement", "good."), if any."""
    match = _BADGE.fullmatch(phrase.strip())
    return _GRADE_WORDS[match.group(1).lower()] if match else None


def badge(block: Block) -> Grade | None:
    """The grade of a badge: a block (or one-cell row) that is only a grade word."""
    if len(block.text) > 25 or block.kind is BlockKind.ITEM:
        return None
    return grade_of(block.text)


_LAST_UPDATED = re.compile(r"last updated:?\s*(\d{1,2})/(\d{1,2})/(\d{4})\b\s*(.{0,30})", re.I)
_TO_BE_GRADED = re.compile(r"to be graded\b\.?\s*(.{0,30})", re.IGNORECASE)


@dataclass(frozen=True)
class DateLine:
    """A "Last updated DD/MM/YYYY" or "To be graded" line, and a badge run into it."""

    updated: date | None
    to_be_graded: bool
    grade: Grade | None


def date_line(block: Block) -> DateLine | None:
    if len(block.text) > 60:
        return None
    match = _LAST_UPDATED.match(block.text)
    if match:
        day, month, year, rest = match.groups()
        return DateLine(_date(int(year), int(month), int(day)), False, grade_of(rest))
    match = _TO_BE_GRADED.match(block.text)
    if match:
        return DateLine(None, True, grade_of(match.group(1)))
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def pillar_of_word(text: str) -> str | None:
    """The pillar a word such as "efficiently" or "legitimate" belongs to."""
    lowered = text.lower()
    return next((pillar for stem, pillar in _PILLAR_STEMS if lowered.startswith(stem)), None)


# "How effective is the force at keeping people safe and reducing crime?" (2015-2017),
# "How efficiently does the force operate and how sustainable are its services?" (2018/19).
_PILLAR_QUESTION = re.compile(
    r"how (effective|efficient|legitimate)(?:ly)? (?:is|does) the force\b(?:.{0,40}?)"
    r"(?:(?:keeping|keep) people safe and reducing crime|reduce crime and keep people safe"
    r"|sustainable are its services|treat the public and its workforce)\??",
    re.IGNORECASE,
)


_NOT_HEADINGS = (BlockKind.ITEM, BlockKind.ROW)


def pillar_question(block: Block) -> str | None:
    """The pillar whose question this heading asks, if it is one."""
    text = block.text
    if text[:4].lower() != "how " or len(text) > 120 or block.kind in _NOT_HEADINGS:
        return None
    match = _PILLAR_QUESTION.fullmatch(text)
    return pillar_of_word(match.group(1)) if match else None


_NARRATIVE = re.compile(
    r"\b(?:is|are|been) (?:judged to be |judged to |assessed as |rated as )?"
    rf"({GRADE_PATTERN})(?: at| in| for| overall|[,.])",
    re.IGNORECASE,
)


def narrative_grade(text: str) -> Grade | None:
    """The grade a narrative's first sentence states ("Kent Police is good at ...")."""
    first = text.split(". ", 1)[0][:400]
    match = _NARRATIVE.search(first)
    return grade_of(match.group(1)) if match else None


def slugify(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


# "This question was not subject to detailed inspection in 2018/19, and our judgment
# from the 2017 effectiveness inspection has been carried over."
_CARRIED_OVER = re.compile(
    r"judg(?:e)?ment from (?:the |our )?((?:19|20)\d\d(?:/\d\d)?)\b.{0,60}?carried over", re.I
)


def carried_over_year(blocks: Sequence[Block]) -> str | None:
    """The year of the inspection whose judgement a block of text says was carried over."""
    for block in blocks:
        if "carried over" in block.text[:600]:
            match = _CARRIED_OVER.search(block.text[:600])
            if match:
                return match.group(1)
    return None


def is_heading_like(block: Block) -> bool:
    """A heading, or a short unpunctuated paragraph standing in for one."""
    if block.kind is BlockKind.HEADING:
        return True
    text = block.text
    return block.kind is BlockKind.PARAGRAPH and len(text) <= 120 and text[-1] not in ".:;,"
