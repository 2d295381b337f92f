"""Build realistic HMICFRS pages for the end-to-end tests, in the wording of the seeds.

A page is described by its grades and findings; the builder writes it the way the
site does (question headings, "Last updated", a grade badge, narrative, "Areas for
improvement" bullets) wrapped in the site's chrome, so tests can publish a new
version of a page by changing one value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

CHROME_TOP = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} - HMICFRS</title></head>
<body>
<a href="#main">Skip to content</a>
<div class="cookie">We use cookies to collect information about how you use our website.</div>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/about-us/">About us</a></li>
<li><a href="/peel-assessments/">PEEL assessments</a></li></ul></nav></header>
<div class="banner">{banner}</div>
<main id="main">
"""
CHROME_BOTTOM = """</main>
<footer><p>© Crown copyright</p><p>Page last modified: {modified}</p></footer>
</body></html>
"""

QUESTIONS_2017_LEGITIMACY = {
    1: "To what extent does the force treat all of the people it serves with fairness and respect?",
    2: "How well does the force ensure that its workforce behaves ethically and lawfully?",
    3: "To what extent does the force treat its workforce with fairness and respect?",
}

NARRATIVE = {
    1: (
        "Kent Police is outstanding at treating the people it serves with fairness and "
        "respect. The force’s vision and values emphasise the importance of fair and "
        "respectful treatment and are understood by the whole workforce."
    ),
    2: (
        "Kent Police is good at ensuring that its workforce behaves ethically and lawfully. "
        "The force’s policies and procedures comply with the Code of Ethics."
    ),
    3: (
        "In 2016, we found that Kent Police was outstanding at treating its workforce with "
        "fairness and respect. The culture and ethics boards continue to be effective."
    ),
}

AFI_IPCC = (
    "The force should improve its compliance with IPCC statutory guidance, including the "
    "way in which it keeps complainants updated as to the progress of their complaint."
)
AFI_IPCC_REWORDED = (
    "The force should improve its compliance with IOPC statutory guidance, including the "
    "way in which it keeps complainants updated as to the progress of their complaints."
)
AFI_VETTING = (
    "The force should ensure that it meets national vetting standards for all members of "
    "its workforce."
)
AFI_STOP_SEARCH = (
    "The force should ensure that all officers and supervisors understand what constitutes "
    "reasonable grounds for stop and search and record them correctly."
)


@dataclass
class LegitimacyPage2017:
    """The 2017 legitimacy pillar page of a force, as the seed prints it."""

    force: str = "Kent Police"
    place: str = "Kent"  # the title's "<place> PEEL 2017"
    pillar_grade: str = "Outstanding"
    last_updated: str = "12/12/2017"
    grades: dict[int, str] = field(
        default_factory=lambda: {1: "Outstanding", 2: "Good", 3: "Outstanding"}
    )
    afis: dict[int, list[str]] = field(default_factory=lambda: {2: [AFI_IPCC, AFI_VETTING]})
    banner: str = ""
    modified: str = "12 December 2017"

    def html(self) -> bytes:
        parts = [
            CHROME_TOP.format(title=f"{self.place} PEEL 2017", banner=escape(self.banner)),
            f"<h1>{self.place} PEEL 2017</h1>",
            "<h2>Legitimacy</h2>",
            "<h3>How legitimate is the force at keeping people safe and reducing crime?</h3>",
            f"<p>Last updated {self.last_updated}</p>",
            f"<p><strong>{self.pillar_grade}</strong></p>",
            f"<p>{self.force} is judged to be {self.pillar_grade.lower()} at how legitimately "
            "it keeps people safe and reduces crime.</p>",
            "<h2>Questions for Legitimacy</h2>",
        ]
        for number, question in QUESTIONS_2017_LEGITIMACY.items():
            parts += [
                f"<p>{number}</p>",
                f"<h3>{escape(question)}</h3>",
                f"<p>{escape(NARRATIVE[number])}</p>",
                f"<p><strong>{self.grades[number]}</strong></p>",
            ]
            if self.afis.get(number):
                parts.append("<h4>Areas for improvement</h4><ul>")
                parts += [f"<li>{escape(text)}</li>" for text in self.afis[number]]
                parts.append("</ul>")
        parts.append(CHROME_BOTTOM.format(modified=escape(self.modified)))
        return "\n".join(parts).encode()


ENGAGE_PATH = "/about-us/what-we-do/our-approach-to-monitoring-forces/police-forces-in-engage/"


@dataclass
class EngagedForce:
    name: str
    entered: str
    reasons: list[str]


def engage_page(forces: list[EngagedForce], banner: str = "", *, says_nobody: bool = True) -> bytes:
    """The 'police forces in Engage' page listing `forces`, as the site lays it out.

    Listing nobody, it says so in words, as the site would (`says_nobody=False`: a
    placeholder that lists nobody and says nothing).
    """
    parts = [
        CHROME_TOP.format(title="Police forces in Engage", banner=escape(banner)),
        "<h1>Police forces in Engage</h1>",
        "<p>Engage is the enhanced phase of our monitoring process. We give forces in "
        "Engage extra scrutiny and support.</p>",
    ]
    if not forces and says_nobody:
        parts.append("<p>There are currently no forces in Engage.</p>")
    for force in forces:
        parts += [
            f"<h2>{escape(force.name)}</h2>",
            "<h3>Entered Engage</h3>",
            f"<p>{escape(force.entered)}</p>",
            "<h3>Reasons</h3><ul>",
            *(f"<li>{escape(reason)}</li>" for reason in force.reasons),
            "</ul>",
            "<h3>Related report</h3>",
            f"<p>PEEL 2021/22: An inspection of {escape(force.name)}</p>",
        ]
    parts.append(CHROME_BOTTOM.format(modified="1 March 2025"))
    return "\n".join(parts).encode()
