"""The second, independent reading of a 2021+ report: each graded area's own section.

An area's section opens with a heading naming it and states its grade in a badge (the
grade alone, just after the heading), in the heading itself ("Investigating crime:
adequate") and/or in its first sentences ("Kent Police is adequate at investigating
crime"). A heading counts as an area when its label is a known area's, a label the
summary gives, or it is followed by a badge; never one such as "Our judgments" or
"Overall summary" (`areas.is_not_area`), whatever grade word it carries. A badge and a
sentence that disagree, or one area graded twice differently, are conflicts: the
reading cannot be trusted, and says why.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from watcher.models import Grade
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.area_findings import finding_heading
from watcher.parse.recognise.areas import KNOWN_AREAS, area_slug, is_not_area
from watcher.parse.recognise.vocabulary import GRADE_PATTERN, badge, grade_of, is_heading_like

# "Kent Police is adequate at investigating crime", "... requires improvement in ..."
_STATEMENT = re.compile(
    rf"\b(?:is|are) (?:judged to be |rated as |assessed as |graded as )?(?P<g>{GRADE_PATTERN})"
    r" (?:at|in|for)\b|\b(?P<ri>requires? improvement) (?:at|in)\b",
    re.IGNORECASE,
)
_HEADING_GRADE = re.compile(
    rf"(?P<label>.{{3,120}}?)\s*(?::|\s[–—-])\s*(?P<g>{GRADE_PATTERN})\.?", re.IGNORECASE
)
# How far into a section its grade is looked for: the badge, then the first paragraphs.
_BADGE_SPAN = 2
_STATEMENT_PARAGRAPHS = 2
_STATEMENT_CHARS = 400


@dataclass(frozen=True)
class SectionGrade:
    """An area's grade as its own section states it."""

    unit: str
    label: str
    grade: Grade


@dataclass
class SectionReading:
    """The areas the body's sections grade, in page order, and what cannot be trusted."""

    grades: list[SectionGrade] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def read_sections(
    blocks: Sequence[Block], start: int, summary_units: Collection[str]
) -> SectionReading:
    """Each area section's grade from `start` on (after the summary block)."""
    reading = SectionReading()
    for i in range(max(start, 0), len(blocks)):
        found = _section_grade(blocks, i, summary_units, reading.conflicts)
        if found is not None:
            _add(reading, found)
    return reading


def _add(reading: SectionReading, found: SectionGrade) -> None:
    same = next((g for g in reading.grades if g.unit == found.unit), None)
    if same is None:
        reading.grades.append(found)
    elif same.grade is not found.grade:
        reading.conflicts.append(
            f"area sections disagree on {found.label}: {_says(same.grade)} and {_says(found.grade)}"
        )


def _says(grade: Grade) -> str:
    return grade.label.lower()


def _section_grade(
    blocks: Sequence[Block], i: int, summary_units: Collection[str], conflicts: list[str]
) -> SectionGrade | None:
    block = blocks[i]
    if not _could_be_area(block):
        return None
    label, in_heading = _heading_label(block.text)
    unit = area_slug(label)
    after = _badge_after(blocks, i)
    if not (unit in KNOWN_AREAS or unit in summary_units or after or in_heading):
        return None
    stated = _statement(blocks, i)
    found = [g for g in (in_heading, after, stated) if g is not None]
    if not found:
        return None
    if any(g is not found[0] for g in found):
        said = ", ".join(sorted({_says(g) for g in found}))
        conflicts.append(f"the section on {label} states two grades: {said}")
    return SectionGrade(unit, label, found[0])


def _could_be_area(block: Block) -> bool:
    return (
        is_heading_like(block)
        and badge(block) is None
        and finding_heading(block) is None
        and not is_not_area(block.text)
    )


def _heading_label(text: str) -> tuple[str, Grade | None]:
    """A heading's area label, and the grade it carries itself ("Investigating crime: good")."""
    match = _HEADING_GRADE.fullmatch(text)
    if match is None or is_not_area(match.group("label")):
        return text, None
    return match.group("label").strip(), grade_of(match.group("g"))


def _badge_after(blocks: Sequence[Block], i: int) -> Grade | None:
    for block in blocks[i + 1 : i + 1 + _BADGE_SPAN]:
        if (grade := badge(block)) is not None:
            return grade
        if is_heading_like(block) and block.kind is BlockKind.HEADING:
            return None  # the next section's heading: this one has no badge
    return None


def _statement(blocks: Sequence[Block], i: int) -> Grade | None:
    """The grade the section's first paragraphs state, before its next heading."""
    paragraphs = 0
    for block in blocks[i + 1 : i + 1 + _BADGE_SPAN + _STATEMENT_PARAGRAPHS]:
        if block.kind is BlockKind.HEADING:
            return None
        if block.kind is not BlockKind.PARAGRAPH or badge(block) is not None:
            continue
        match = _STATEMENT.search(block.text[:_STATEMENT_CHARS])
        if match:
            return grade_of(match.group("g") or match.group("ri"))
        paragraphs += 1
        if paragraphs >= _STATEMENT_PARAGRAPHS:
            return None
    return None
