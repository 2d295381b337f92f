"""PEEL 2016–2018/19 pages of the demo archive, in the seeds' wording.

Kent's 2017 pages are the seeds' text, shortened; Cumbria's and Essex's follow the same
wording. Each function takes what changes between versions and returns the whole page.
"""

from __future__ import annotations

from demo_markup import Chrome, findings, grade, h, p, page, ul

# ---------------------------------------------------------------- Cumbria 2016 force page

_CUMBRIA_INTRO = (
    "This is HMIC’s third assessment of the effectiveness, efficiency and legitimacy with "
    "which Cumbria Constabulary keeps people safe and reduces crime. PEEL (police "
    "effectiveness, efficiency and legitimacy) gives you information about how your local "
    "police force is performing in several important areas."
)


_SENTENCE = "The extent to which the constabulary is {} at keeping people safe and reducing crime"
# The effectiveness and efficiency blocks, the same in every version.
_CUMBRIA_PILLARS = (
    h(2, "HMI's observations"),
    p(
        "I am pleased with the constabulary’s efficiency. It understands demand on its "
        "services and matches resources to meet demand."
    ),
    h(2, "Effectiveness"),
    h(3, "How effective is the force at keeping people safe and reducing crime?"),
    p("Last updated 02/03/2017"),
    p(
        "The constabulary needs to improve the way it protects vulnerable people and "
        "supports victims, although the quality of crime investigation is good."
    ),
    h(2, "Efficiency"),
    h(3, "How efficient is the force at keeping people safe and reducing crime?"),
    p("Last updated 09/11/2016"),
    p("It understands demand on its services and matches resources to meet demand."),
)


def cumbria_2016(legitimacy: str, chrome: Chrome) -> str:
    """Cumbria's 2016 force page; `legitimacy` "" is the pillar not yet graded."""
    legitimate = f"is {legitimacy}" if legitimacy else "is not yet graded"
    content = [
        h(1, "Cumbria 2016"),
        p(_CUMBRIA_INTRO),
        p(_SENTENCE.format("effective") + " requires improvement."),
        p(_SENTENCE.format("efficient") + " is good."),
        p(_SENTENCE.format("legitimate") + f" {legitimate}."),
        *_CUMBRIA_PILLARS,
        h(2, "Legitimacy"),
        h(3, "How legitimate is the force at keeping people safe and reducing crime?"),
        p("Last updated 08/12/2016") if legitimacy else p("To be graded"),
        p(
            "The constabulary treats the people it serves with fairness and respect, and "
            "its workforce understands the importance of ethical behaviour."
            if legitimacy
            else "Our findings on legitimacy will be published in December 2016."
        ),
    ]
    chrome = Chrome(chrome.modified, chrome.banner, chrome.menu, ("PEEL 2016", "Cumbria"))
    return page("Cumbria 2016", content, chrome)


# ---------------------------------------------------------------- Kent 2017 legitimacy

AFI_STOP_SEARCH = (
    "The force should ensure that all officers and supervisors understand what constitutes "
    "reasonable grounds for stop and search and record them correctly."
)
AFI_IPCC = (
    "The force should improve its compliance with IPCC statutory guidance, including the "
    "way in which it keeps complainants updated as to the progress of their complaint."
)
AFI_IOPC = (
    "The force should improve its compliance with IOPC statutory guidance, including the "
    "way in which it keeps complainants updated as to the progress of their complaints."
)
AFI_VETTING = (
    "The force should ensure that it meets national vetting standards for all members of "
    "its workforce."
)
_LEGITIMACY_QUESTIONS = (
    (
        "To what extent does the force treat all of the people it serves with fairness and "
        "respect?",
        "Kent Police is outstanding at treating the people it serves with fairness and "
        "respect. The force’s vision and values emphasise the importance of fair and "
        "respectful treatment and are understood by the whole workforce.",
        "Outstanding",
    ),
    (
        "How well does the force ensure that its workforce behaves ethically and lawfully?",
        "Kent Police is good at ensuring that its workforce behaves ethically and lawfully. "
        "The force’s policies and procedures comply with the Code of Ethics.",
        "Good",
    ),
    (
        "To what extent does the force treat its workforce with fairness and respect?",
        "In 2016, we found that Kent Police was outstanding at treating its workforce with "
        "fairness and respect. The culture and ethics boards continue to be effective and "
        "are well supported by the workforce.",
        "Outstanding",
    ),
)


