"""What a page's new reading says against the stored ones: new, published, changed,
unchanged, or a reason it cannot be a reading of the same page this time.

`check` calls `read` once per page it parsed. All-force pages (one assessment per
organisation) are compared per organisation; an organisation gone from a monitoring
list is compared as having left it. A comparison that would say anything is made again
against the stored page read by this version's parser (`basis.Rereader`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from watcher.models import Assessment, Change
from watcher.store import Store


@dataclass(frozen=True)
class Reading:
    """A page's assessments compared with the stored ones."""

    status: str  # "new", "published", "changed" or "unchanged"
    changes: tuple[Change, ...]
    page: Assessment | None  # the page as a whole, for the "now watching" note
    readings: list[tuple[str, Assessment]]  # (subject, assessment) pairs to store


def read(
    url: str, assessments: Sequence[Assessment], store: Store, *, seen_absent: bool
) -> Reading | str:
    """Compare each of a page's assessments with the stored one, or say why the page
    must count as failed this time."""
    from watcher.diff import published
    from watcher.parse import TRUNCATED as PARTLY_READ

    if any(PARTLY_READ in a.anomalies for a in assessments):
        # The parser's bounds cut the page: what was left out would read as resolved.
        return f"{PARTLY_READ} (read only in part, so compared with nothing)"
    known = store.subjects(url)
    was_multi = bool(known) and known != [""]
    # An all-force page that lists nobody (the last force left Engage) reads as [].
    multi = assessments[0].kind.is_multi if assessments else was_multi
    if not (assessments or multi) or (known and was_multi != multi):
        return "the page no longer reads as the same kind of page (maintenance or error page?)"
    readings = [(a.organisation if multi else "", a) for a in assessments]
    if multi:
        readings += _departed(url, store, known, {subject for subject, _ in readings})
    first = readings[0][1] if readings else None
    if first and multi:
        # The page as a whole, for the "now watching" note, not its first organisation:
        # all-force readers title each entry "<page title> — <organisation>".
        first = Assessment("", first.cycle, first.kind, url, first.title.rsplit(" — ", 1)[0])
    if not known:
        status = "published" if seen_absent else "new"
        found = [c for _, a in readings for c in published(a)] if seen_absent else []
        return Reading(status, tuple(found), first, readings)
    changes = _compare(url, store, readings, multi)
    if isinstance(changes, str):
        return changes
    return Reading("changed" if changes else "unchanged", tuple(changes), first, readings)


def _compare(
    url: str, store: Store, readings: list[tuple[str, Assessment]], multi: bool
) -> list[Change] | str:
    """Each reading's changes since the stored one, or why this reading cannot be trusted.

    A comparison that would say anything is made again against the stored page read
    by this version's parser (`basis.Rereader`): a parser's change is not news.
    """
    from watcher.basis import Rereader

    rereader = Rereader(url, store, multi)
    changes: list[Change] = []
    for subject, after in readings:
        latest = store.latest_reading(url, subject)
        empty = replace(after, judgements=(), findings=(), monitoring=None, monitoring_note=None)
        basis, before = latest or (0, empty)
        found = _verdict(before, after)
        if latest and found:
            again = rereader.basis(basis, subject, before)
            found = found if again is before else _verdict(again, after)
        if isinstance(found, str):
            return found
        # Compared with a web archive's copy (`watcher backfill`): the alert says so.
        archived = store.archived_date(basis) if latest else ""
        changes += [replace(c, basis=str(basis), since_archived=archived) for c in found]
    return changes


def _verdict(before: Assessment, after: Assessment) -> list[Change] | str:
    """The changes from `before` to `after`, or why `after` cannot be a reading of it."""
    from watcher.diff import diff, looks_broken, vanished_grades

    if looks_broken(before, after):
        return "no grades found on a page that had them (maintenance or error page?)"
    if missing := vanished_grades(before, after):
        return f"grades missing from the page: {', '.join(missing)} (broken template?)"
    return diff(before, after)


def _departed(
    url: str, store: Store, known: Sequence[str], present: set[str]
) -> list[tuple[str, Assessment]]:
    """Organisations gone from a monitoring list: they have left enhanced monitoring."""
    gone = []
    for subject in known:
        before = store.latest_assessment(url, subject)
        if subject not in present and before and before.monitoring:
            gone.append((subject, replace(before, monitoring=None, monitoring_note=None)))
    return gone
