"""A fire and rescue service page of the demo archive (2021/22, same grade language).

Three pillars, effectiveness, efficiency and people, each a question with "Last
updated", a grade badge and a narrative, then its graded questions and any "Areas for
improvement".
"""

from __future__ import annotations

from demo_markup import Chrome, findings, grade, h, p, page

SERVICE = "Hereford & Worcester Fire and Rescue Service"
AFI_RESOURCES = (
    "The service should make sure it has effective measures in place to assure itself that "
    "its workforce is productive and that their time is used as efficiently as possible."
)
AFI_GRIEVANCES = (
    "The service should make sure staff understand and have confidence in the grievance process."
)
_PILLARS = (
    (
        "Effectiveness",
        "How effective is the service at keeping people safe and secure from fire and other risks?",
        (
            ("Understanding the risk of fire and other emergencies", "Good"),
            ("Preventing fires and other risks", "Good"),
            ("Protecting the public through fire regulation", "Good"),
            ("Responding to fires and other emergencies", "Good"),
            ("Responding to major and multi-agency incidents", "Good"),
        ),
    ),
    (
        "Efficiency",
        "How efficient is the service at keeping people safe and secure from fire and other risks?",
        (
            ("Making best use of resources", ""),
            ("Making the fire and rescue service affordable now and in the future", "Good"),
        ),
    ),
    (
        "People",
        "How well does the service look after its people?",
        (
            ("Promoting the right values and culture", "Good"),
            ("Getting the right people with the right skills", "Good"),
            ("Ensuring fairness and promoting diversity", "Requires improvement"),
            ("Managing performance and developing leaders", "Requires improvement"),
        ),
    ),
)
_PILLAR_GRADES = {"Effectiveness": "Good", "People": "Requires improvement"}


def hereford_and_worcester_2021(efficiency: str, modified: str) -> str:
    """The service's 2021/22 page; `efficiency` is the grade of the efficiency pillar."""
    grades = {**_PILLAR_GRADES, "Efficiency": efficiency}
    afis = {
        "Making best use of resources": [AFI_RESOURCES],
        "Ensuring fairness and promoting diversity": [AFI_GRIEVANCES],
    }
    content = [
        h(1, f"{SERVICE} 2021/22"),
        p(
            f"This is our second inspection of {SERVICE}. We assessed how effective and "
            "efficient it is at keeping people safe and secure from fire and other risks, and "
            "how well it looks after its people."
        ),
    ]
    for pillar, question, areas in _PILLARS:
        content += [
            h(2, pillar),
            h(3, question),
            p("Last updated 27/07/2022" if pillar != "Efficiency" else _updated(efficiency)),
            grade(grades[pillar]),
            p(f"{SERVICE}’s overall {pillar.lower()} {_verdict(grades[pillar])}."),
            h(3, f"Questions for {pillar}"),
        ]
        for number, (area, badge) in enumerate(areas, start=1):
            shown = badge or efficiency
            content += [p(str(number)), h(4, area), grade(shown)]
            content.append(findings("Areas for improvement", afis.get(area, []), level=5))
    crumbs = ("Fire and rescue services", "2021/22", "Hereford & Worcester")
    return page(f"{SERVICE} 2021/22", content, Chrome(modified, crumbs=crumbs))


def _updated(efficiency: str) -> str:
    return "Last updated 27/07/2022" if efficiency != "Good" else "Last updated 02/06/2025"


def _verdict(badge: str) -> str:
    return "requires improvement" if badge == "Requires improvement" else f"is {badge.lower()}"
