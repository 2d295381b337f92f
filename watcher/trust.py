"""The check's trust rules: when a reading must not be believed this time. Pure.

`check` asks these before it stores or alerts anything. A reading the parser marks
`unreadable`, a page whose title names another force than the catalogue's for its
address, and a change set no single inspection could bring are never stored as what
the page says; the first two are "unreadable this time" (the operator is told why),
the last is held until a second run reads the same.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from watcher.catalogue import FORCES, canonical_force
from watcher.models import Assessment, Change, ChangeKind

# A title's leading organisation: "Kent PEEL 2017", "Kent Police – PEEL 2021/22",
# "Essex Police: integrated vulnerability". Cut at PEEL, a colon or a dash.
_TITLE_HEAD = re.compile(r"^(?P<head>.+?)\s*(?:\bPEEL\b|:|\s[–—-]\s)", re.IGNORECASE)
_FINDING_CHANGES = frozenset((ChangeKind.FINDING_ADDED, ChangeKind.FINDING_RESOLVED))


def distrust(organisation: str, assessments: Sequence[Assessment]) -> str | None:
    """Why this reading of a page cannot be trusted this time, or None when it can."""
    for assessment in assessments:
        if assessment.unreadable:
            return assessment.unreadable
    if len(assessments) == 1:
        return wrong_identity(organisation, assessments[0])
    return None


def wrong_identity(organisation: str, assessment: Assessment) -> str | None:
    """A page titled for another force than the one its address belongs to.

    Decided from the page's own title (its h1) only: a report may mention other
    forces anywhere in its text, and a publisher's slip naming the wrong force in the
    introduction (hmicfrs-pages.md §7) is an anomaly, not a different page. A title
    that names this force among others (a joint inspection) is this force's page.
    """
    if organisation not in FORCES or assessment.kind.is_multi:
        return None  # pages about no single force, and fire services naming their police
    named = {canonical_force(slug) for slug in title_forces(assessment.title)}
    if not named or canonical_force(organisation) in named:
        return None
    others = ", ".join(sorted(FORCES.get(slug, slug) for slug in named))
    return (
        f"the page is titled for {others}, but this address is "
        f"{FORCES[organisation]}'s (identity disagreement: wrong page at this address?)"
    )


def title_forces(title: str) -> list[str]:
    """The forces a page title names: in full anywhere, or by short name at its head."""
    # `parse` titles a page "<h1> — <its 'An inspection of …' line or pillar>": the
    # added part is introduction, not title.
    h1 = title.split(" — ", 1)[0].strip()
    from watcher.parse import force_named, forces_named_in  # only once a page was parsed

    named = forces_named_in(h1)
    head = _TITLE_HEAD.match(h1)
    for candidate in (h1, head.group("head") if head else ""):
        slug = force_named(candidate) if candidate else None
        if slug and slug not in named:
            named.append(slug)
    return named


def findings_changed(changes: Iterable[Change]) -> int:
    """How many findings a change set adds or removes."""
    return sum(1 for change in changes if change.kind in _FINDING_CHANGES)


def reading_digest(readings: Iterable[Assessment]) -> str:
    """One hash for a page's whole reading: the same content twice, the same digest."""
    joined = "\x1f".join(a.content_hash() for a in readings)
    return hashlib.sha256(joined.encode()).hexdigest()
