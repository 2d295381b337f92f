"""The parser's robustness: site chrome, hostile HTML, unknown pages, every sentence variant.

Also the fire and rescue side of the catalogue the parser identifies pages by.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from watcher.catalogue import (
    CYCLES,
    FORCES,
    SERVICES,
    expand,
    expand_services,
    organisation_name,
)
from watcher.models import Grade, PageKind
from watcher.parse import TRUNCATED, parse, parse_all
from watcher.parse.text import clean

PAGES = Path(__file__).parent / "fixtures" / "pages"
MULTI = ".multi.json"
ALL_PAGES = sorted(PAGES.glob("*.html"))


def _url(page: Path) -> str:
    """The address a fixture page was published at, from its case's expected JSON."""
    stem = page.name.split(".")[0]
    single = PAGES / f"{stem}.json"
    text = single.read_text() if single.exists() else (PAGES / f"{stem}{MULTI}").read_text()
    match = re.search(r'"url": "([^"]+)"', text)
    assert match, page
    return match.group(1)


def _hashes(body: bytes, url: str) -> list[str]:
    return [a.content_hash() for a in parse_all(body, url)]


# Chrome as the site (or a redesign of it) might print it, each where it would sit.
CHROME = {
    "skip link": '<a class="skip" href="#main">Skip to main content</a>',
    "language toggle": '<ul class="lang"><li><a href="#">English</a></li>'
    '<li><a href="/cy/">Cymraeg</a></li></ul>',
    "language line": '<p><a href="#">English</a> / <a href="#">Cymraeg</a></p>',
    "cookie notice": '<div class="cookies"><h2>Cookies on this website</h2><p>We use some '
    "essential cookies to make this website work. We’d like to set additional cookies to "
    'understand how you use it.</p><p><a href="#">Accept additional cookies</a></p>'
    '<p><a href="#">Reject additional cookies</a></p><p><a href="#">View cookies</a></p></div>',
    "downtime banner": '<div class="banner"><p><strong>Planned website downtime</strong></p>'
    "<p>Our website will be unavailable from 6pm on Friday 3 May until 9am on Monday 6 May "
    "while we carry out essential maintenance. We apologise for any inconvenience.</p></div>",
    "consultation banner": '<div class="notice"><p>Consultation: have your say on our '
    "proposed inspection programme and framework for the next three years, which closes "
    'on 18 March.</p><p><a href="#">Respond to the consultation</a></p></div>',
    "feedback banner": '<div class="beta"><p>This is a new website – your feedback will help '
    'us to improve it.</p><p><a href="#">Give feedback</a></p></div>',
    "menu": '<div class="menu"><ul><li><a href="/">Home</a></li><li><a href="#">About us</a>'
    '</li><li><a href="#">Publications</a></li><li><a href="#">PEEL assessments</a></li>'
    '<li><a href="#">Fire and rescue services</a></li><li><a href="#">News</a></li></ul></div>',
    "nav menu": '<nav><ul><li><a href="/">Home</a></li><li><a href="#">Our work</a></li>'
    '<li><a href="#">Police forces</a></li></ul></nav>',
    "breadcrumb list": '<ol class="crumbs"><li><a href="/">Home</a></li><li><a href="#">'
    'PEEL assessments</a></li><li><a href="#">Kent</a></li></ol>',
    "breadcrumb line": "<p>You are here: Home › PEEL assessments › Kent</p>",
    "print link": '<p><a href="#" onclick="window.print()">Print this page</a></p>',
    "download link": '<p><a href="#">Download the full report (PDF document)</a></p>',
    "published date": "<p>Published: 12 March 2019</p>",
    "published on date": '<p class="date">Published on: 23 December 2022</p>',
    "last modified": "<p>Last modified: 4 April 2019</p>",
    "page last updated": "<p>Page last updated: 4 April 2019</p>",
}
_BODY = re.compile(rb"<body[^>]*>")
_H1_END = re.compile(rb"</h1>")
_BODY_END = re.compile(rb"</body>")