def kent_2017_legitimacy(iopc: bool, vetting: bool) -> str:
    """Kent's 2017 legitimacy page: the grade badge at the end of each question block."""
    afis = {1: [AFI_STOP_SEARCH], 2: [AFI_IOPC if iopc else AFI_IPCC]}
    if vetting:
        afis[2].append(AFI_VETTING)
    content = [
        h(1, "Kent PEEL 2017"),
        h(2, "Legitimacy"),
        h(3, "How legitimate is the force at keeping people safe and reducing crime?"),
        p("Last updated 12/12/2017"),
        grade("Outstanding"),
        p(
            "Kent Police is judged to be outstanding at how legitimately it keeps people safe "
            "and reduces crime. For the areas of legitimacy we looked at this year, our overall "
            "judgment is the same as last year."
        ),
        h(2, "Questions for Legitimacy"),
    ]
    for number, (question, narrative, badge) in enumerate(_LEGITIMACY_QUESTIONS, start=1):
        content += [p(str(number)), h(3, question), p(narrative), grade(badge)]
        content.append(findings("Areas for improvement", afis.get(number, [])))
    chrome = Chrome("12 December 2017", crumbs=("PEEL 2017", "Kent", "Legitimacy"))
    return page("Kent PEEL 2017 – Legitimacy", content, chrome)


# ---------------------------------------------------------------- Kent 2017 effectiveness

AFI_INVESTIGATIONS = (
    "The force should ensure that all investigations are completed to a consistently good "
    "standard and in a timely manner so that victims receive an appropriate level of service."
)
AFI_BODY_WORN_VIDEO = (
    "The force should ensure that officers use body-worn video cameras to gather evidence "
    "at incidents, particularly those involving domestic abuse."
)


_KENT_EFFECTIVENESS_TOP = (
    h(1, "Kent PEEL 2017"),
    h(2, "Effectiveness"),
    h(3, "How effective is the force at keeping people safe and reducing crime?"),
    p("Last updated 22/03/2018"),
    grade("Good"),
    p(
        "Kent Police is good at keeping people safe and reducing crime, and it continues to "
        "make positive improvements in terms of its effectiveness. When required, the force "
        "attends incidents promptly."
    ),
    h(2, "Questions for Effectiveness"),
    p("2"),
    h(3, "How effective is the force at investigating crime and reducing re-offending?"),
    grade("Good"),
    p(
        "Kent Police is good at investigating crime and reducing re-offending. The force "
        "attends incidents promptly and undertakes generally thorough investigations."
    ),
    findings("Areas for improvement", [AFI_INVESTIGATIONS]),
)
_KENT_SPECIALIST = (
    p("5"),
    h(3, "How effective are the force’s specialist capabilities?"),
    grade("Ungraded"),
    p(
        "National threats often require forces to work together, across force boundaries. "
        "We examined the capabilities in place to respond to these threats."
    ),
)


def kent_2017_effectiveness(body_worn_video: bool, chrome: Chrome) -> str:
    """Kent's 2017 effectiveness page: the grade badge right after each question."""
    vulnerable = [AFI_BODY_WORN_VIDEO] if body_worn_video else []
    content = [
        *_KENT_EFFECTIVENESS_TOP,
        p("3"),
        h(
            3,
            "How effective is the force at protecting those who are vulnerable from harm, "
            "and supporting victims?",
        ),
        grade("Good"),
        p(
            "Kent Police is good at protecting those who are vulnerable from harm, and "
            "supporting victims. However, we found that use of body-worn video cameras to "
            "gather evidence is mixed."
        ),
        findings("Areas for improvement", vulnerable),
        *_KENT_SPECIALIST,
    ]
    chrome = Chrome(chrome.modified, chrome.banner, chrome.menu, ("PEEL 2017", "Kent"))
    return page("Kent PEEL 2017 – Effectiveness", content, chrome)


