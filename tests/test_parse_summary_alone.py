"""A 2021+ report's summary with no area section to check it: read right or refused.

Every summary layout the fixture builder knows (tests/fixtures/build_pages_peel.py),
and more that it does not write as cases, is laid out on a page whose area sections
state no grade. The count sentence is then the only check on the summary, so a layout
read the wrong way would be believed: the parser must read each right, or refuse the
page as unreadable, never give other grades.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from tests.fixtures import build_pages_peel as peel
from watcher.parse import parse_all

Layout = Callable[[Sequence[peel.Area], bool], str]
W = peel.GRADE_WORDS


def _groups(areas: Sequence[peel.Area]) -> list[tuple[str, list[peel.Area]]]:
    return [(g, m) for g, m in peel._by_grade(areas) if m]


MORE: dict[str, Layout] = {
    "a column per grade, its header in td cells": peel.column_lists_plain_header,
    "grade: comma list": lambda areas, _: "".join(
        f"<p><strong>{W[g]}:</strong> {', '.join(a.label for a in m)}</p>"
        for g, m in _groups(areas)
    ),
    "area (grade)": lambda areas, _: "".join(
        f"<p>{a.label} ({W[a.grade].lower()})</p>" for a in areas
    ),
    "list item, badge image": lambda areas, _: (
        "<ul>"
        + "".join(f'<li>{a.label} <img alt="{W[a.grade]}" src="b.png"></li>' for a in areas)
        + "</ul>"
    ),
    "definition list, label first": lambda areas, _: (
        "<dl>" + "".join(f"<dt>{a.label}</dt><dd>{W[a.grade]}</dd>" for a in areas) + "</dl>"
    ),
    "definition list, grade first": lambda areas, _: (
        "<dl>"
        + "".join(
            f"<dt>{W[g]}</dt>" + "".join(f"<dd>{a.label}</dd>" for a in m)
            for g, m in _groups(areas)
        )
        + "</dl>"
    ),
    "cards, grade first": lambda areas, _: "".join(
        f'<div class="card"><p>{W[a.grade]}</p><h3>{a.label}</h3></div>' for a in areas
    ),
    "a cell per grade, no header row": lambda areas, _: (
        "<table><tr>"
        + "".join(
            f"<td><strong>{W[g]}</strong><ul>{''.join(f'<li>{a.label}</li>' for a in m)}</ul></td>"
            for g, m in _groups(areas)
        )
        + "</tr></table>"
    ),
    "a row of labels over a row of grades": lambda areas, _: (
        "<table><tr>"
        + "".join(f"<th>{a.label}</th>" for a in areas)
        + "</tr><tr>"
        + "".join(f"<td>{W[a.grade]}</td>" for a in areas)
        + "</tr></table>"
    ),
}
LAYOUTS: dict[str, Layout] = {family: layout for family, layout, _, _ in peel.FAMILIES} | MORE


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_a_summary_alone_is_read_right_or_refused(name: str) -> None:
    areas = peel.AREAS_2023
    case = peel.Case(
        "summary-alone", "kent", "2023-25", areas, LAYOUTS[name], "", peel.EIGHT_OF_NINE, 8,
        badges=False, sentences=False,
    )  # fmt: skip
    want = {a.unit: a.grade for a in areas}
    for markup, page in case.pages().items():
        [reading] = parse_all(page.encode(), case.url)
        got = {j.unit: j.grade.value for j in reading.judgements if j.grade.is_graded}
        assert got == want or reading.unreadable, (markup, got)  # refused: nothing stored


# Layouts refused on such a page, for want of a second reading: never misread (above).
REFUSED: set[str] = set()  # none now; a row per grade with <br> lines is a family (row-lines)


@pytest.mark.parametrize("name", sorted(set(LAYOUTS) - REFUSED))
def test_a_summary_alone_in_a_known_layout_is_read(name: str) -> None:
    """Each layout but the refused ones is read, not only safely refused."""
    areas = peel.AREAS_2023
    case = peel.Case(
        "summary-alone", "kent", "2023-25", areas, LAYOUTS[name], "", peel.EIGHT_OF_NINE, 8,
        badges=False, sentences=False,
    )  # fmt: skip
    want = {a.unit: a.grade for a in areas}
    for markup, page in case.pages().items():
        [reading] = parse_all(page.encode(), case.url)
        assert not reading.unreadable, (markup, reading.unreadable)
        got = {j.unit: j.grade.value for j in reading.judgements if j.grade.is_graded}
        assert got == want, markup