def _inject(body: bytes, snippet: str, where: re.Pattern[bytes], after: bool) -> bytes:
    """The page with `snippet` just after (or before) the first match of `where`."""
    match = where.search(body)
    assert match
    at = match.end() if after else match.start()
    return body[:at] + snippet.encode() + body[at:]


@pytest.mark.parametrize("page", ALL_PAGES, ids=[p.name for p in ALL_PAGES])
def test_injected_chrome_never_changes_the_content_hash(page: Path) -> None:
    """Menus, banners, cookie notices, toggles, links and dates added anywhere change no hash."""
    body, url = page.read_bytes(), _url(page)
    expected = _hashes(body, url)
    changed = []
    for name, snippet in CHROME.items():
        for where, after in ((_BODY, True), (_H1_END, True), (_BODY_END, False)):
            if (
                where.search(body)
                and _hashes(_inject(body, snippet, where, after), url) != expected
            ):
                changed.append(f"{name} at {where.pattern!r}")
    assert not changed


# Hostile pages: each must parse in bounded time and memory, with the truncation reported.
HOSTILE = {
    "20,000 nested divs": b"<html><body>" + b"<div>" * 20_000 + b"deep" + b"</div>" * 20_000,
    "20,000 nested lists": b"<html><body>" + b"<ul><li>" * 20_000 + b"deep",
    "20,000 nested quotes in bold": b"<html><body>" + b"<b><blockquote>" * 20_000 + b"deep",
    "a million paragraphs": b"<html><body>" + b"<p>Good</p>" * 1_000_000,
    "a million empty elements": b"<html><body>" + b"<p>" * 1_000_000,
    "a million list items": b"<html><body><ul>" + b"<li>The force should act</li>" * 10**6,
    "a million table rows": b"<html><body><table>" + b"<tr><td>Good</td></tr>" * 10**6,
    "a 5 MB attribute": b'<html><body><p title="' + b"a" * 5_000_000 + b'">Good</p>',
    "a 5 MB paragraph": b"<html><body><p>" + b"word " * 1_000_000 + b"</p>",
}
_HOSTILE_URL = "https://x.test/peel-assessments/peel-2016/kent/"
_MEASURE = """
import resource, sys, time
from watcher.parse.pages import parse
body = sys.stdin.buffer.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
assessment = parse(body, sys.argv[1])
elapsed = time.perf_counter() - start
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(elapsed, grown * (1 if sys.platform == "darwin" else 1024), *assessment.anomalies, sep="\\n")
"""


@pytest.mark.parametrize("body", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_page_parses_in_bounded_time_and_memory(body: bytes) -> None:
    """Deep nesting, a million elements or a 5 MB attribute: under 200 MB, no crash.

    How long each takes is measured by bench/hostile_timing.py, not asserted here.
    """
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, _HOSTILE_URL],
        input=body,
        capture_output=True,
        check=True,
        timeout=60,
    )
    _elapsed, grown, *anomalies = run.stdout.decode().splitlines()
    assert int(grown) < 200_000_000
    assert not [a for a in anomalies if a.startswith("parser failed")]


@pytest.mark.parametrize(
    "name", ["20,000 nested lists", "a million paragraphs", "a 5 MB paragraph"]
)
def test_truncated_page_says_so(name: str) -> None:
    """A page read only in part carries the "truncated" anomaly, so nobody trusts it whole."""
    assert TRUNCATED in parse(HOSTILE[name], _HOSTILE_URL).anomalies


def test_long_attribute_does_not_cost_the_content() -> None:
    """A huge attribute (an inline image) on a page over the byte budget loses no text."""
    image = b'<img src="data:image/png;base64,' + b"A" * 4_000_000 + b'">'
    body = (
        b"<html><body><h1>Kent 2016</h1>"
        + image
        + b"<p>The extent to which the force is effective at keeping people safe and "
        b"reducing crime is good.</p></body></html>"
    )
    judgements = parse(body, _HOSTILE_URL).judgements
    assert [(j.unit, j.grade) for j in judgements] == [("effectiveness", Grade.GOOD)]


def test_typical_page_is_not_truncated() -> None:
    """The largest fixture page (the 2018/19 report) is read whole."""
    largest = max(ALL_PAGES, key=lambda p: p.stat().st_size)
    assert TRUNCATED not in parse(largest.read_bytes(), _url(largest)).anomalies


