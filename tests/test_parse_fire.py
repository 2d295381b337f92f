"""Fire pages and 2021+ findings and titles in layouts beyond the fixture files."""

from __future__ import annotations

import pytest

from watcher.models import FindingKind, PageKind
from watcher.parse import parse, parse_all

TABLE = "https://h.test/frs-assessment/frs-2023-25/service-assessment-data-table/"
REPORT = "https://h.test/frs-assessment/frs-2023-25/kent/"
QUESTIONS = (
    "Understanding the risk of fire and other emergencies",
    "Preventing fires and other risks",
    "Protecting the public through fire regulation",
    "Responding to fires and other emergencies",
    "Responding to major and multi-agency incidents",
    "Making best use of resources",
    "Making the FRS affordable now and in the future",
    "Promoting the right values and culture",
    "Getting the right people with the right skills",
    "Ensuring fairness and promoting diversity",
    "Managing performance and developing leaders",
)
ROWS = "".join(f"<tr><td>{q}</td><td>Good</td></tr>" for q in QUESTIONS)
NAMES = ("Kent Fire and Rescue Service", "Essex County Fire and Rescue Service")


@pytest.mark.parametrize(
    "wrap",
    [
        '<h2><button aria-expanded="false">{}</button></h2><div><table>{}</table></div>',
        '<button class="accordion">{}</button><div class="panel"><table>{}</table></div>',
        "<details><summary>{}</summary><table>{}</table></details>",
        '<div><button type="button" aria-controls="p">{}</button></div><table>{}</table>',
    ],
)
def test_table_service_names_in_toggles_are_read(wrap: str) -> None:
    """A service named in an accordion button, a summary or a toggle owns the rows under it."""
    body = "<h1>Data table</h1>" + "".join(wrap.format(n, ROWS) for n in NAMES)
    body += "<button>Print this page</button>"
    found = parse_all(body.encode(), TABLE)
    assert [(a.organisation, len(a.judgements), a.unreadable) for a in found] == [
        ("frs/kent", 11, None),
        ("frs/essex", 11, None),
    ]


def test_table_rows_that_cannot_be_tied_to_a_service_are_not_trusted() -> None:
    """A service whose name the page lost puts its rows under the previous one: unreadable."""
    body = f"<h2>{NAMES[0]}</h2><table>{ROWS}</table><button>{NAMES[1]}</button><table>{ROWS}"
    [kent] = parse_all(f"<h1>Data table</h1>{body}</table>".encode(), TABLE)
    assert kent.unreadable is not None
    assert "cannot be tied to one service" in kent.unreadable


def test_report_summary_as_grade_headings_over_questions() -> None:
    """A 2023-25 report whose summary is grade headings over their questions is read."""
    good, adequate = QUESTIONS[:6], QUESTIONS[6:]
    items = "".join(f"<li>{q}</li>" for q in good)
    rest = "".join(f"<li>{q}</li>" for q in adequate)
    body = f"<h1>Kent FRS</h1><h3>Good</h3><ul>{items}</ul><h3>Adequate</h3><ul>{rest}</ul>"
    found = parse(body.encode(), REPORT)
    assert found.unreadable is None
    assert [j.grade.value for j in found.judgements] == ["good"] * 6 + ["adequate"] * 5


def test_run_in_sentences_alone_give_the_pillar_grades() -> None:
    """A 2021/22 page with only its three sentences, in any order, gives the three pillars."""
    risks = "at keeping people safe and secure from fire and other risks"
    body = (
        "<h1>Kent 2021/22</h1><p>The extent to which the service looks after its people "
        f"requires improvement.</p><p>The extent to which the service is efficient {risks} is "
        f"good.</p><p>The extent to which the service is effective {risks}: outstanding.</p>"
    )
    found = parse(body.encode(), "https://h.test/frs-assessment/frs-2021/kent/")
    assert found.unreadable is None
    grades = {j.unit: j.grade.value for j in found.judgements}
    assert grades == {
        "people": "requires_improvement",
        "efficiency": "good",
        "effectiveness": "outstanding",
    }


def test_findings_numbered_past_99_and_bold_statements_are_read() -> None:
    """ "Area for improvement 104" and a bold statement over its explanation are findings."""
    body = (
        "<h1>PEEL 2023–2025: An inspection of Kent Police</h1>"
        "<h3>Area for improvement 104</h3><p>The force should improve its investigations.</p>"
        "<h3>Areas for improvement</h3><p><strong>The force needs better supervision</strong>"
        "</p><p>We found that supervisors did not review cases often enough.</p>"
    )
    found = parse(body.encode(), "https://h.test/?p=123")
    assert (found.organisation, found.cycle, found.kind) == (
        "kent",
        "peel-2023-25",
        PageKind.PEEL_REPORT,
    )
    assert [(f.kind, f.text) for f in found.findings] == [
        (FindingKind.AREA_FOR_IMPROVEMENT, "The force should improve its investigations."),
        (FindingKind.AREA_FOR_IMPROVEMENT, "The force needs better supervision"),
    ]
