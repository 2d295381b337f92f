"""PEEL reports from 2021/22 on: graded areas of policing, each with its findings.

There is no pillar grade: the summary block (`area_judgements`) grades about 8-11
areas on the five-point scale, some "not graded" or "not inspected". Each area has a
section in the body, opened by a heading with the area's name (and a badge or a
sentence stating its grade: `area_sections`), holding its areas for improvement,
causes of concern, recommendations and practice. The two readings and the count
sentence are checked against each other (`cross_check`): a page whose readings do not
agree is unreadable this time, with the reason, and still shows what was read. Units
are the areas' stable slugs (`areas`).
Judgements follow the body's order when every area has a section (a block laid out by
grade lists them out of order), else the block's.

Findings outside every area's section are kept unless an area's section already says
the same thing (a summary repeating the causes of concern): under a heading at the
areas' level (an area the block does not grade, such as the victims area) with that
heading's slug as their unit, else with no unit. They come after the areas' findings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz, process, utils

from watcher.models import Finding, FindingKind, Grade, Judgement, normalise_text
from watcher.parse.blocks import EMPHASIS_LEVEL, Block, BlockKind
from watcher.parse.recognise.area_findings import area_findings, finding_heading
from watcher.parse.recognise.area_judgements import AreaGrade, judgements_block
from watcher.parse.recognise.area_sections import read_sections
from watcher.parse.recognise.areas import area_slug, is_not_area
from watcher.parse.recognise.cross_check import cross_check
from watcher.parse.recognise.vocabulary import Recognised, badge, is_heading_like

_FIRST_AREA_YEAR = 2021
_AREA_CYCLE = re.compile(r"peel-(20\d\d)-\d\d")
# How alike (0-100) a body heading and a block label must be to open that area.
_MIN_HEADING_MATCH = 80


def uses_area_grades(cycle: str) -> bool:
    """Whether a cycle grades areas on the five-point scale: PEEL 2021/22 onward."""
    match = _AREA_CYCLE.fullmatch(cycle)
    return match is not None and int(match.group(1)) >= _FIRST_AREA_YEAR


@dataclass(frozen=True)
class _Section:
    """An area's part of the body: its heading and where it ends."""

    heading: int
    end: int


def recognise_area_report(blocks: Sequence[Block]) -> Recognised:
    """A judgement per area, with the findings of each area's section."""
    block = judgements_block(blocks)
    body = read_sections(blocks, block.end, {area_slug(a.label) for a in block.areas})
    verdict = cross_check(block, body)
    areas = list(block.areas) or [AreaGrade(g.label, g.grade) for g in body.grades]
    sections = _sections(blocks, _area_headings(blocks, block.end, areas))
    result = Recognised(readings=list(verdict.readings), unreadable=verdict.unreadable)
    for index in _reading_order(len(areas), sections):
        _read_area(blocks, areas[index], sections.get(index), result)
    _read_outside(blocks, block.end, sections, result)
    if verdict.unreadable:
        result.anomalies.append(f"can't read reliably: {verdict.unreadable}")
    return result


def _reading_order(count: int, sections: dict[int, _Section]) -> list[int]:
    """The body's order when every area has a section there (a block laid out by grade
    lists them out of order), else the block's."""
    order = list(range(count))
    if count and len(sections) == count:
        order.sort(key=lambda index: sections[index].heading)
    return order


def _read_area(
    blocks: Sequence[Block], area: AreaGrade, section: _Section | None, result: Recognised
) -> None:
    unit = area_slug(area.label)
    result.judgements.append(Judgement(unit, area.label, area.grade))
    if section is None:
        return
    result.findings.extend(area_findings(blocks, section.heading + 1, section.end, unit))


def _could_open_area(block: Block) -> bool:
    return (
        is_heading_like(block)
        and badge(block) is None
        and finding_heading(block) is None
        and not is_not_area(block.text)
    )


def _badge_after(blocks: Sequence[Block], i: int) -> Grade | None:
    return next((g for g in map(badge, blocks[i + 1 : i + 3]) if g), None)


