"""The Engage list and the PEEL overview table: one assessment per force they list.

Readers for `parse`'s all-force registry: (blocks, url, page title) -> assessments. A
page that lists no force gives none; a page that cannot be read as its kind (a
maintenance or error page at its address) gives one UNKNOWN assessment with an anomaly,
so that the pipeline counts it as unreadable rather than as every force leaving.
"""

from __future__ import annotations

from collections.abc import Sequence

from watcher.catalogue import FORCES, page_path
from watcher.models import Assessment, PageKind
from watcher.parse.blocks import Block
from watcher.parse.recognise.engage import (
    EMPTY_UNEXPLAINED,
    ENGAGE,
    engage_entries,
    says_nobody,
)
from watcher.parse.recognise.overview import overview_grades
from watcher.parse.recognise.publications import publication_at, publication_titled

_HEAD_BLOCKS = 20


def read_engage_page(blocks: Sequence[Block], url: str, title: str) -> list[Assessment]:
    """One ENGAGE assessment per force in Engage, with when it entered and why."""
    entries = engage_entries(blocks)
    if entries is None:
        return [_unreadable(PageKind.ENGAGE, url, title)]
    if not entries and not says_nobody(blocks):
        # Not "every force left": unreadable this time, and the operator told why.
        return [Assessment("", "", PageKind.ENGAGE, url, title, unreadable=EMPTY_UNEXPLAINED)]
    return [
        Assessment(
            organisation=entry.organisation,
            cycle="",
            kind=PageKind.ENGAGE,
            url=url,
            title=_titled(title, entry.organisation),
            monitoring=ENGAGE,
            monitoring_note=entry.note,
        )
        for entry in entries
    ]


def read_overview_page(blocks: Sequence[Block], url: str, title: str) -> list[Assessment]:
    """One OVERVIEW assessment per force, with its pillar grades; cycle from the address."""
    forces = overview_grades(blocks)
    if forces is None:
        return [_unreadable(PageKind.OVERVIEW, url, title)]
    cycle = _overview_cycle(blocks, url)
    return [
        Assessment(
            organisation=force.organisation,
            cycle=cycle,
            kind=PageKind.OVERVIEW,
            url=url,
            title=_titled(title, force.organisation),
            judgements=force.judgements(),
        )
        for force in forces
    ]


def _overview_cycle(blocks: Sequence[Block], url: str) -> str:
    try:
        found = publication_at(page_path(url)) or publication_titled(blocks[:_HEAD_BLOCKS])
    except ValueError:
        found = publication_titled(blocks[:_HEAD_BLOCKS])
    return found.cycle if found else ""


def _titled(title: str, organisation: str) -> str:
    """The page's title and the force, as the fire and rescue table titles a service."""
    name = FORCES.get(organisation, organisation)
    return f"{title} — {name}" if title else name


def _unreadable(kind: PageKind, url: str, title: str) -> Assessment:
    anomaly = f"not readable as the {kind} page (maintenance or error page?)"
    return Assessment("", "", PageKind.UNKNOWN, url, title, anomalies=(anomaly,))
