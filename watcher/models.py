"""Domain values: grades, judgements, findings, assessments and the changes between them.

Everything here is a frozen value. Conversion to and from the public JSON contract
(`watcher show URL --json`) lives here too, because it is part of what a value is;
reading and writing the database lives in `store`.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Grade(StrEnum):
    """A graded judgement, or one of the states that are not a point on the scale."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    ADEQUATE = "adequate"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"
    NOT_YET_GRADED = "not_yet_graded"
    UNGRADED = "ungraded"
    NOT_INSPECTED = "not_inspected"

    @property
    def rank(self) -> int | None:
        """Position on the scale (higher is better), or None for a state."""
        return _RANKS.get(self)

    @property
    def is_graded(self) -> bool:
        return self.rank is not None

    @property
    def label(self) -> str:
        """The grade as the inspectorate writes it: "Requires improvement"."""
        return self.value.replace("_", " ").capitalize()


_RANKS = {
    Grade.INADEQUATE: 0,
    Grade.REQUIRES_IMPROVEMENT: 1,
    Grade.ADEQUATE: 2,
    Grade.GOOD: 3,
    Grade.OUTSTANDING: 4,
}


class PageKind(StrEnum):
    """What sort of page an assessment was read from."""

    FORCE_PAGE = "force_page"  # PEEL 2014-2018/19 force page: pillar sentences
    PILLAR_PAGE = "pillar_page"  # PEEL 2015-2018/19 pillar sub-page: question blocks
    PEEL_REPORT = "peel_report"  # PEEL 2018/19 and 2021+ report: summary table
    LETTER = "letter"  # cause-of-concern and revisit letters
    ENGAGE = "engage"  # the forces in enhanced monitoring
    OVERVIEW = "overview"  # the all-force table
    FRS_SERVICE = "frs_service"  # fire and rescue service page
    FRS_TABLE = "frs_table"  # fire and rescue 2023-25 all-services table
    UNKNOWN = "unknown"

    @property
    def is_multi(self) -> bool:
        """Pages that hold one assessment per organisation (all-force tables, Engage)."""
        return self in (PageKind.ENGAGE, PageKind.OVERVIEW, PageKind.FRS_TABLE)


class FindingKind(StrEnum):
    AREA_FOR_IMPROVEMENT = "afi"
    CAUSE_OF_CONCERN = "cause_of_concern"
    RECOMMENDATION = "recommendation"
    PRACTICE = "practice"  # innovative / promising / notable practice: never alerted
    # A cause of concern a letter says is closed: recorded, never alerted itself (the
    # open cause of concern it replaces reads as resolved, and that is the alert).
    CLOSED_CAUSE_OF_CONCERN = "closed_cause_of_concern"

    @property
    def label(self) -> str:
        return _FINDING_LABELS[self]

    @property
    def alerts(self) -> bool:
        return self not in (FindingKind.PRACTICE, FindingKind.CLOSED_CAUSE_OF_CONCERN)


_FINDING_LABELS = {
    FindingKind.AREA_FOR_IMPROVEMENT: "Area for improvement",
    FindingKind.CAUSE_OF_CONCERN: "Cause of concern",
    FindingKind.RECOMMENDATION: "Recommendation",
    FindingKind.PRACTICE: "Practice",
    FindingKind.CLOSED_CAUSE_OF_CONCERN: "Closed cause of concern",
}


@dataclass(frozen=True)
class Judgement:
    """One graded unit: a pillar (`effectiveness`) or a question (`effectiveness/q2`)."""

    unit: str
    label: str
    grade: Grade
    last_updated: date | None = None
    # The year of the inspection whose judgement was carried over, e.g. "2017".
    carried_over_from: str | None = None


