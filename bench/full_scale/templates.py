"""Page templates for the synthetic site, in the seeds' wording.

Most families reuse the parser's fixture pages (`tests/fixtures/pages/*.html`), with
Kent replaced by the organisation the page is about. Families with no fixture yet
(2021 onward reports, leadership pages, fire and rescue pages, the Engage list) are
written here in the wording of `docs/hmicfrs-pages.md` and the seeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pages"
SEEDS = Path("/work/shared/seeds")


@dataclass(frozen=True)
class FixtureFamily:
    """A fixture page (all its markups) and the organisation it is about, as printed."""

    stem: str
    name: str = "Kent Police"
    short: str = "Kent"


# Family -> its fixture; a page rotates through the fixture's markups. A family whose
# fixture is missing (renamed by a parser change) falls back to a page built here.
FIXTURE_FAMILIES: dict[str, FixtureFamily] = {
    "force-page": FixtureFamily("kent-peel-2015"),
    "pillar-effectiveness": FixtureFamily("kent-peel-2017-effectiveness"),
    "pillar-efficiency": FixtureFamily("kent-peel-2017-efficiency-to-be-graded"),
    "pillar-legitimacy": FixtureFamily("kent-peel-2017-legitimacy"),
    "pillar-leadership": FixtureFamily("kent-peel-2015-leadership-narrative"),
    "force-page-2018": FixtureFamily("kent-peel-2018-tranche-two"),
    "pillar-2018-effectiveness": FixtureFamily("kent-peel-2018-effectiveness-carried-over"),
    "pillar-2018-legitimacy": FixtureFamily("kent-peel-2018-legitimacy-detailed-findings"),
    "report-2021-22": FixtureFamily("essex-peel-2021-22", "Essex Police", "Essex"),
    "report-2023-25": FixtureFamily("kent-peel-2023-25"),
    "frs-service": FixtureFamily(
        "hereford-and-worcester-frs-2021-service",
        "Hereford &amp; Worcester Fire and Rescue Service",
        "Hereford &amp; Worcester",
    ),
    "frs-table": FixtureFamily("frs-2023-25-table", "", ""),
    "engage": FixtureFamily("police-forces-in-engage", "", ""),
}
# Words that would make a padding paragraph read as a grade or a finding.
_LOADED = re.compile(
    r"outstanding|good|adequate|requir\w* improvement|inadequate|graded|judg|should"
    r"|cause of concern|areas? for improvement|recommend",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Organisation:
    """Who a page is about: a police force or a fire and rescue service."""

    slug: str
    name: str  # "Kent Police", "Kent Fire and Rescue Service"
    short: str  # "Kent"


@cache
def fixture_markups(stem: str) -> tuple[str, ...]:
    """Every markup of a fixture page, as text, in a stable order."""
    paths = sorted(FIXTURES.glob(f"{stem}.*.html"))
    return tuple(path.read_text(encoding="utf-8") for path in paths)


def has_fixture(family: str) -> bool:
    fixture = FIXTURE_FAMILIES.get(family)
    return fixture is not None and bool(fixture_markups(fixture.stem))


def from_fixture(family: str, organisation: Organisation | None, index: int, year: str = "") -> str:
    """A fixture page of `family` about `organisation`, its markup chosen by `index`."""
    fixture = FIXTURE_FAMILIES[family]
    markups = fixture_markups(fixture.stem)
    html = markups[index % len(markups)]
    if year[:2] == "20" and len(year) == 4:  # the 2015-2018 pages title their year
        html = re.sub(rf"\b({fixture.short}|PEEL) 201[5-8]\b", rf"\g<1> {year}", html)
    if organisation is None or not fixture.name:
        return html
    html = html.replace(fixture.name, escape(organisation.name))
    return re.sub(rf"\b{re.escape(fixture.short)}\b", escape(organisation.short), html)


@cache
def narrative_paragraphs() -> tuple[str, ...]:
    """Seed paragraphs that name no grade and no finding: safe padding for any page."""
    found: list[str] = []
    for seed in sorted(SEEDS.glob("*.txt")):
        for line in seed.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) > 150 and not _LOADED.search(line):
                # Padding sits on every organisation's page: it names none of them.
                line = line.replace("Kent Police", "the force")
                found.append(re.sub(r"\bKent\b", "the county", line))
    return tuple(found) or (_FALLBACK_NARRATIVE,)


_FALLBACK_NARRATIVE = (
    "The force works well with partner agencies, such as local authorities and charities "
    "to support and safeguard victims. It supports people with mental health conditions "
    "and is undertaking extensive work to improve in this area."
)

PAGE_TOP = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{title} - HMICFRS</title></head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div class="cookie-banner"><p>We use cookies to collect information about how you use our \
website. We use this information to make the website work as well as possible and improve \
our services.</p><button>Accept cookies</button></div>
<header><a href="/">HM Inspectorate of Constabulary and Fire &amp; Rescue Services</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about-us/">About us</a></li>
<li><a href="/publications/">Publications</a></li>
<li><a href="/news/">News</a></li></ul></nav></header>
<div class="notice"><h2>Planned website downtime</h2><p>Our website will be unavailable from \
8pm on Friday 14 June until 8am on Saturday 15 June while we carry out essential \
maintenance.</p></div>
<main id="main">
"""
PAGE_BOTTOM = """<p class="modified">Last modified: 12 March 2024</p>
</main>
<footer><p>© Crown copyright 2024.</p></footer>
</body></html>
"""

