"""Whether a 2021+ report's grades can be trusted: its readings checked against each other.

A report states its grades up to three times, independently: the summary block, each
area's own section, and the count sentence ("We make graded judgments in eight of
these nine"). The rule is never silently wrong, so a page is read only when:

- the summary and the sections, where both grade an area, give it the same grade, and
  the sections grade no area the summary does not list (or lists as ungraded);
- the reading used (the summary, else the sections) grades as many areas as the count
  sentence says;
- a reading that stands alone has a count sentence to match.

A page with no count sentence and no grade at all is not judged here: it is a page
with no grades (a maintenance or error page), which `parse` reports as such.

Otherwise the page is unreadable this time, and the reason names the area and both
readings, or the count and what was read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade, Reading
from watcher.parse.recognise.area_judgements import JudgementsBlock
from watcher.parse.recognise.area_sections import SectionGrade, SectionReading
from watcher.parse.recognise.areas import area_slug

SECTIONS = "area sections"
COUNT = "count sentence"
NO_TEXT = (
    "the summary after the count sentence could not be read (a graphic with no text, or"
    " a layout not known) and no area section states a grade"
)


@dataclass(frozen=True)
class Verdict:
    """The readings found, and why the page cannot be trusted (None: it can)."""

    readings: tuple[Reading, ...]
    unreadable: str | None


def cross_check(summary: JudgementsBlock, sections: SectionReading) -> Verdict:
    """The readings of one report checked against each other."""
    listed = [SectionGrade(area_slug(a.label), a.label, a.grade) for a in summary.areas]
    problems = [*_disagreements(summary.source, listed, sections.grades), *sections.conflicts]
    used = listed or sections.grades
    graded = sum(1 for g in used if g.grade.is_graded)
    stated = summary.stated_graded
    if stated is not None and used and graded != stated:
        problems.append(f"count sentence says {stated} graded areas, read {graded}")
    if not used and summary.start >= 0:
        problems.append(NO_TEXT)
    elif used and stated is None and not (listed and sections.grades):
        alone = summary.source if listed else SECTIONS
        problems.append(f"only the {alone} states grades, and no count sentence checks it")
    agreed = None if _alone(listed, sections, stated) else not problems
    readings = [
        *([_reading(summary.source, listed, agreed)] if listed else []),
        *([_reading(SECTIONS, sections.grades, agreed)] if sections.grades else []),
        *([Reading(COUNT, (), stated, agreed)] if stated is not None else []),
    ]
    return Verdict(tuple(readings), "; ".join(problems) or None)


def _alone(listed: Sequence[SectionGrade], sections: SectionReading, stated: int | None) -> bool:
    return sum((bool(listed), bool(sections.grades), stated is not None)) < 2


def _reading(source: str, grades: Sequence[SectionGrade], agreed: bool | None) -> Reading:
    count = sum(1 for g in grades if g.grade.is_graded)
    return Reading(source, tuple((g.unit, g.grade.value) for g in grades), count, agreed)


def _disagreements(
    source: str, listed: Sequence[SectionGrade], sections: Sequence[SectionGrade]
) -> list[str]:
    problems = []
    by_unit: dict[str, Grade] = {}
    for area in listed:
        if by_unit.setdefault(area.unit, area.grade) is not area.grade:
            problems.append(f"the {source} grades {area.label} twice")
    for area in sections:
        summary = by_unit.get(area.unit)
        if summary is area.grade or not listed:
            continue
        said = "does not list it" if summary is None else f"says {_says(summary)}"
        problems.append(
            f"readings disagree on {area.label}: {source} {said},"
            f" {SECTIONS} say {_says(area.grade)}"
        )
    return problems


def _says(grade: Grade) -> str:
    return grade.label.lower()
