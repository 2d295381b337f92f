"""Compare two assessments of one page and list the meaningful changes. Pure.

Grades are compared per unit. Findings are matched exactly on their normalised text
first; what is left on both sides is paired by fuzzy match, so a reworded area for
improvement is one "reworded" change, not a "new" plus a "resolved".
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rapidfuzz import fuzz

from watcher.models import (
    Assessment,
    Change,
    ChangeKind,
    Direction,
    Finding,
    FindingKind,
    Grade,
    Judgement,
    PageKind,
    WordDiff,
    normalise_text,
)

# Below this similarity (0-100) a removed and an added finding are two changes.
REWORD_THRESHOLD = 75.0

GRADED_KINDS = frozenset(
    {PageKind.FORCE_PAGE, PageKind.PILLAR_PAGE, PageKind.PEEL_REPORT, PageKind.FRS_SERVICE}
)


def looks_broken(before: Assessment | None, after: Assessment) -> bool:
    """A page that had grades and now has none is a bad fetch, not withdrawn grades."""
    return (
        before is not None
        and before.is_graded
        and after.kind in GRADED_KINDS | {PageKind.UNKNOWN}
        and not after.is_graded
    )


def vanished_grades(before: Assessment | None, after: Assessment) -> list[str]:
    """Labels of graded units that are missing from the page altogether now.

    The inspectorate replaces a grade (with another, or with a state such as "not yet
    graded"); it does not drop a unit from a page that still shows the others. A unit
    that simply vanished means a broken template or a cut page, not a withdrawn grade.
    """
    if before is None:
        return []
    present = {j.unit for j in after.judgements}
    return [
        j.label or j.unit for j in before.judgements if j.grade.is_graded and j.unit not in present
    ]


def diff(before: Assessment | None, after: Assessment) -> list[Change]:
    """Every meaningful change from `before` to `after` (None: nothing known before)."""
    if before is None or looks_broken(before, after):
        return []
    return [
        *_monitoring_changes(before, after),
        *_grade_changes(before, after),
        *_finding_changes(before, after),
    ]


def published(after: Assessment) -> list[Change]:
    """The changes announcing a report that appeared where there was none before."""
    empty = Assessment(after.organisation, after.cycle, after.kind, after.url)
    announcement = Change(
        kind=ChangeKind.REPORT_PUBLISHED,
        url=after.url,
        organisation=after.organisation,
        cycle=after.cycle,
        after=after.title or after.url,
    )
    return [announcement, *diff(empty, after)]


def _change(after: Assessment, kind: ChangeKind) -> Change:
    return Change(kind=kind, url=after.url, organisation=after.organisation, cycle=after.cycle)


def _monitoring_changes(before: Assessment, after: Assessment) -> list[Change]:
    if bool(before.monitoring) == bool(after.monitoring):
        return []  # a reworded reason is not news; entering or leaving is
    kind = ChangeKind.MONITORING_ENTERED if after.monitoring else ChangeKind.MONITORING_LEFT
    return [
        replace(
            _change(after, kind),
            unit="monitoring",
            before=before.monitoring_note or before.monitoring,
            after=after.monitoring_note or after.monitoring,
        )
    ]


def direction(before: Grade | None, after: Grade | None) -> Direction | None:
    """How a unit's grade moved, or None when there is nothing worth saying."""
    if before == after:
        return None
    before_rank = before.rank if before else None
    after_rank = after.rank if after else None
    if before_rank is not None and after_rank is not None:
        return Direction.IMPROVED if after_rank > before_rank else Direction.DECLINED
    if after_rank is not None:
        return Direction.FIRST
    if before_rank is not None:
        return Direction.WITHDRAWN
    if before is None or after is None:
        return None  # a state appearing or vanishing on its own is not news
    return Direction.CHANGED


def _grade_changes(before: Assessment, after: Assessment) -> list[Change]:
    old = {j.unit: j for j in before.judgements}
    new = {j.unit: j for j in after.judgements}
    changes = []
    for unit in [*new, *(u for u in old if u not in new)]:
        was, now = old.get(unit), new.get(unit)
        moved = direction(was.grade if was else None, now.grade if now else None)
        if moved is None:
            continue
        shown = now or was
        assert shown is not None  # one of them exists: unit came from their keys
        changes.append(
            replace(
                _change(after, ChangeKind.GRADE),
                unit=unit,
                unit_label=shown.label,
                before=_grade_value(was),
                after=_grade_value(now),
                direction=moved,
            )
        )
    return changes


def _grade_value(judgement: Judgement | None) -> str | None:
    return str(judgement.grade) if judgement else None


def _finding_changes(before: Assessment, after: Assessment) -> list[Change]:
    changes: list[Change] = []
    for kind in FindingKind:
        if not kind.alerts:
            continue
        old = _of_kind(before.findings, kind)
        new = _of_kind(after.findings, kind)
        new_keys = {f.key for f in new}
        old_keys = {f.key for f in old}
        removed = [f for f in old if f.key not in new_keys]
        added = [f for f in new if f.key not in old_keys]
        pairs, removed, added = pair_rewordings(removed, added)
        changes += [_reworded(after, was, now) for was, now in pairs]
        changes += [_finding(after, ChangeKind.FINDING_ADDED, f) for f in added]
        changes += [_finding(after, ChangeKind.FINDING_RESOLVED, f) for f in removed]
    return changes


def _of_kind(findings: Iterable[Finding], kind: FindingKind) -> list[Finding]:
    unique: dict[str, Finding] = {}
    for finding in findings:
        if finding.kind is kind:
            unique.setdefault(finding.key, finding)
    return list(unique.values())


def pair_rewordings(
    removed: Sequence[Finding], added: Sequence[Finding]
) -> tuple[list[tuple[Finding, Finding]], list[Finding], list[Finding]]:
    """Pair removed with added findings that say nearly the same thing, best pairs first."""
    scored = sorted(
        (
            (_similarity(was, now), i, j)
            for i, was in enumerate(removed)
            for j, now in enumerate(added)
        ),
        reverse=True,
    )
    pairs: list[tuple[Finding, Finding]] = []
    used_removed: set[int] = set()
    used_added: set[int] = set()
    for score, i, j in scored:
        if score < REWORD_THRESHOLD:
            break
        if i in used_removed or j in used_added:
            continue
        used_removed.add(i)
        used_added.add(j)
        pairs.append((removed[i], added[j]))
    left_removed = [f for i, f in enumerate(removed) if i not in used_removed]
    left_added = [f for j, f in enumerate(added) if j not in used_added]
    return pairs, left_removed, left_added


def _similarity(was: Finding, now: Finding) -> float:
    score = fuzz.ratio(normalise_text(was.text), normalise_text(now.text))
    # The same finding moved to another unit is less likely than a rewording in place.
    return score if was.unit == now.unit else score - 10


def word_diff(before: str, after: str) -> WordDiff:
    """Word-level runs kept, removed and added between two wordings."""
    old, new = before.split(), after.split()
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("equal", "delete", "replace") and i2 > i1:
            segments.append(("equal" if op == "equal" else "delete", " ".join(old[i1:i2])))
        if op in ("insert", "replace") and j2 > j1:
            segments.append(("insert", " ".join(new[j1:j2])))
    return WordDiff(tuple(segments))


def _reworded(after: Assessment, was: Finding, now: Finding) -> Change:
    return replace(
        _change(after, ChangeKind.FINDING_REWORDED),
        unit=now.unit,
        unit_label=_unit_label(after, now.unit),
        before=was.text,
        after=now.text,
        finding_kind=now.kind,
        wording=word_diff(was.text, now.text),
    )


def _finding(after: Assessment, kind: ChangeKind, finding: Finding) -> Change:
    is_added = kind is ChangeKind.FINDING_ADDED
    return replace(
        _change(after, kind),
        unit=finding.unit,
        unit_label=_unit_label(after, finding.unit),
        before=None if is_added else finding.text,
        after=finding.text if is_added else None,
        finding_kind=finding.kind,
    )


def _unit_label(assessment: Assessment, unit: str) -> str:
    judgement = assessment.judgement(unit)
    return judgement.label if judgement else unit
