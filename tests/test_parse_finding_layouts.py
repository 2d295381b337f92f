"""A 2021+ report's findings in other markups: the same findings, each with its area.

The report `kent-peel-2023-25` (tests/fixtures/pages, expected output written by hand
in its JSON) prints each area for improvement and cause of concern as a heading and a
paragraph. Themes box them, fold them into accordions or write them as list items;
every such markup must give the same findings as the JSON says.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from watcher.parse import parse_all

PAGES = Path(__file__).parent / "fixtures" / "pages"
SOURCE = (PAGES / "kent-peel-2023-25.table.html").read_text(encoding="utf-8")
EXPECTED = json.loads((PAGES / "kent-peel-2023-25.json").read_text(encoding="utf-8"))
# A finding's heading and its one paragraph, as the fixture prints them.
FINDING = re.compile(r"<h3>(Area for improvement \d+|Cause of concern)</h3>\s*<p>(.*?)</p>", re.S)

Markup = Callable[[str, str], str]
MARKUPS: dict[str, Markup] = {
    "details and summary": lambda h, t: f"<details><summary>{h}</summary><p>{t}</p></details>",
    "accordion button": lambda h, t: (
        f'<div class="accordion"><h3><button aria-expanded="false">{h}</button></h3>'
        f'<div class="panel"><p>{t}</p></div></div>'
    ),
    "bold line": lambda h, t: f"<p><strong>{h}</strong></p><p>{t}</p>",
    "boxed div": lambda h, t: (
        f'<div class="afi-box"><h4>{h}</h4><div class="afi-text">{t}</div></div>'
    ),
    "callout aside": lambda h, t: f'<aside class="callout"><h3>{h}</h3><p>{t}</p></aside>',
    "list item": lambda h, t: f"<h3>{h}</h3><ul><li>{t}</li></ul>",
    "blockquote": lambda h, t: f"<h3>{h}</h3><blockquote><p>{t}</p></blockquote>",
    "section with header": lambda h, t: (
        f"<section><header><h3>{h}</h3></header><p>{t}</p></section>"
    ),
}


def _findings(page: str) -> list[tuple[str, str, str]]:
    [reading] = parse_all(page.encode(), EXPECTED["url"])
    assert reading.unreadable is None
    return sorted((f.kind.value, f.unit, f.text) for f in reading.findings)


def test_the_source_has_findings_to_rewrite() -> None:
    assert len(FINDING.findall(SOURCE)) >= 8


@pytest.mark.parametrize("name", sorted(MARKUPS))
def test_findings_in_another_markup_are_the_same(name: str) -> None:
    markup = MARKUPS[name]
    page = FINDING.sub(lambda m: markup(m.group(1), m.group(2)), SOURCE)
    assert page != SOURCE
    want = sorted((f["kind"], f["unit"], f["text"]) for f in EXPECTED["findings"])
    assert _findings(page) == want


# Earlier pages (PEEL 2016, fire and rescue 2018): the cause of concern as a list item.
EARLIER = (
    "kent-peel-2016-effectiveness-cause-of-concern",
    "gloucestershire-frs-2018-effectiveness",
)
CAUSE = re.compile(r"(<h4>Cause of concern</h4>\s*)<p>(.*?)</p>", re.S)


@pytest.mark.parametrize("case", EARLIER)
def test_an_earlier_pages_cause_of_concern_as_a_list_item_is_the_same(case: str) -> None:
    source = (PAGES / f"{case}.h2.html").read_text(encoding="utf-8")
    expected = json.loads((PAGES / f"{case}.json").read_text(encoding="utf-8"))
    page = CAUSE.sub(lambda m: f"{m.group(1)}<ul><li>{m.group(2)}</li></ul>", source)
    assert page != source
    [reading] = parse_all(page.encode(), expected["url"])
    got = sorted((f.kind.value, f.unit, f.text) for f in reading.findings)
    assert got == sorted((f["kind"], f["unit"], f["text"]) for f in expected["findings"])
