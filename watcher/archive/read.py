"""One archived capture read as a watched page would be: fully, with anomalies, or not. Pure.

The same rules as a live check: a capture the parser cannot read reliably (the
parser says so, its bounds cut the page, a graded page with no grades, a body cut
short or broken when the previous capture was fine, a page of no known kind) is not
a reading of the page; it is counted, so the archive tests the parser on real markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from watcher.catalogue import SERVICE_PREFIX, Page, page_path
from watcher.diff import GRADED_KINDS, looks_broken
from watcher.fetch import damage
from watcher.models import Assessment, PageKind
from watcher.parse import TRUNCATED, parse_all

FULL, ANOMALIES, UNREADABLE = "full", "anomalies", "unreadable"


@dataclass(frozen=True)
class CaptureReading:
    """What a capture said: its outcome, why it was unreadable, the readings to store."""

    outcome: str  # FULL, ANOMALIES or UNREADABLE
    readings: tuple[tuple[str, Assessment], ...] = ()  # (subject, assessment), as check stores
    reason: str = ""


def read_capture(
    page: Page, body: bytes, previous: tuple[bytes, Assessment] | None = None
) -> CaptureReading:
    """Parse a capture as the watched page; `previous` is the page's last good capture."""
    if why := damage(body, previous[0] if previous else None):
        return CaptureReading(UNREADABLE, reason=why)
    assessments = parse_all(body, page.url)
    if why := _unreliable(assessments, previous[1] if previous else None):
        return CaptureReading(UNREADABLE, reason=why)
    multi = assessments[0].kind.is_multi
    readings = tuple((a.organisation if multi else "", a) for a in assessments)
    anomalous = any(a.anomalies for a in assessments)
    return CaptureReading(ANOMALIES if anomalous else FULL, readings)


def _unreliable(assessments: list[Assessment], previous: Assessment | None) -> str:
    """Why these assessments cannot be trusted as the page's reading, or ""."""
    if not assessments:
        return "nothing recognisable on the page (an error or maintenance page?)"
    for assessment in assessments:
        if assessment.unreadable:
            return assessment.unreadable
        if TRUNCATED in assessment.anomalies:
            return f"{TRUNCATED} (read only in part)"
    first = assessments[0]
    if first.kind is PageKind.UNKNOWN and not (first.judgements or first.findings):
        return "not a page of any known kind (an error or maintenance page?)"
    if first.kind in GRADED_KINDS and not first.judgements:
        # A graded page's copy with no grades at all is an error or holding page.
        return "no grades found on a graded page (an error or maintenance page?)"
    if len(assessments) == 1 and looks_broken(previous, first):
        return "no grades found on a page whose previous capture had them"
    return ""


def family(page: Page) -> str:
    """The page's family for the report: its path with the organisation's slug as a blank.

    `/peel-assessments/peel-2016/kent/effectiveness/` → `/peel-assessments/peel-2016/
    {force}/effectiveness/`; `/peel-reports/kent-2021-22/` → `/peel-reports/{force}-2021-22/`.
    """
    path = page_path(page.url)
    if not page.organisation:
        return path
    is_service = page.organisation.startswith(SERVICE_PREFIX)
    slug = page.organisation.removeprefix(SERVICE_PREFIX)
    blank = "{service}" if is_service else "{force}"
    parts = []
    for segment in path.split("/"):
        if segment == slug:
            segment = blank
        elif segment.startswith(slug + "-"):
            segment = blank + segment[len(slug) :]
        parts.append(segment)
    return "/".join(parts)
