"""The page parser: every fixture page against its expected assessment, plus invariants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from watcher.models import Assessment, PageKind
from watcher.parse import parse

PAGES = Path(__file__).parent / "fixtures" / "pages"
# `*.multi.json` cases (all-force pages, a list each) are tests/test_parse_multi.py's.
CASES = sorted(c for c in PAGES.glob("*.json") if not c.name.endswith(".multi.json"))
FIXTURES = [(case, page) for case in CASES for page in sorted(PAGES.glob(f"{case.stem}.*.html"))]
FIXTURE_IDS = [page.name.removesuffix(".html") for _, page in FIXTURES]
CHROME = (
    "Planned website downtime",
    "will be unavailable",
    "We use cookies",
    "Skip to",
    "Cymraeg",
    "Last modified",
    "Share this page",
    "Print this page",
    "Home ›",
)


def _expected(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(case.read_text(encoding="utf-8"))
    return data


def _expected_page(case: Path, page: Path) -> dict[str, Any]:
    """The case's expected JSON for one markup of it: how the summary block is written
    differs between markups, and so may the name of its reading (`readings_by_markup`)."""
    expected = _expected(case)
    by_markup = expected.pop("readings_by_markup", None)
    if by_markup is not None:
        expected["readings"] = by_markup[page.name.removeprefix(f"{case.stem}.")[: -len(".html")]]
    return expected


def _parsed(page: Path, url: str) -> Assessment:
    return parse(page.read_bytes(), url)


@pytest.mark.parametrize(("case", "page"), FIXTURES, ids=FIXTURE_IDS)
def test_page_parses_to_its_expected_assessment(case: Path, page: Path) -> None:
    """Each fixture page, in every markup, parses to exactly its case's expected JSON."""
    expected = _expected_page(case, page)
    assert _parsed(page, expected["url"]).to_dict() == expected


def test_every_case_has_a_page() -> None:
    """Every case is checked in at least three markups of its page, seeds and variants alike."""
    counts = {case.stem: sum(1 for c, _ in FIXTURES if c == case) for case in CASES}
    assert counts
    assert all(count >= 3 for count in counts.values()), counts


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe\x00garbage\x80\x81",
        b"%PDF-1.4 binary",
        b"<html><body>" + b"<div>" * 2000 + b"deep",
        b"<table><tr><td>Overall summary</td></tr><tr><td>Effectiveness</td></tr></table>",
        b"<h1>Kent PEEL 2017</h1><h2>Effectiveness</h2><p>3</p><p>?</p>",
        b"<?php echo 1 ?><![CDATA[x]]><!-- <p>Good</p>",
        b"<table><tr><td>Overall summary</td></tr><tr><td>Good</td><td>2017</td></tr></table>",
        b"<p>The extent to which Kent Police is effective at keeping people safe and reducing "
        b"crime is good.</p>" * 3,
    ],
)
def test_parse_never_raises(body: bytes) -> None:
    """Any bytes at all, even not HTML or not UTF-8, are read without an internal error."""
    for url in ("https://x.test/peel-assessments/peel-2016/kent/", "http://[::1", ""):
        assessment = parse(body, url)
        assert not [a for a in assessment.anomalies if a.startswith("parser failed")]


def test_unknown_page_has_no_judgements() -> None:
    """A page that is neither a known address nor a known title is UNKNOWN, with an anomaly."""
    assessment = parse(b"<h1>Careers</h1><p>Outstanding</p>", "https://x.test/careers/")
    assert assessment.kind is PageKind.UNKNOWN
    assert assessment.judgements == ()
    assert assessment.anomalies


@pytest.mark.parametrize(("case", "page"), FIXTURES, ids=FIXTURE_IDS)
def test_chrome_never_reaches_the_assessment(case: Path, page: Path) -> None:
    """Banner, cookie, menu, breadcrumb and date text never appear in any assessment field."""
    text = json.dumps(_parsed(page, _expected(case)["url"]).to_dict(), ensure_ascii=False)
    assert not [chrome for chrome in CHROME if chrome in text]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_markups_of_one_case_hash_alike(case: Path) -> None:
    """The same content in different markups gives the same content hash."""
    url = _expected(case)["url"]
    hashes = {_parsed(page, url).content_hash() for c, page in FIXTURES if c == case}
    assert len(hashes) == 1
