"""Identity facts for the pages that are not one force's PEEL page or report.

The Engage list, the all-force overview table and cause-of-concern letters, known by
their address or else by their title; and the cycle a letter's text names ("our PEEL
2023–25 inspection"). `identity` turns these facts into a page identity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from watcher.catalogue import CYCLES, FORCE_ALIASES, FORCES, canonical_force
from watcher.models import PageKind
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.vocabulary import GRADED_PILLARS

ENGAGE_PATH = "/about-us/what-we-do/our-approach-to-monitoring-forces/police-forces-in-engage/"
_OVERVIEW = re.compile(r"/peel-assessments/peel-(20\d\d)/\?(?:.*&)?view=table\b.*")
_LETTER = re.compile(
    r"/publication-html/([a-z0-9-]*(?:cause-of-concern|revisit-letter)[a-z0-9-]*)/"
)
ENGAGE_TITLE = re.compile(r"(?:the )?police forces (?:currently )?in engage", re.IGNORECASE)
_LETTER_TITLE = re.compile(
    r".{0,80}\b(?:accelerated causes? of concern|causes? of concern\b.{0,40}\b(?:letter|revisit)"
    r"|revisit letter)\b.{0,80}",
    re.IGNORECASE,
)
_OVERVIEW_TITLE = re.compile(r".{0,40}\bpeel (20\d\d)\b.{0,60}", re.IGNORECASE)
_CYCLE_NAMED = re.compile(r"\bpeel:? (20\d\d)(?:\s?[/–—‑-]\s?(\d\d(?:\d\d)?))?\b", re.IGNORECASE)
_SLUGS = sorted(
    {*FORCES, *(alias for renames in FORCE_ALIASES.values() for alias in renames.values())},
    key=len,
    reverse=True,
)
_TITLE_BLOCKS = 4


class Publication(NamedTuple):
    kind: PageKind
    organisation: str  # "" for all-force pages, or a letter whose address names none
    cycle: str


def publication_at(path: str) -> Publication | None:
    """The Engage list, the overview table or a letter, by its path."""
    if path == ENGAGE_PATH:
        return Publication(PageKind.ENGAGE, "", "")
    match = _OVERVIEW.fullmatch(path)
    if match and f"peel-{match.group(1)}" in CYCLES:
        return Publication(PageKind.OVERVIEW, "", f"peel-{match.group(1)}")
    if match := _LETTER.fullmatch(path):
        return Publication(PageKind.LETTER, force_in_slug(match.group(1)) or "", "")
    return None


def force_in_slug(slug: str) -> str | None:
    """The force whose slug is a run of words in `slug` ("kent" in "kent-police-letter")."""
    padded = f"-{slug}-"
    found = next((s for s in _SLUGS if f"-{s}-" in padded), None)
    return canonical_force(found) if found else None


def publication_titled(head: Sequence[Block]) -> Publication | None:
    """The Engage list, a letter or the overview table, by the title at the top."""
    headings = [b for b in head if b.kind is BlockKind.HEADING][:_TITLE_BLOCKS]
    for block in headings:
        if ENGAGE_TITLE.fullmatch(block.text):
            return Publication(PageKind.ENGAGE, "", "")
        if _LETTER_TITLE.fullmatch(block.text):
            return Publication(PageKind.LETTER, "", "")
    return _overview_titled(head, headings)


def _overview_titled(head: Sequence[Block], headings: Sequence[Block]) -> Publication | None:
    """A "PEEL 2016" title over a table whose header names the pillars."""
    pillars = set(GRADED_PILLARS)
    has_table = any(
        b.kind is BlockKind.ROW and len(pillars & {c.lower() for c in b.cells}) >= 2 for b in head
    )
    for block in headings if has_table else ():
        match = _OVERVIEW_TITLE.fullmatch(block.text)
        if match and f"peel-{match.group(1)}" in CYCLES:
            return Publication(PageKind.OVERVIEW, "", f"peel-{match.group(1)}")
    return None


_CYCLE_BY_YEARS = {
    cycle.label.removeprefix("PEEL ").replace("–", "/"): key for key, cycle in CYCLES.items()
}


def cycle_named_in(text: str) -> str:
    """The cycle the text first names: "PEEL 2023–25" -> "peel-2023-25"; else ""."""
    for match in _CYCLE_NAMED.finditer(text):
        year, end = match.groups()
        years = f"{year}/{end[-2:]}" if end else year
        if years in _CYCLE_BY_YEARS:
            return _CYCLE_BY_YEARS[years]
    return ""