def normalise_text(text: str) -> str:
    """Text reduced to what matters for comparing findings: case, quotes, space, end dots."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_QUOTES).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(" .;,")


_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


@dataclass(frozen=True)
class Finding:
    """An area for improvement, cause of concern, recommendation or noted practice."""

    kind: FindingKind
    unit: str
    text: str

    @property
    def key(self) -> str:
        """Stable identity: the kind and unit plus the normalised text."""
        raw = f"{self.kind}\x1f{self.unit}\x1f{normalise_text(self.text)}"
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Reading:
    """One independent reading of a page's grades: where on the page, and what it gave.

    A 2021+ report states each grade twice (the summary block and the area's own
    section) and says how many it grades (the count sentence); each is a reading, and
    a page is trusted only when its readings agree.
    """

    source: str  # e.g. "summary table", "summary graphic", "area sections", "count sentence"
    grades: tuple[tuple[str, str], ...] = ()  # (unit, grade) pairs as this reading gave them
    count: int | None = None  # how many graded areas this reading says there are
    agreed: bool | None = None  # whether it agrees with the others; None when alone

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "grades": {unit: grade for unit, grade in self.grades},
            "count": self.count,
            "agreed": self.agreed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reading:
        grades = tuple((str(u), str(g)) for u, g in dict(data.get("grades") or {}).items())
        return cls(data["source"], grades, data.get("count"), data.get("agreed"))


@dataclass(frozen=True)
class Assessment:
    """Everything the watcher reads from one page, independent of its markup."""

    organisation: str  # force or service slug, "" for all-force pages
    cycle: str  # e.g. "peel-2017", "peel-2023-25", "" when unknown
    kind: PageKind
    url: str
    title: str = ""
    judgements: tuple[Judgement, ...] = ()
    findings: tuple[Finding, ...] = ()
    anomalies: tuple[str, ...] = ()
    # Enhanced-monitoring status where the page gives it, e.g. "engage", and what the
    # page says of it ("Entered Engage in 2023: ...").
    monitoring: str | None = None
    monitoring_note: str | None = None
    # The independent readings the grades were cross-checked against (`watcher show`).
    readings: tuple[Reading, ...] = ()
    # Why the page cannot be read reliably this time (readings disagree, a count that
    # does not match, a graphic with no text, ...): such a page is neither stored nor
    # compared, and the operator is told. None when it read well.
    unreadable: str | None = None

    def judgement(self, unit: str) -> Judgement | None:
        return next((j for j in self.judgements if j.unit == unit), None)

    @property
    def is_graded(self) -> bool:
        return any(j.grade.is_graded for j in self.judgements)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON contract of `watcher show --json`."""
        return {
            "organisation": self.organisation,
            "cycle": self.cycle,
            "kind": str(self.kind),
            "url": self.url,
            "title": self.title,
            "judgements": [_judgement_to_dict(j) for j in self.judgements],
            "findings": [
                {"kind": str(f.kind), "unit": f.unit, "text": f.text} for f in self.findings
            ],
            "anomalies": list(self.anomalies),
            "monitoring": self.monitoring,
            "monitoring_note": self.monitoring_note,
            "readings": [r.to_dict() for r in self.readings],
            "unreadable": self.unreadable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        return cls(
            organisation=data["organisation"],
            cycle=data["cycle"],
            kind=PageKind(data["kind"]),
            url=data["url"],
            title=data.get("title", ""),
            judgements=tuple(_judgement_from_dict(j) for j in data["judgements"]),
            findings=tuple(
                Finding(FindingKind(f["kind"]), f["unit"], f["text"]) for f in data["findings"]
            ),
            anomalies=tuple(data.get("anomalies", ())),
            monitoring=data.get("monitoring"),
            monitoring_note=data.get("monitoring_note"),
            readings=tuple(Reading.from_dict(r) for r in data.get("readings", ())),
            unreadable=data.get("unreadable"),
        )

    def content_hash(self) -> str:
        """Hash of the assessment's content: equal hashes mean nothing to compare.

        How the grades were cross-checked (`readings`) is not content: a page read the
        same way by a better parser hashes the same.
        """
        content = self.to_dict()
        del content["readings"], content["unreadable"]
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _judgement_to_dict(j: Judgement) -> dict[str, Any]:
    return {
        "unit": j.unit,
        "label": j.label,
        "grade": str(j.grade),
        "last_updated": j.last_updated.isoformat() if j.last_updated else None,
        "carried_over_from": j.carried_over_from,
    }


def _judgement_from_dict(data: dict[str, Any]) -> Judgement:
    updated = data.get("last_updated")
    return Judgement(
        unit=data["unit"],
        label=data["label"],
        grade=Grade(data["grade"]),
        last_updated=date.fromisoformat(updated) if updated else None,
        carried_over_from=data.get("carried_over_from"),
    )


class ChangeKind(StrEnum):
    GRADE = "grade"
    FINDING_ADDED = "finding_added"
    FINDING_RESOLVED = "finding_resolved"
    FINDING_REWORDED = "finding_reworded"
    REPORT_PUBLISHED = "report_published"
    MONITORING_ENTERED = "monitoring_entered"
    MONITORING_LEFT = "monitoring_left"
    # Page health, not inspection news: a page failing for `[alerts] unreachable_after`
    # runs in a row, and the same page readable again after such an alert.
    PAGE_UNREACHABLE = "page_unreachable"
    PAGE_REACHABLE = "page_reachable"
    # A page that answers but cannot be read reliably (a parsing reason, not the
    # network), and the same page read well again after such a note.
    PAGE_UNREADABLE = "page_unreadable"
    PAGE_READABLE = "page_readable"
    # A new item on a listing page (`[discover]`): announced once, with its own message.
    PUBLICATION_DISCOVERED = "publication_discovered"


class Direction(StrEnum):
    IMPROVED = "improved"
    DECLINED = "declined"
    FIRST = "first"  # a state (e.g. not yet graded) or nothing became a grade
    WITHDRAWN = "withdrawn"  # a grade became a state or disappeared
    CHANGED = "changed"  # one state became another


@dataclass(frozen=True)
class WordDiff:
    """A word-level wording diff: runs of words kept, removed or added."""

    segments: tuple[tuple[str, str], ...]  # (op, text), op in "equal", "delete", "insert"


@dataclass(frozen=True)
class Change:
    """One meaningful change on one page, with a deterministic id."""

    kind: ChangeKind
    url: str
    organisation: str
    cycle: str
    unit: str = ""
    unit_label: str = ""
    before: str | None = None
    after: str | None = None
    direction: Direction | None = None
    finding_kind: FindingKind | None = None
    wording: WordDiff | None = field(default=None, compare=False)
    # Which stored assessment this change was found against (its row id): the same
    # change found again after a crash has the same id, but a grade that moves back
    # and then moves again later is a new change.
    basis: str = ""
    # When `basis` is a reading from a web archive (`watcher backfill`): its capture
    # time, so the alert says "since the archived copy of <date>". Not part of the id.
    since_archived: str = field(default="", compare=False)

    @property
    def alerts(self) -> bool:
        """Whether this change is news: noted practice and closed causes of concern are not."""
        return self.finding_kind is None or self.finding_kind.alerts

    @property
    def id(self) -> str:
        """Same page, basis, kind, unit, before and after: same id, never alerted twice."""
        parts = [self.url, self.basis, self.kind, self.unit, self.before or "", self.after or ""]
        if self.finding_kind:
            parts.append(self.finding_kind)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Publication:
    """A new item found on a listing page, as its alert shows it.

    `organisations` are force slugs or `frs/<service>`; none means a national item.
    """

    url: str
    title: str
    kind: str  # a label: "Revisit letter"
    published: date | None = None
    organisations: tuple[str, ...] = ()
