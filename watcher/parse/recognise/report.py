"""PEEL reports (2018/19): an overall summary table, then a body per pillar.

Reports from 2021/22 on grade areas, not pillars: `watcher.recognise.report_areas`.

The table gives each area's grade and, in 2018/19, the year it was last inspected;
pillar rows may carry the pillar grade. The body has a pillar question with a badge,
then one block per area: a heading, a badge, a narrative and the area's findings. Body
headings are not always the table's labels ("Treating the public fairly" for "Fair
treatment of the public"), so body blocks are aligned to table rows in order, helped by
wording similarity. The table is the record; a body grade that contradicts it is
reported as an anomaly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade, Judgement
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.alignment import align, is_area_heading, rescue_heading
from watcher.parse.recognise.findings import findings_in
from watcher.parse.recognise.vocabulary import (
    PILLAR_LABELS,
    Recognised,
    badge,
    date_line,
    grade_of,
    is_heading_like,
    pillar_question,
    slugify,
)

_SUMMARY = re.compile(
    r"overall summary|our judg(?:e)?ments|we make graded judg(?:e)?ments\b.{0,80}", re.I
)
_YEAR = re.compile(r"(?:19|20)\d\d(?:[/–-]\d\d)?")
_CARRIED_OVER = re.compile(
    r"judg(?:e)?ment from (?:the |our )?((?:19|20)\d\d(?:/\d\d)?)\b.{0,60}?carried over", re.I
)
_PILLAR_NAMES = {label.lower(): pillar for pillar, label in PILLAR_LABELS.items()}


@dataclass(frozen=True)
class Area:
    """A row of the overall summary table."""

    pillar: str | None
    label: str
    grade: Grade | None
    last_inspected: str | None


@dataclass(frozen=True)
class BodyBlock:
    """An area's block in the body: its heading, badge and extent."""

    heading: int
    label: str
    grade: Grade | None
    end: int


@dataclass(frozen=True)
class _Section:
    """A pillar's part of the body, from its question to the next pillar."""

    pillar: str | None
    start: int
    end: int
    grade: Grade | None


def recognise_report(blocks: Sequence[Block], current_year: str) -> Recognised:
    """Judgements per pillar and area, with findings, from a PEEL report."""
    blocks = _without_contents(blocks)
    areas, pillar_grades, body_start = _summary_table(blocks)
    sections = {s.pillar: s for s in _sections(blocks, body_start)}
    question_level = _question_level(blocks)
    result = Recognised()
    for key in dict.fromkeys([a.pillar for a in areas] + list(sections)):
        section = sections.get(key)
        _read_pillar(key, pillar_grades.get(key or ""), section, result)
        mine = [a for a in areas if a.pillar == key]
        matched, unmatched = (
            _body_blocks(blocks, section, mine, question_level) if section else ({}, [])
        )
        _read_areas(blocks, _Pillar(key, mine, matched, unmatched, section), current_year, result)
    return result


def _without_contents(blocks: Sequence[Block]) -> list[Block]:
    """The blocks without the "Contents" list, which repeats every heading."""
    start = next((i for i, b in enumerate(blocks) if b.text.lower() == "contents"), None)
    if start is None:
        return list(blocks)
    end = start + 1
    while end < len(blocks) and _is_contents_entry(blocks[end]):
        end += 1
    return [*blocks[:start], *blocks[end:]]


def _is_contents_entry(block: Block) -> bool:
    if block.kind in (BlockKind.ITEM, BlockKind.ROW):
        return True
    return block.kind is BlockKind.PARAGRAPH and is_heading_like(block)


