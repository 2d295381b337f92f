"""The demo archive's story: five daily runs over eight pages, and what changes between them.

Each page is written in the wording of the real pages in shared/seeds (the Kent pages
are the seeds' own text, shortened) and in the markup hmicfrs-pages.md describes for
its family. Grades, findings and dates are illustrative: they are not the real grades
of these forces, and the README and the demo say so. `STEPS[i].story` says what the
site changed before run i+1 and which alert each change is designed to produce.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo_fire import hereford_and_worcester_2021
from demo_markup import DOWNTIME, MENU_2025, Chrome
from demo_police import (
    cumbria_2016,
    essex_2018_effectiveness,
    kent_2017_effectiveness,
    kent_2017_legitimacy,
)
from demo_reports import HAMPSHIRE, KENT_2025, engage, peel_report


@dataclass(frozen=True)
class Step:
    """One run of the watcher: the day it runs, and what the site changed before it."""

    date: str  # ISO date
    story: tuple[str, ...]


@dataclass(frozen=True)
class DemoPage:
    """One page of the archive: its versions, and which one the site serves at each run."""

    key: str  # file name stem in the archive
    path: str
    organisation: str
    cycle: str
    versions: tuple[str, ...]
    schedule: tuple[int | None, ...]  # version index per run; None: 404 (not published)


STEPS = (
    Step(
        "2025-06-02",
        (
            "First run: every published page is recorded as the baseline (one short note, "
            "no alerts); Kent's PEEL 2025–27 report is not published yet (404).",
        ),
    ),
    Step(
        "2025-06-03",
        (
            "Kent 2017 legitimacy: an area for improvement reworded (IPCC → IOPC) → reworded",
            "Hereford & Worcester FRS: efficiency, and its question on making best use of "
            "resources, requires improvement → good → 2 improved",
            "Cumbria 2016 and Hampshire 2023–25: a downtime banner appears → nothing",
        ),
    ),
    Step(
        "2025-06-04",
        (
            "Cumbria 2016: legitimacy, not yet graded, receives its grade → first grade",
            "Kent 2017 effectiveness: a new area for improvement → new AFI",
            "Essex 2018/19 effectiveness: protecting vulnerable people good → requires "
            "improvement, with a cause of concern and two recommendations → declined, new "
            "cause of concern, 2 new recommendations",
            "Engage page: its 'Last modified' date changes → nothing",
        ),
    ),
    Step(
        "2025-06-05",
        (
            "Hampshire 2023–25 report corrected after publication: responding to the public "
            "adequate → requires improvement → declined",
            "Kent PEEL 2025–27 report published where there was a 404 → new report, with "
            "its 8 grades and 2 areas for improvement",
            "Kent 2017 legitimacy: the vetting area for improvement is gone → resolved",
            "Hereford & Worcester FRS: its 'Last modified' date changes → nothing",
        ),
    ),
    Step(
        "2025-06-06",
        (
            "Engage page: Essex Police enters Engage, Cumbria Constabulary leaves → entered, "
            "left enhanced monitoring",
            "Kent 2017 effectiveness: the site's menu gains an entry → nothing",
            "Kent 2025–27 report: its 'Last modified' date changes → nothing",
        ),
    ),
)

PAGES = (
    DemoPage(
        "cumbria-peel-2016",
        "/peel-assessments/peel-2016/cumbria/",
        "cumbria",
        "peel-2016",
        (
            cumbria_2016(legitimacy="", chrome=Chrome("9 November 2016")),
            cumbria_2016(legitimacy="", chrome=Chrome("9 November 2016", banner=DOWNTIME)),
            cumbria_2016(legitimacy="good", chrome=Chrome("8 December 2016")),
        ),
        (0, 1, 2, 2, 2),
    ),
    DemoPage(
        "kent-peel-2017-legitimacy",
        "/peel-assessments/peel-2017/kent/legitimacy/",
        "kent",
        "peel-2017",
        (
            kent_2017_legitimacy(iopc=False, vetting=True),
            kent_2017_legitimacy(iopc=True, vetting=True),
            kent_2017_legitimacy(iopc=True, vetting=False),
        ),
        (0, 1, 1, 2, 2),
    ),
    DemoPage(
        "kent-peel-2017-effectiveness",
        "/peel-assessments/peel-2017/kent/effectiveness/",
        "kent",
        "peel-2017",
        (
            kent_2017_effectiveness(body_worn_video=False, chrome=Chrome("22 March 2018")),
            kent_2017_effectiveness(body_worn_video=True, chrome=Chrome("4 June 2025")),
            kent_2017_effectiveness(
                body_worn_video=True, chrome=Chrome("4 June 2025", menu=MENU_2025)
            ),
        ),
        (0, 0, 1, 1, 2),
    ),
    DemoPage(
        "essex-peel-2018-effectiveness",
        "/peel-assessments/peel-2018/essex/effectiveness/",
        "essex",
        "peel-2018",
        (
            essex_2018_effectiveness(concern=False),
            essex_2018_effectiveness(concern=True),
        ),
        (0, 0, 1, 1, 1),
    ),
    DemoPage(
        "hampshire-peel-2023-25",
        "/peel-reports/hampshire-and-isle-of-wight-2023-25/",
        "hampshire",
        "peel-2023-25",
        (
            peel_report(HAMPSHIRE, responding="Adequate", chrome=Chrome("7 November 2024")),
            peel_report(
                HAMPSHIRE, responding="Adequate", chrome=Chrome("7 November 2024", banner=DOWNTIME)
            ),
            peel_report(
                HAMPSHIRE,
                responding="Requires improvement",
                corrected="4 June 2025",
                chrome=Chrome("4 June 2025"),
            ),
        ),
        (0, 1, 1, 2, 2),
    ),
    DemoPage(
        "kent-peel-2025-27",
        "/peel-reports/kent-2025-27/",
        "kent",
        "peel-2025-27",
        (
            peel_report(KENT_2025, responding="Good", chrome=Chrome("5 June 2025")),
            peel_report(KENT_2025, responding="Good", chrome=Chrome("6 June 2025")),
        ),
        (None, None, None, 0, 1),
    ),
    DemoPage(
        "police-forces-in-engage",
        "/about-us/what-we-do/our-approach-to-monitoring-forces/police-forces-in-engage/",
        "",
        "",
        (
            engage(("cumbria",), Chrome("14 May 2025")),
            engage(("cumbria",), Chrome("3 June 2025")),
            engage(("essex",), Chrome("5 June 2025")),
        ),
        (0, 0, 1, 1, 2),
    ),
    DemoPage(
        "hereford-and-worcester-frs-2021",
        "/frs-assessment/frs-2021/hereford-and-worcester/",
        "hereford-and-worcester",
        "frs-2021",
        (
            hereford_and_worcester_2021(efficiency="Requires improvement", modified="27 July 2022"),
            hereford_and_worcester_2021(efficiency="Good", modified="2 June 2025"),
            hereford_and_worcester_2021(efficiency="Good", modified="4 June 2025"),
        ),
        (0, 1, 1, 2, 2),
    ),
)
