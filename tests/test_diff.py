"""Comparing assessments: grade directions, findings added, resolved and reworded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from watcher.diff import diff, direction, published, word_diff
from watcher.models import (
    Assessment,
    ChangeKind,
    Direction,
    Finding,
    FindingKind,
    Grade,
    Judgement,
    PageKind,
)

URL = "https://h.example/peel-assessments/peel-2017/kent/legitimacy/"
AFI = FindingKind.AREA_FOR_IMPROVEMENT
IPCC = (
    "The force should improve its compliance with IPCC statutory guidance, including the "
    "way in which it keeps complainants updated as to the progress of their complaint."
)
IPCC_REWORDED = (
    "The force should improve its compliance with IOPC statutory guidance, including the "
    "way in which it keeps complainants updated as to the progress of their complaints."
)
CORRUPTION = (
    "The force should ensure it builds effective relationships with the groups and "
    "organisations that support and work with vulnerable persons."
)


def legitimacy(grade: Grade = Grade.OUTSTANDING, *findings: Finding) -> Assessment:
    return Assessment(
        organisation="kent",
        cycle="peel-2017",
        kind=PageKind.PILLAR_PAGE,
        url=URL,
        judgements=(
            Judgement("legitimacy", "Legitimacy", grade),
            Judgement("legitimacy/q2", "How well does the force ensure ...", Grade.GOOD),
        ),
        findings=findings,
    )


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (Grade.GOOD, Grade.OUTSTANDING, Direction.IMPROVED),
        (Grade.ADEQUATE, Grade.REQUIRES_IMPROVEMENT, Direction.DECLINED),
        (Grade.REQUIRES_IMPROVEMENT, Grade.ADEQUATE, Direction.IMPROVED),
        (Grade.NOT_YET_GRADED, Grade.GOOD, Direction.FIRST),
        (None, Grade.INADEQUATE, Direction.FIRST),
        (Grade.GOOD, Grade.NOT_INSPECTED, Direction.WITHDRAWN),
        (Grade.GOOD, None, Direction.WITHDRAWN),
        (Grade.NOT_YET_GRADED, Grade.UNGRADED, Direction.CHANGED),
        (Grade.GOOD, Grade.GOOD, None),
        (None, Grade.NOT_YET_GRADED, None),
    ],
)
def test_direction(before: Grade | None, after: Grade | None, expected: Direction | None) -> None:
    """Moves on the scale are improved/declined; from a state to a grade is a first grade."""
    assert direction(before, after) == expected


def test_nothing_changed_means_no_changes() -> None:
    """Identical assessments give no changes."""
    page = legitimacy(Grade.GOOD, Finding(AFI, "legitimacy/q2", IPCC))
    assert diff(page, page) == []


def test_first_sight_gives_no_changes() -> None:
    """A page seen for the first time is a baseline, not a storm of alerts."""
    assert diff(None, legitimacy()) == []


def test_grade_decline_is_one_change() -> None:
    """A pillar going from outstanding to good is one 'declined' grade change."""
    [change] = diff(legitimacy(Grade.OUTSTANDING), legitimacy(Grade.GOOD))
    assert change.kind is ChangeKind.GRADE
    assert (change.unit, change.before, change.after) == ("legitimacy", "outstanding", "good")
    assert change.direction is Direction.DECLINED
    assert change.unit_label == "Legitimacy"


def test_findings_added_resolved_and_reworded() -> None:
    """A rewording is paired as one change; unrelated findings are added or resolved."""
    before = legitimacy(Grade.GOOD, Finding(AFI, "legitimacy/q2", IPCC))
    after = legitimacy(
        Grade.GOOD,
        Finding(AFI, "legitimacy/q2", IPCC_REWORDED),
        Finding(AFI, "legitimacy/q2", CORRUPTION),
    )
    changes = diff(before, after)
    kinds = sorted(c.kind for c in changes)
    assert kinds == [ChangeKind.FINDING_ADDED, ChangeKind.FINDING_REWORDED]
    reworded = next(c for c in changes if c.kind is ChangeKind.FINDING_REWORDED)
    assert (reworded.before, reworded.after) == (IPCC, IPCC_REWORDED)
    assert reworded.wording is not None
    assert ("delete", "IPCC") in reworded.wording.segments
    assert ("insert", "IOPC") in reworded.wording.segments
    resolved = diff(after, before)
    assert sorted(c.kind for c in resolved) == [
        ChangeKind.FINDING_RESOLVED,
        ChangeKind.FINDING_REWORDED,
    ]


def test_cosmetic_text_differences_are_not_changes() -> None:
    """Case, curly quotes, spacing and a final full stop do not make a new finding."""
    before = legitimacy(Grade.GOOD, Finding(AFI, "legitimacy/q2", "The force’s staff should act."))
    after = legitimacy(Grade.GOOD, Finding(AFI, "legitimacy/q2", "The force's  staff should act"))
    assert diff(before, after) == []


def test_practice_findings_never_alert() -> None:
    """Innovative or promising practice is recorded but never alerted."""
    practice = Finding(FindingKind.PRACTICE, "legitimacy", "A wellbeing dog scheme.")
    assert diff(legitimacy(), legitimacy(Grade.OUTSTANDING, practice)) == []


def test_page_losing_all_grades_is_not_withdrawal() -> None:
    """A graded page that comes back with no grades (an error page) raises nothing."""
    broken = replace(legitimacy(), judgements=(), findings=())
    assert diff(legitimacy(Grade.GOOD, Finding(AFI, "legitimacy/q2", IPCC)), broken) == []


def test_monitoring_entered_and_left() -> None:
    """Entering or leaving Engage is a change of its own."""
    scan = replace(legitimacy(), monitoring=None)
    engage = replace(legitimacy(), monitoring="engage")
    assert [c.kind for c in diff(scan, engage)] == [ChangeKind.MONITORING_ENTERED]
    assert [c.kind for c in diff(engage, scan)] == [ChangeKind.MONITORING_LEFT]


def test_published_report_lists_its_grades() -> None:
    """A report appearing where there was none is announced with its first grades."""
    changes = published(legitimacy(Grade.GOOD))
    assert changes[0].kind is ChangeKind.REPORT_PUBLISHED
    assert {(c.unit, c.direction) for c in changes[1:]} == {
        ("legitimacy", Direction.FIRST),
        ("legitimacy/q2", Direction.FIRST),
    }


def test_change_ids_are_deterministic() -> None:
    """The same change found twice has the same id; a different one does not."""
    first = diff(legitimacy(Grade.OUTSTANDING), legitimacy(Grade.GOOD))[0]
    again = diff(legitimacy(Grade.OUTSTANDING), legitimacy(Grade.GOOD))[0]
    other = diff(legitimacy(Grade.OUTSTANDING), legitimacy(Grade.INADEQUATE))[0]
    assert first.id == again.id != other.id


def test_word_diff_segments() -> None:
    """The word diff keeps equal runs and marks replaced words."""
    assert word_diff("a quick fox", "a slow fox").segments == (
        ("equal", "a"),
        ("delete", "quick"),
        ("insert", "slow"),
        ("equal", "fox"),
    )


def test_closing_a_cause_of_concern_reads_as_resolved_once() -> None:
    """Open → closed: the cause of concern is resolved; the closed record itself is silent."""
    unit = "cause-of-concern/responding-to-the-public"
    text = "Kent Police isn’t answering emergency calls quickly enough."
    open_letter = replace(
        legitimacy(), findings=(Finding(FindingKind.CAUSE_OF_CONCERN, unit, text),)
    )
    closed_letter = replace(
        legitimacy(), findings=(Finding(FindingKind.CLOSED_CAUSE_OF_CONCERN, unit, text),)
    )
    [change] = diff(open_letter, closed_letter)
    assert change.kind is ChangeKind.FINDING_RESOLVED
    assert change.finding_kind is FindingKind.CAUSE_OF_CONCERN
    assert change.alerts