REPORT_AREAS = (
    ("Police powers and public treatment", "Good"),
    ("Preventing crime", "Adequate"),
    ("Responding to the public", "Requires improvement"),
    ("Investigating crime", "Adequate"),
    ("Protecting vulnerable people", "Good"),
    ("Managing offenders and suspects", "Adequate"),
    ("Building, supporting and protecting the workforce", "Good"),
    ("Leadership and force management", "Good"),
)
REPORT_AFI = (
    "The force should make sure that it answers emergency and non-emergency calls "
    "within national standards."
)


def report_2021(organisation: Organisation, years: str) -> str:
    """A PEEL report from 2021 on: five-point grades per area, findings per area."""
    parts = [
        PAGE_TOP.format(title=f"PEEL {years}: {escape(organisation.name)}"),
        f"<p>PEEL {years}</p>",
        f"<h1>Police effectiveness, efficiency and legitimacy {years}</h1>",
        f"<p>An inspection of {escape(organisation.name)}</p>",
        "<h2>Our judgments</h2>",
        "<table>",
        *(f"<tr><td>{area}</td><td>{grade}</td></tr>" for area, grade in REPORT_AREAS),
        "</table>",
        "<h2>Providing a service to the victims of crime</h2>",
        f"<p>{escape(narrative_paragraphs()[0])}</p>",
    ]
    for number, (area, grade) in enumerate(REPORT_AREAS, start=1):
        parts += [f"<h2>{area}</h2>", f"<p>{grade}</p>"]
        parts += [f"<p>{escape(p)}</p>" for p in narrative_paragraphs()[number : number + 2]]
        if number == 3:
            parts += ["<h3>Area for improvement 1</h3>", f"<ul><li>{REPORT_AFI}</li></ul>"]
    parts.append(PAGE_BOTTOM)
    return "\n".join(parts)


def leadership_page(organisation: Organisation, year: str) -> str:
    """A PEEL leadership pillar page: narrative only, never graded."""
    return "\n".join(
        [
            PAGE_TOP.format(title=f"{organisation.short} PEEL {year} — Leadership"),
            f"<h1>{escape(organisation.short)} PEEL {year}</h1>",
            "<h2>Leadership</h2>",
            "<h3>How well led is the force?</h3>",
            "<p>This year, for the first time, we have assessed leadership across the "
            "force. The assessment has led to a narrative rather than graded judgment.</p>",
            *(f"<p>{escape(p)}</p>" for p in narrative_paragraphs()[4:8]),
            PAGE_BOTTOM,
        ]
    )


FRS_QUESTIONS = (
    ("effectiveness", "How effective is the service at keeping people safe and secure?"),
    ("efficiency", "How efficient is the service at keeping people safe and secure?"),
    ("people", "How well does the service look after its people?"),
)
FRS_GRADES = ("Good", "Requires improvement", "Good")


def frs_service_page(organisation: Organisation, years: str) -> str:
    """A fire and rescue service's page: three pillars, each with its grade and findings."""
    parts = [
        PAGE_TOP.format(title=f"{escape(organisation.name)} {years}"),
        f"<h1>{escape(organisation.name)}</h1>",
        f"<p>Fire and rescue service inspection {years}</p>",
    ]
    for (pillar, question), grade in zip(FRS_QUESTIONS, FRS_GRADES, strict=True):
        parts += [
            f"<h2>{pillar.capitalize()}</h2>",
            f"<h3>{question}</h3>",
            '<p class="date">Last updated 15/12/2022</p>',
            f'<p class="grade">{grade}</p>',
            *(f"<p>{escape(p)}</p>" for p in narrative_paragraphs()[8:10]),
            "<h4>Areas for improvement</h4>",
            "<ul><li>The service should make sure its firefighters have the training they "
            "need to respond to incidents safely.</li></ul>",
        ]
    parts.append(PAGE_BOTTOM)
    return "\n".join(parts)


FRS_TABLE_QUESTIONS = (
    "Understanding the risk of fire and other emergencies",
    "Preventing fires and other risks",
    "Protecting the public through fire regulation",
    "Responding to fires and other emergencies",
    "Responding to major and multi-agency incidents",
    "Making best use of resources",
    "Future affordability",
    "Promoting the right values and culture",
    "Getting the right people with the right skills",
    "Ensuring fairness and promoting diversity",
    "Managing performance and developing leaders",
)
_FIVE_POINT = ("Good", "Adequate", "Requires improvement", "Good", "Adequate", "Outstanding")


def frs_table_page(services: list[Organisation]) -> str:
    """The 2023-25 fire and rescue data table: every service, eleven questions each."""
    parts = [
        PAGE_TOP.format(title="Fire and rescue service assessment data table 2023–25"),
        "<h1>Fire and rescue service assessment data table 2023–25</h1>",
    ]
    for i, organisation in enumerate(services):
        parts += [f"<h2>{escape(organisation.name)}</h2>", "<table>"]
        parts += [
            f"<tr><td>{question}</td><td>{_FIVE_POINT[(i + n) % len(_FIVE_POINT)]}</td></tr>"
            for n, question in enumerate(FRS_TABLE_QUESTIONS)
        ]
        parts.append("</table>")
    parts.append(PAGE_BOTTOM)
    return "\n".join(parts)


def engage_page(forces: list[Organisation]) -> str:
    """The list of forces under enhanced monitoring ("Engage")."""
    parts = [
        PAGE_TOP.format(title="Police forces in Engage"),
        "<h1>Police forces in Engage</h1>",
        "<p>We monitor all forces. Forces move between Scan and Engage.</p>",
    ]
    for year, force in zip((2022, 2023, 2024), forces, strict=False):
        parts += [
            f"<h2>{escape(force.name)}</h2>",
            f"<p>Entered Engage {year}</p>",
            "<p>Reasons: the force's response to the public and its crime recording.</p>",
        ]
    parts.append(PAGE_BOTTOM)
    return "\n".join(parts)
