"""A page's stored versions side by side: what `watcher diff` shows to explain an alert.

Versions are the page's rows in the assessments table, numbered from 1 (the oldest).
Grades are set side by side per unit; findings are compared by `watcher.diff`, so a
reworded one comes with its word diff. Read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from watcher.catalogue import page_path
from watcher.diff import diff
from watcher.models import Assessment, Change, Grade, Judgement
from watcher.store.queries import FINDING_CHANGES
from watcher.store.state import Store


@dataclass(frozen=True)
class StoredVersion:
    """One stored assessment of a page, numbered from 1 (the oldest)."""

    number: int
    fetched_at: str
    assessment: Assessment


@dataclass(frozen=True)
class GradeRow:
    """One unit's grade in two versions of a page."""

    unit: str
    label: str
    before: Grade | None
    after: Grade | None

    @property
    def changed(self) -> bool:
        return self.before is not self.after


@dataclass(frozen=True)
class Comparison:
    """Two stored versions of a page: grades side by side, findings' changes."""

    before: StoredVersion
    after: StoredVersion
    grades: tuple[GradeRow, ...]
    findings: tuple[Change, ...]


def stored_url(db: sqlite_utils.Database, url: str) -> str | None:
    """The stored page `url` names: the same URL, or the same page path on any host."""
    if list(db.query("select 1 from pages where url = ?", [url])):
        return url
    wanted = page_path(url)
    for row in db.query("select url from pages order by url"):
        if page_path(row["url"]) == wanted:
            return str(row["url"])
    return None


def page_subjects(db: sqlite_utils.Database, url: str) -> list[str]:
    """The organisations an all-force page holds assessments of ("" for a one-force page)."""
    return Store(db).subjects(url)


def stored_versions(db: sqlite_utils.Database, url: str, subject: str = "") -> list[StoredVersion]:
    """Every stored assessment of a page, oldest first, numbered from 1."""
    return [
        StoredVersion(number, fetched_at, assessment)
        for number, (fetched_at, assessment) in enumerate(
            Store(db).assessments(url, subject), start=1
        )
    ]


def compare(before: StoredVersion, after: StoredVersion) -> Comparison:
    """Grades per unit side by side, and the findings' changes with their word diffs. Pure."""
    old = {j.unit: j for j in before.assessment.judgements}
    new = {j.unit: j for j in after.assessment.judgements}
    units = list(new) + [u for u in old if u not in new]
    grades = tuple(
        GradeRow(
            unit,
            (new.get(unit) or old[unit]).label,
            _grade(old.get(unit)),
            _grade(new.get(unit)),
        )
        for unit in units
    )
    changes = diff(before.assessment, after.assessment)
    return Comparison(before, after, grades, tuple(c for c in changes if c.kind in FINDING_CHANGES))


def _grade(judgement: Judgement | None) -> Grade | None:
    return judgement.grade if judgement else None


def pick_versions(
    versions: Sequence[StoredVersion], older: int | None, newer: int | None
) -> tuple[StoredVersion, StoredVersion]:
    """Versions `older` and `newer` (numbered from 1); by default the last two.

    Raises ValueError, naming the allowed range, for a number that is not stored.
    """
    if not versions:
        raise ValueError("no assessment of this page is stored yet")
    newer = len(versions) if newer is None else newer
    older = max(newer - 1, 1) if older is None else older
    for number in (older, newer):
        if not 1 <= number <= len(versions):
            raise ValueError(f"version {number} is not stored: versions are 1 to {len(versions)}")
    return versions[older - 1], versions[newer - 1]