# Unknown kinds: read as UNKNOWN with an anomaly, never a crash and never a grade.
@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("https://x.test/careers/", b"<h1>Careers</h1><p>Outstanding</p>"),
        ("https://x.test/police-forces/kent/", b"<h1>Kent Police</h1><p>Good</p>"),
        ("https://x.test/frs-assessment/frs-2018/atlantis/", b"<h1>Atlantis</h1><p>Good</p>"),
        ("https://x.test/peel-assessments/peel-2013/kent/", b"<h1>Kent</h1><p>Good</p>"),
        ("ftp://x.test/", b"\x00\x01binary"),
        ("", b""),
    ],
)
def test_unknown_page_kind_has_no_judgements_and_an_anomaly(url: str, body: bytes) -> None:
    """A page of no known kind is UNKNOWN, with no grades and an anomaly saying so."""
    for assessment in parse_all(body, url):
        assert assessment.kind is PageKind.UNKNOWN
        assert assessment.judgements == ()
        assert assessment.anomalies


# Every documented way of writing a pillar sentence (hmicfrs-pages.md section 4).
_SUBJECTS = ("the force", "the constabulary", "Kent Police")
_ENDINGS = {
    " is good.": Grade.GOOD,
    " requires improvement.": Grade.REQUIRES_IMPROVEMENT,
    " is not yet graded.": Grade.NOT_YET_GRADED,
    ": not yet graded.": Grade.NOT_YET_GRADED,
    " is: outstanding.": Grade.OUTSTANDING,
    ": requires improvement.": Grade.REQUIRES_IMPROVEMENT,
    " is: not yet graded.": Grade.NOT_YET_GRADED,
    " inadequate.": Grade.INADEQUATE,
    " good.": Grade.GOOD,
    " is good;": Grade.GOOD,
    " is outstanding; and": Grade.OUTSTANDING,
}


@pytest.mark.parametrize("subject", _SUBJECTS)
@pytest.mark.parametrize(("ending", "grade"), _ENDINGS.items(), ids=list(_ENDINGS))
def test_every_pillar_sentence_variant_gives_its_grade(
    subject: str, ending: str, grade: Grade
) -> None:
    """Each sentence variant, for each way of naming the force, gives the pillar its grade."""
    sentences = "".join(
        f"<p>The extent to which {subject} is {word} at keeping people safe and reducing "
        f"crime{ending}</p>"
        for word in ("effective", "efficient", "legitimate")
    )
    body = f"<h1>Kent 2016</h1>{sentences}".encode()
    assessment = parse(body, "https://x.test/peel-assessments/peel-2016/kent/")
    assert [(j.unit, j.grade) for j in assessment.judgements] == [
        ("effectiveness", grade),
        ("efficiency", grade),
        ("legitimacy", grade),
    ]
    assert assessment.anomalies == ()


# The fire and rescue side of the catalogue.
def test_forty_four_fire_and_rescue_services() -> None:
    """The catalogue knows the 44 fire and rescue services of England, none twice."""
    assert len(SERVICES) == 44
    assert len(set(SERVICES.values())) == 44
    assert SERVICES["london"] == "London Fire Brigade"


def test_fire_pages_expand_per_service_with_their_own_organisation() -> None:
    """Fire cycles give a service page and its three pillar pages, as "frs/<service>"."""
    pages = expand_services("https://h.example", ["kent"], ["frs-2018", "frs-2021"])
    assert [p.url for p in pages][:2] == [
        "https://h.example/frs-assessment/frs-2018/kent/",
        "https://h.example/frs-assessment/frs-2018/kent/effectiveness/",
    ]
    assert len(pages) == 8
    assert {p.organisation for p in pages} == {"frs/kent"}


def test_the_all_services_table_is_listed_once() -> None:
    """The 2023-25 table is one page for every service, beside each service's own report."""
    pages = expand_services("https://h.example", ["kent", "essex"], ["frs-2023-25"])
    assert [(p.url, p.organisation) for p in pages] == [
        ("https://h.example/frs-assessment/frs-2023-25/service-assessment-data-table/", ""),
        ("https://h.example/frs-assessment/frs-2023-25/kent/", "frs/kent"),
        ("https://h.example/frs-assessment/frs-2023-25/essex/", "frs/essex"),
    ]