# ---------------------------------------------------------------- Essex 2018/19 effectiveness

CAUSE_OF_CONCERN = (
    "Essex Police isn’t always assessing the risk to vulnerable people correctly when they "
    "first contact it, and some victims wait too long for the help they need."
)
RECOMMENDATIONS = (
    "review how risk is assessed in the force control room and ensure that staff understand "
    "the importance of correctly assessing incidents; and",
    "review its plan for recovering its backlog of incidents awaiting attendance to ensure "
    "it gives victims an appropriate service.",
)
AFI_ESSEX_INVESTIGATIONS = (
    "The force should ensure it progresses cases effectively, even if the victim does not "
    "support the investigation, and that officers understand the importance of this."
)
_CARRIED_OVER = (
    "This question was not subject to detailed inspection in 2018/19, and our judgment from "
    "the 2017 effectiveness inspection has been carried over."
)


_ESSEX_TOP = (
    h(1, "Essex PEEL 2018/19"),
    h(2, "Effectiveness"),
    h(3, "How effectively does the force reduce crime and keep people safe?"),
    p("Last updated 02/05/2019"),
    grade("Good"),
    p("Essex Police was inspected in tranche two. It is good at reducing crime."),
    h(2, "Questions for Effectiveness"),
)
# The questions that stay the same: number -> (question, grade, narrative).
_ESSEX_QUESTIONS = {
    1: (
        "How effective is the force at preventing crime, tackling anti-social behaviour and "
        "keeping people safe?",
        "Good",
        _CARRIED_OVER,
    ),
    2: (
        "How effective is the force at investigating crime and reducing re-offending?",
        "Good",
        "The force investigates crime well and is working hard to reduce the number of "
        "suspects who haven't yet been interviewed.",
    ),
    4: (
        "How effective is the force at tackling serious and organised crime?",
        "Good",
        _CARRIED_OVER,
    ),
    5: (
        "How effective are the force’s specialist capabilities?",
        "Ungraded",
        "We examined how well prepared the force is to respond to a firearms attack.",
    ),
}


def essex_2018_effectiveness(concern: bool) -> str:
    """Essex's 2018/19 effectiveness page; `concern` adds the cause of concern."""
    content = list(_ESSEX_TOP)
    for number in range(1, 6):
        if number == 3:
            content += _essex_vulnerable(concern)
            continue
        content += _essex_question(number, *_ESSEX_QUESTIONS[number])
        if number == 2:
            content.append(findings("Area for improvement", [AFI_ESSEX_INVESTIGATIONS]))
    chrome = Chrome("2 May 2019" if not concern else "4 June 2025", crumbs=("PEEL 2018/19",))
    return page("Essex PEEL 2018/19 – Effectiveness", content, chrome)


def _essex_question(number: int, question: str, badge: str, narrative: str) -> list[str]:
    return [p(str(number)), h(3, question), grade(badge), p(narrative)]


def _essex_vulnerable(concern: bool) -> list[str]:
    question = (
        "How effective is the force at protecting those who are vulnerable from harm, and "
        "supporting victims?"
    )
    if not concern:
        return _essex_question(
            3,
            question,
            "Good",
            "The force makes good use of its protective powers and manages sex offenders well.",
        )
    return [
        *_essex_question(
            3,
            question,
            "Requires improvement",
            "The force has a good understanding of vulnerability, but its response to "
            "vulnerable people who first contact it needs to improve.",
        ),
        h(4, "Cause of concern"),
        p(CAUSE_OF_CONCERN),
        p(
            "To address this cause of concern, we recommend that the force should, within "
            "three months:"
        ),
        ul(RECOMMENDATIONS),
    ]
