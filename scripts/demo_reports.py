"""PEEL 2023–25 and 2025–27 reports and the Engage page of the demo archive.

The markup is the one hmicfrs-pages.md describes for 2021 onward: an "Our judgments"
table of area and grade, then a section per area with its grade, narrative and "Areas
for improvement"; the Engage page names each force with "Entered Engage <month> <year>",
its reasons and the related report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from demo_markup import Chrome, findings, grade, h, link, p, page, table

AREAS = (
    "Police powers and public treatment",
    "Preventing crime",
    "Responding to the public",
    "Investigating crime",
    "Protecting vulnerable people",
    "Managing offenders",
    "Developing a positive workplace",
    "Leadership and force management",
)
_NUMBERS = {8: "eight", 9: "nine"}


@dataclass(frozen=True)
class ReportForce:
    """Who a report is about, and what it finds (the grade of responding is a parameter)."""

    name: str  # "Kent Police"
    short: str  # "the force" or "the constabulary"
    years: str  # "2023–25"
    published: str
    grades: Mapping[str, str]
    afis: Mapping[str, Sequence[str]] = field(default_factory=dict)


HAMPSHIRE = ReportForce(
    "Hampshire and Isle of Wight Constabulary",
    "the constabulary",
    "2023–25",
    "7 November 2024",
    dict(
        zip(
            AREAS,
            ("Good", "Good", "", "Adequate", "Adequate", "Good", "Adequate", "Good"),
            strict=True,
        )
    ),
    {
        "Responding to the public": (
            "The constabulary should make sure it answers emergency and non-emergency calls "
            "within national standards.",
        ),
        "Investigating crime": (
            "The constabulary should make sure that investigations are effectively supervised "
            "and that victims are updated on their progress.",
        ),
    },
)
KENT_2025 = ReportForce(
    "Kent Police",
    "the force",
    "2025–27",
    "5 June 2025",
    dict(
        zip(
            AREAS,
            ("Good", "Outstanding", "", "Adequate", "Good", "Good", "Good", "Adequate"),
            strict=True,
        )
    ),
    {
        "Investigating crime": (
            "The force should make sure that it gives victims the updates they are entitled "
            "to under the Code of Practice for Victims of Crime.",
        ),
        "Leadership and force management": (
            "The force should make sure it understands the demand it faces and has the "
            "workforce it needs to meet it.",
        ),
    },
)


def peel_report(force: ReportForce, responding: str, chrome: Chrome, corrected: str = "") -> str:
    """A PEEL report from 2021 on; `corrected` adds the correction notice of that date."""
    grades = {**force.grades, "Responding to the public": responding}
    title = f"Police effectiveness, efficiency and legitimacy {force.years}"
    content = [
        p("PEEL"),
        h(1, title),
        p(f"An inspection of {force.name}"),
        p(f"Published {force.published}"),
        p(
            f"Correction: on {corrected} we corrected the grade given in this report for "
            "how the force answers calls from the public."
        )
        if corrected
        else "",
        h(2, "Our judgments"),
        p(
            f"Our inspection assessed how good {force.name} is in {_NUMBERS[len(AREAS) + 1]} "
            f"areas of policing. We make graded judgments in {_NUMBERS[len(AREAS)]} of these "
            f"{_NUMBERS[len(AREAS) + 1]} areas as follows:"
        ),
        table(("Area of policing", "Grade"), [(area, grades[area]) for area in AREAS]),
        p(
            f"We also inspected how effective {force.short} is at tackling serious and "
            "organised crime. We don’t make a graded judgment in this area."
        ),
        h(2, "HM Inspector’s report"),
        p(
            f"I am satisfied with some aspects of the performance of {force.name} in keeping "
            "people safe and reducing crime, but there are areas in which it needs to improve."
        ),
    ]
    for area in AREAS:
        content += _area(force, area, grades[area])
    crumbs = ("Publications", f"PEEL {force.years}")
    chrome = Chrome(chrome.modified, chrome.banner, chrome.menu, crumbs)
    return page(f"PEEL {force.years}: {force.name}", content, chrome)


def _area(force: ReportForce, area: str, badge: str) -> list[str]:
    verdict = "requires improvement" if badge == "Requires improvement" else f"is {badge.lower()}"
    who = force.short[0].upper() + force.short[1:]
    return [
        h(2, area),
        grade(badge),
        p(f"{who} {verdict} at {area[0].lower()}{area[1:]}."),
        findings("Areas for improvement", force.afis.get(area, ()), level=3),
    ]


# ---------------------------------------------------------------- Engage


@dataclass(frozen=True)
class EngageEntry:
    name: str
    entered: str  # "November 2023"
    reasons: str
    report: str
    report_path: str


ENGAGE = {
    "cumbria": EngageEntry(
        "Cumbria Constabulary",
        "November 2023",
        "Concerns about how the constabulary responds to the public and protects "
        "vulnerable people.",
        "PEEL 2023–25: An inspection of Cumbria Constabulary",
        "/peel-reports/cumbria-2023-25/",
    ),
    "essex": EngageEntry(
        "Essex Police",
        "June 2025",
        "Concerns about how the force assesses the risk to vulnerable people when they "
        "first contact it, set out in a cause of concern.",
        "PEEL 2018/19: Essex effectiveness",
        "/peel-assessments/peel-2018/essex/effectiveness/",
    ),
}


def engage(forces: Sequence[str], chrome: Chrome) -> str:
    """The list of forces in Engage, our enhanced monitoring stage."""
    content = [
        h(1, "Police forces in Engage"),
        p(
            "We monitor all police forces in England and Wales. Most forces are in our "
            "routine monitoring stage, Scan. When we have serious concerns about a force, we "
            "move it to our enhanced monitoring stage, Engage, and work with it and other "
            "bodies to help it improve."
        ),
        p("These forces are currently in Engage:"),
    ]
    for slug in forces:
        entry = ENGAGE[slug]
        content += [
            h(2, entry.name),
            p(f"Entered Engage {entry.entered}"),
            p(f"Reasons: {entry.reasons}"),
            p("Related report: ", link(entry.report, entry.report_path)),
        ]
    crumbs = ("About us", "Our approach to monitoring forces")
    chrome = Chrome(chrome.modified, chrome.banner, chrome.menu, crumbs)
    return page("Police forces in Engage", content, chrome)