def _summary_table(blocks: Sequence[Block]) -> tuple[list[Area], dict[str, Grade], int]:
    """The summary table's areas, the pillar grades its pillar rows carry, and its end."""
    start = next((i for i, b in enumerate(blocks) if _SUMMARY.fullmatch(b.text)), None)
    if start is None:
        return [], {}, 0
    areas: list[Area] = []
    pillar_grades: dict[str, Grade] = {}
    pillar: str | None = None
    i = start + 1
    while i < len(blocks) and (blocks[i].kind is BlockKind.ROW or (not areas and i < start + 3)):
        cells = [c for c in blocks[i].cells if c]
        row_pillar = next(
            (_PILLAR_NAMES[c.lower()] for c in cells if c.lower() in _PILLAR_NAMES), None
        )
        grade = next((g for g in map(grade_of, cells) if g), None)
        if row_pillar:
            pillar = row_pillar
            if grade:
                pillar_grades[pillar] = grade
        elif grade and (area := _area(pillar, cells, grade)):
            areas.append(area)
        i += 1
    return areas, pillar_grades, i


def _area(pillar: str | None, cells: list[str], grade: Grade) -> Area | None:
    """An area row: its label (the first cell that is not a grade or year), grade, year."""
    year = next((c for c in cells if _YEAR.fullmatch(c)), None)
    label = next((c for c in cells if not grade_of(c) and c != year), None)
    return Area(pillar, label, grade, year) if label else None


def _sections(blocks: Sequence[Block], body_start: int) -> list[_Section]:
    """Each pillar question's extent, up to the next pillar, pillar heading or annex."""
    end_of_body = next(
        (i for i in range(body_start, len(blocks)) if _is_annex(blocks[i])), len(blocks)
    )
    starts = [i for i in range(body_start, end_of_body) if pillar_question(blocks[i])]
    if not starts:
        return [_Section(None, body_start, end_of_body, None)]
    sections = []
    for start in starts:
        end = next(
            (i for i in range(start + 1, end_of_body) if _is_boundary(blocks[i])), end_of_body
        )
        grade = next((g for g in map(badge, blocks[start + 1 : start + 3]) if g), None)
        sections.append(_Section(pillar_question(blocks[start]), start, end, grade))
    return sections


def _is_annex(block: Block) -> bool:
    return block.text[:5].lower() == "annex" and is_heading_like(block)


def _is_boundary(block: Block) -> bool:
    if block.text.lower() in _PILLAR_NAMES and is_heading_like(block):
        return True
    return pillar_question(block) is not None


def _grade_after(blocks: Sequence[Block], i: int) -> Grade | None:
    """The badge right after a heading, allowing for a date line in between."""
    for block in blocks[i + 1 : i + 3]:
        line = date_line(block)
        grade = badge(block) or (line.grade if line else None)
        if grade or line is None:
            return grade
    return None


def _question_level(blocks: Sequence[Block]) -> int | None:
    """The heading level of area headings, when it sets them apart from other headings."""
    levels = [
        b.level
        for i, b in enumerate(blocks)
        if b.kind is BlockKind.HEADING and _grade_after(blocks, i) and is_area_heading(b)
    ]
    if not levels:
        return None
    level = max(set(levels), key=levels.count)
    others = any(b.kind is BlockKind.HEADING and b.level != level for b in blocks)
    return level if others else None


def _body_blocks(
    blocks: Sequence[Block], section: _Section, areas: list[Area], question_level: int | None
) -> tuple[dict[int, BodyBlock], list[BodyBlock]]:
    """Body blocks by the index of the table area they belong to, and those of no area.

    Area blocks are headings followed by a badge; an area with no badge in the body
    (2018/19's ungraded "Armed policing") is found by its heading's level and wording.
    """
    headings = _area_headings(blocks, section, areas, question_level)
    ends = [heading for heading, _ in headings[1:]] + [section.end] if headings else []
    matched: dict[int, BodyBlock] = {}
    unmatched: list[BodyBlock] = []
    for (heading, row), end in zip(headings, ends, strict=True):
        body = BodyBlock(heading, blocks[heading].text, _grade_after(blocks, heading), end)
        if row is None:
            unmatched.append(body)
        else:
            matched[row] = body
    return matched, unmatched