def _area_headings(
    blocks: Sequence[Block], start: int, areas: Sequence[AreaGrade]
) -> dict[int, int]:
    """The heading opening each area's section: area index -> block index.

    A heading is the area's when its wording is like the label's or it names the same
    area (a reworded label: `areas.area_slug`). A label may recur (a contents list, a
    summary): the heading followed by a badge wins, then one at the level of the other
    area headings, then the first.
    """
    candidates = [i for i in range(start, len(blocks)) if is_heading_like(blocks[i])]
    texts = [utils.default_process(blocks[i].text) for i in candidates]
    slugs = [area_slug(blocks[i].text) for i in candidates]
    units = [area_slug(area.label) for area in areas]
    options = {
        index: sorted(
            {candidates[m[2]] for m in _matches(area.label, texts)}
            | {i for i, s in zip(candidates, slugs, strict=True) if s == units[index]}
        )
        for index, area in enumerate(areas)
    }
    options = {
        index: [i for i in found if _could_open_area(blocks[i])] for index, found in options.items()
    }
    found = {
        index: next(i for i in found if _badge_after(blocks, i))
        for index, found in options.items()
        if any(_badge_after(blocks, i) for i in found)
    }
    level = _dominant_level(blocks, found.values())
    for index, positions in options.items():
        if index not in found and positions:
            at_level = [i for i in positions if _heading_level(blocks[i]) == level]
            found[index] = (at_level or positions)[0]
    return found


def _matches(label: str, texts: list[str]) -> list[tuple[str, float, int]]:
    """The texts (already processed) like the label: (text, score, index)."""
    return process.extract(
        utils.default_process(label),
        texts,
        scorer=fuzz.ratio,
        score_cutoff=_MIN_HEADING_MATCH,
        limit=None,
    )


def _dominant_level(blocks: Sequence[Block], headings: Iterable[int]) -> int | None:
    """The most common level among area headings (those that are true headings)."""
    levels = Counter(blocks[i].level for i in headings if blocks[i].kind is BlockKind.HEADING)
    return levels.most_common(1)[0][0] if levels else None


def _heading_level(block: Block) -> int:
    return block.level if block.kind is BlockKind.HEADING else EMPHASIS_LEVEL


def _sections(blocks: Sequence[Block], headings: dict[int, int]) -> dict[int, _Section]:
    """Each area runs to the next area's heading or a heading of its rank or higher."""
    starts = sorted(set(headings.values()))
    sections = {}
    for index, heading in headings.items():
        later = [i for i in starts if i > heading]
        limit = later[0] if later else len(blocks)
        level = _heading_level(blocks[heading])
        end = next((i for i in range(heading + 1, limit) if _is_boundary(blocks[i], level)), limit)
        sections[index] = _Section(heading, end)
    return sections


def _is_boundary(block: Block, level: int) -> bool:
    return (
        block.kind is BlockKind.HEADING and block.level <= level and finding_heading(block) is None
    )


def _read_outside(
    blocks: Sequence[Block], start: int, sections: dict[int, _Section], result: Recognised
) -> None:
    """Findings between and after the areas' sections, unless an area already says them."""
    seen = {(f.kind, normalise_text(f.text)) for f in result.findings}
    level = _dominant_level(blocks, (s.heading for s in sections.values()))
    i = start
    for section in sorted(sections.values(), key=lambda s: s.heading):
        if section.heading > i:
            _read_gap(blocks, range(i, section.heading), level, seen, result)
        i = max(i, section.end)
    _read_gap(blocks, range(i, len(blocks)), level, seen, result)


def _read_gap(
    blocks: Sequence[Block],
    gap: range,
    level: int | None,
    seen: set[tuple[FindingKind, str]],
    result: Recognised,
) -> None:
    """Findings under a heading at the areas' level (an area the block does not grade)
    take that heading's slug as their unit; others have no unit."""
    cuts = [i for i in gap if level is not None and _is_boundary(blocks[i], level)]
    bounds = [gap.start, *cuts, gap.stop]
    for first, stop in pairwise(bounds):
        at_level = first in cuts and blocks[first].level == level
        unit = area_slug(blocks[first].text) if at_level else ""
        _add_new(area_findings(blocks, first, stop, unit), seen, result)


def _add_new(
    findings: Iterable[Finding], seen: set[tuple[FindingKind, str]], result: Recognised
) -> None:
    for finding in findings:
        key = (finding.kind, normalise_text(finding.text))
        if key not in seen:
            seen.add(key)
            result.findings.append(finding)
