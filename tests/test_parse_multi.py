"""All-force pages (Engage, the PEEL overview): each fixture against its expected list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from watcher.models import PageKind
from watcher.parse import parse, parse_all

PAGES = Path(__file__).parent / "fixtures" / "pages"
SUFFIX = ".multi.json"
CASES = sorted(PAGES.glob(f"*{SUFFIX}"))
FIXTURES = [
    (case, page)
    for case in CASES
    for page in sorted(PAGES.glob(f"{case.name.removesuffix(SUFFIX)}.*.html"))
]
FIXTURE_IDS = [page.name.removesuffix(".html") for _, page in FIXTURES]
# Pages about one organisation: (their case's expected JSON, the page).
SINGLE = [
    (case, page)
    for page in sorted(PAGES.glob("*.html"))
    if (case := PAGES / f"{page.name.split('.')[0]}.json").exists()
]
CHROME = (
    "Planned website downtime",
    "will be unavailable",
    "We use cookies",
    "Skip to",
    "Cymraeg",
    "Last modified",
    "Page last updated",
    "Share this page",
    "Print this page",
    "Home ›",
)


def _expected(case: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(case.read_text(encoding="utf-8"))
    return data


def _parsed(page: Path, case: Path) -> list[dict[str, Any]]:
    url = _expected(case)[0]["url"]
    return [a.to_dict() for a in parse_all(page.read_bytes(), url)]


@pytest.mark.parametrize(("case", "page"), FIXTURES, ids=FIXTURE_IDS)
def test_multi_page_parses_to_its_expected_assessments(case: Path, page: Path) -> None:
    """Each all-force page, in every markup, gives exactly its case's list of assessments."""
    assert _parsed(page, case) == _expected(case)


def test_every_multi_case_has_three_markups() -> None:
    """Every all-force case has at least three markups of its page."""
    counts = {case.name: sum(1 for c, _ in FIXTURES if c == case) for case in CASES}
    assert counts
    assert all(count >= 3 for count in counts.values()), counts


@pytest.mark.parametrize(("case", "page"), FIXTURES, ids=FIXTURE_IDS)
def test_chrome_never_reaches_the_assessments(case: Path, page: Path) -> None:
    """Banner, cookie, menu, breadcrumb and date text never appear in any assessment."""
    text = json.dumps(_parsed(page, case), ensure_ascii=False)
    assert not [chrome for chrome in CHROME if chrome in text]


@pytest.mark.parametrize(("case", "page"), FIXTURES, ids=FIXTURE_IDS)
def test_parse_gives_the_first_organisation(case: Path, page: Path) -> None:
    """`parse` on an all-force page is its first organisation's assessment."""
    url = _expected(case)[0]["url"]
    assert parse(page.read_bytes(), url) == parse_all(page.read_bytes(), url)[0]


def test_page_listing_nobody_gives_no_assessment() -> None:
    """An Engage page with no force in Engage gives none; `parse` says so as UNKNOWN."""
    body = b"<main><h1>Police forces in Engage</h1><p>No force is in Engage.</p></main>"
    url = "https://x.test/about-us/what-we-do/our-approach-to-monitoring-forces/police-forces-in-engage/"
    assert parse_all(body, url) == []
    only = parse(body, url)
    assert only.kind is PageKind.UNKNOWN
    assert only.anomalies


@pytest.mark.parametrize(("case", "page"), SINGLE, ids=[page.name for _, page in SINGLE])
def test_single_page_parse_all_is_parse(case: Path, page: Path) -> None:
    """A page about one organisation gives `parse_all` == [`parse`]."""
    url = json.loads(case.read_text(encoding="utf-8"))["url"]
    assert parse_all(page.read_bytes(), url) == [parse(page.read_bytes(), url)]


def _large_report(size: int) -> bytes:
    """The 2023-25 report fixture with each area's narrative grown until the page is `size`."""
    page = (PAGES / "kent-peel-2023-25.table.html").read_text(encoding="utf-8")
    sentence = "The force works with partners to keep people safe and reviews its approach. "
    detail = "<h4>Detailed findings</h4>" + f"<p>{sentence * 6}</p>" * 4
    detail += "<ul><li>An example of the work</li><li>Another example</li></ul>"
    head, *areas = page.split('<p class="grade">')
    repeat = size // (len(detail) * len(areas)) + 1
    grown = (area.replace("</p>", "</p>" + detail * repeat, 1) for area in areas)
    return (head + "".join(f'<p class="grade">{area}' for area in grown)).encode()


def test_large_report_reads_every_grade() -> None:
    """A 150 KB PEEL 2023-25 report still reads all nine grades (speed: bench/parse_speed.py)."""
    body = _large_report(150_000)
    url = "https://hmicfrs.justiceinspectorates.gov.uk/peel-reports/kent-2023-25/"
    assert len(body) >= 150_000
    assert len(parse_all(body, url)[0].judgements) == 9


def test_engage_reasons_on_one_line() -> None:
    """'Reasons: ...' written inline after 'Entered Engage <month> <year>' is kept in the note."""
    html = b"""<html><body><main><h1>Police forces in Engage</h1>
    <p>These forces are currently in Engage:</p>
    <h2>Cumbria Constabulary</h2>
    <p>Entered Engage November 2023</p>
    <p>Reasons: Concerns about how the constabulary responds to the public.</p>
    <p>Related report: PEEL 2023\xe2\x80\x9325: An inspection of Cumbria Constabulary</p>
    </main></body></html>"""
    url = "https://hmicfrs.justiceinspectorates.gov.uk" + (
        "/about-us/what-we-do/our-approach-to-monitoring-forces/police-forces-in-engage/"
    )
    [cumbria] = parse_all(html, url)
    assert cumbria.organisation == "cumbria"
    assert cumbria.monitoring == "engage"
    assert cumbria.monitoring_note == (
        "Entered Engage in November 2023: Concerns about how the constabulary responds to "
        "the public. Related report: PEEL 2023–25: An inspection of Cumbria Constabulary"
    )