def _area_headings(
    blocks: Sequence[Block], section: _Section, areas: list[Area], question_level: int | None
) -> list[tuple[int, int | None]]:
    """(heading index, table row index or None) for each area block, in page order."""
    graded = [
        i
        for i in range(section.start + 1, section.end)
        if _grade_after(blocks, i) and is_area_heading(blocks[i])
    ]
    pairs = align([a.label for a in areas], [blocks[i].text for i in graded])
    found: list[tuple[int, int | None]] = [(i, pairs.get(n)) for n, i in enumerate(graded)]
    by_row = {row: heading for heading, row in found if row is not None}
    for row, area in enumerate(areas):
        if row not in by_row:
            gap = _gap(row, by_row, section)
            heading = rescue_heading(blocks, area.label, gap, question_level)
            if heading is not None:
                found.append((heading, row))
    return sorted(found, key=lambda pair: pair[0])


def _gap(index: int, by_area: dict[int, int], section: _Section) -> range:
    """The blocks between the body blocks of the table rows either side of `index`."""
    before = [h for a, h in by_area.items() if a < index]
    after = [h for a, h in by_area.items() if a > index]
    return range(max(before, default=section.start) + 1, min(after, default=section.end))


def _read_pillar(
    pillar: str | None, table_grade: Grade | None, section: _Section | None, result: Recognised
) -> None:
    body_grade = section.grade if section else None
    if pillar is None or not (table_grade or body_grade):
        return
    _flag_disagreement(pillar, table_grade, body_grade, result)
    grade = table_grade or body_grade
    if grade:
        result.judgements.append(Judgement(pillar, PILLAR_LABELS[pillar], grade))


def _flag_disagreement(
    unit: str, table: Grade | None, body: Grade | None, result: Recognised
) -> None:
    if table and body and table is not body:
        result.anomalies.append(
            f"{unit}: summary table says {table.label.lower()} but body says {body.label.lower()}"
        )


@dataclass(frozen=True)
class _Pillar:
    """Everything read about one pillar of a report."""

    key: str | None
    areas: list[Area]
    matched: dict[int, BodyBlock]
    unmatched: list[BodyBlock]
    section: _Section | None


def _read_areas(
    blocks: Sequence[Block], pillar: _Pillar, current_year: str, result: Recognised
) -> None:
    """A judgement and the findings for each table area, then for body-only blocks."""
    if pillar.section:
        first = min(
            (b.heading for b in [*pillar.matched.values(), *pillar.unmatched]),
            default=pillar.section.end,
        )
        unit = pillar.key or ""
        result.findings.extend(findings_in(blocks, pillar.section.start + 1, first, unit))
    for index, area in enumerate(pillar.areas):
        body = pillar.matched.get(index)
        unit = _unit(pillar.key, area.label)
        _flag_disagreement(unit, area.grade, body.grade if body else None, result)
        grade = area.grade or (body.grade if body else None)
        carried = _carried_over(blocks, area, body, current_year)
        if grade:
            result.judgements.append(Judgement(unit, area.label, grade, None, carried))
        if body:
            result.findings.extend(findings_in(blocks, body.heading + 1, body.end, unit))
    for body in pillar.unmatched:
        unit = _unit(pillar.key, body.label)
        if body.grade:
            result.judgements.append(Judgement(unit, body.label, body.grade))
        result.findings.extend(findings_in(blocks, body.heading + 1, body.end, unit))


def _unit(pillar: str | None, label: str) -> str:
    return f"{pillar}/{slugify(label)}" if pillar else slugify(label)


def _carried_over(
    blocks: Sequence[Block], area: Area, body: BodyBlock | None, current_year: str
) -> str | None:
    """The year a judgement was carried over from: the table's, else the body's."""
    if area.last_inspected:
        return None if area.last_inspected == current_year else area.last_inspected
    if body is None:
        return None
    for block in blocks[body.heading + 1 : body.end]:
        match = _CARRIED_OVER.search(block.text[:600])
        if match:
            return match.group(1)
    return None