def test_a_2023_25_service_address_with_a_stray_grade_is_unreadable() -> None:
    """A 2023-25 report address whose page gives one grade, not eleven, is never trusted."""
    body = b"<h1>Kent</h1><h2>Understanding the risk of fire</h2><p>Adequate</p>"
    [assessment] = parse_all(body, "https://x.test/frs-assessment/frs-2023-25/kent/")
    assert assessment.kind is PageKind.FRS_SERVICE
    assert assessment.unreadable == "question sections: 1 of the 11 questions graded"


def test_police_expansion_ignores_fire_cycles() -> None:
    """`expand` lists police pages only; fire cycles are `expand_services`'s."""
    fire = [key for key, cycle in CYCLES.items() if cycle.fire]
    assert fire == ["frs-2018", "frs-2021", "frs-2023-25"]
    assert expand("https://h.example", ["kent"], fire) == []
    assert len(expand("https://h.example", None, ["peel-2023-25", *fire])) == len(FORCES)


def test_organisation_names() -> None:
    """A service's organisation slug names the service, a force's slug the force."""
    assert organisation_name("frs/kent") == "Kent Fire and Rescue Service"
    assert organisation_name("kent") == "Kent Police"


def test_fire_page_addresses_identify_the_service() -> None:
    """A service page's address gives its "frs/" organisation, cycle and pillar page."""
    body = b"<h1>Kent 2018/19</h1><h2>People</h2>"
    url = "https://www.justiceinspectorates.gov.uk/hmicfrs/frs-assessment/frs-2018/kent/people"
    assessment = parse(body, url)
    assert (assessment.organisation, assessment.cycle, assessment.kind) == (
        "frs/kent",
        "frs-2018",
        PageKind.FRS_SERVICE,
    )
    assert assessment.title == "Kent 2018/19 — People"


@pytest.mark.parametrize(
    ("url", "heading", "unit"),
    [
        (
            "https://x.test/frs-assessment/frs-2021/kent/effectiveness/",
            "Understanding the risk of fire and other emergencies",
            "effectiveness/understanding-the-risk-of-fire-and-other-emergencies",
        ),
        (
            "https://x.test/peel-assessments/peel-2017/kent/effectiveness/",
            "2. How effective is the force at investigating crime and reducing re-offending?",
            "effectiveness/q2",
        ),
        (
            "https://x.test/peel-assessments/peel-2014/kent/",
            "How effective is the force at investigating offending?",
            "effectiveness/q1",
        ),
    ],
)
def test_badge_inside_a_question_heading_is_its_grade(url: str, heading: str, unit: str) -> None:
    """A badge printed as a span inside its question's heading grades that question."""
    body = (
        f"<h1>Kent</h1><h2>Effectiveness</h2><h3>{heading} <span class='badge'>Good</span></h3>"
        "<p>The narrative of the question follows here, at some length.</p>"
    ).encode()
    judgement = parse(body, url).judgement(unit)
    assert judgement is not None
    assert judgement.grade is Grade.GOOD


# Every character str.split() splits on, the invisible ones clean() drops, and others.
_SPACING = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u2003\u2028\u3000"
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u00ad\ufeff"
_OTHER = "ab.\x01\x00é—"
_ANY = _SPACING + _INVISIBLE_CHARS + _OTHER


@pytest.mark.parametrize("seed", range(20))
def test_clean_collapses_every_kind_of_whitespace_and_drops_invisible_characters(
    seed: int,
) -> None:
    rng = random.Random(seed)
    for _ in range(500):
        # Mostly ASCII, like most paragraphs; now and then one character of any kind.
        text = "".join(
            rng.choice(_ANY if rng.random() < 0.2 else "aaa ") for _ in range(rng.randint(0, 12))
        )
        words = "".join(c for c in text if c not in _INVISIBLE_CHARS).split()
        assert clean(text) == " ".join(words), repr(text)
