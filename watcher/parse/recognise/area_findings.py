"""Findings in PEEL 2021+ reports and in letters: numbered headings, lead-ins, practice.

A section opens with a heading at any level, or a bold paragraph: "Area(s) for
improvement", "Cause(s) of concern", "Accelerated cause of concern",
"Recommendation(s)", or "Innovative / Promising / Notable practice", with an optional
number ("Area for improvement 2") and subject ("Cause of concern: responding to the
public"). What follows is read by kind:

- areas for improvement and recommendations: list items (a nested list stays with its
  parent), the items after a lead-in ending in ":" ("Within three months, the force
  should:"), or else statement paragraphs ("The force should ..."); under a numbered
  heading its first paragraph, whatever its wording;
- a cause of concern: its paragraphs, then the recommendations its lead-in introduces
  ("To address this cause of concern ...", "Within three months, the force should ...");
- practice: an optional title, then its paragraphs, as one finding (never alerted).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Finding, FindingKind
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.findings import items
from watcher.parse.recognise.vocabulary import is_heading_like

_HEADING = re.compile(
    r"(?:(?P<concern>(?:accelerated )?causes? of concern)|(?P<afi>areas? for improvement)"
    r"|(?P<recommendation>recommendations?)|(?P<practice>(?:innovative|promising|notable|good)"
    r" practice))(?P<number>\s+\d{1,3})?(?:\s*[:–—-]\s*(?P<subject>[^.?!:]{3,80}?))?\s*:?",
    re.IGNORECASE,
)
_KINDS = {
    "concern": FindingKind.CAUSE_OF_CONCERN,
    "afi": FindingKind.AREA_FOR_IMPROVEMENT,
    "recommendation": FindingKind.RECOMMENDATION,
    "practice": FindingKind.PRACTICE,
}
# What introduces a cause of concern's recommendations.
_LEAD = re.compile(
    r"(?:to address (?:this|these|the) causes? of concern|we recommend\b"
    r"|within (?:\w+ ){1,3}(?:days?|weeks?|months?)\b)",
    re.IGNORECASE,
)
_STATEMENT = re.compile(r"^.{0,100}\b(?:should|must|needs? to)\b", re.IGNORECASE)
_NOT_PROSE = (BlockKind.ITEM, BlockKind.ROW)
_FIRST_LETTERS = frozenset("acrinpgACRINPG")


@dataclass(frozen=True)
class FindingHeading:
    """A heading that opens a finding section."""

    kind: FindingKind
    subject: str  # "responding to the public" in "Cause of concern: responding to ..."
    numbered: bool


def finding_heading(block: Block) -> FindingHeading | None:
    """The finding section a heading such as "Area for improvement 2" opens, if any."""
    text = block.text
    if text[:1] not in _FIRST_LETTERS or block.kind in _NOT_PROSE or len(text) > 120:
        return None  # the first letter rules out most blocks cheaply
    match = _HEADING.fullmatch(text)
    if match is None:
        return None
    kind = next(_KINDS[name] for name in _KINDS if match.group(name))
    return FindingHeading(kind, (match.group("subject") or "").strip(), bool(match["number"]))


def area_findings(blocks: Sequence[Block], start: int, end: int, unit: str) -> list[Finding]:
    """Every finding in blocks[start:end], all attached to `unit`."""
    found: list[Finding] = []
    i = start
    while i < end:
        heading = finding_heading(blocks[i])
        if heading is None:
            i += 1
            continue
        read, i = read_section(blocks, i + 1, end, heading)
        found.extend(Finding(kind, unit, text) for kind, text in read)
    return found


Read = list[tuple[FindingKind, str]]


def read_section(
    blocks: Sequence[Block], start: int, end: int, heading: FindingHeading
) -> tuple[Read, int]:
    """The findings of one section, and where the section ends."""
    if heading.kind is FindingKind.CAUSE_OF_CONCERN:
        return _cause_of_concern(blocks, start, end)
    if heading.kind is FindingKind.PRACTICE:
        texts, i = _practice(blocks, start, end)
    else:
        texts, i = _statements(blocks, start, end, heading.numbered)
    return [(heading.kind, text) for text in texts], i


def _cause_of_concern(blocks: Sequence[Block], start: int, end: int) -> tuple[Read, int]:
    """Its paragraphs, or its list (each item a cause); then the recommendations' lead."""
    causes, i = items(blocks, start, end)
    read: Read = [(FindingKind.CAUSE_OF_CONCERN, text) for text in causes]
    paragraphs: list[str] = []
    while not causes and i < end and _is_prose(blocks[i]) and not _is_lead(blocks, i, end):
        paragraphs.append(blocks[i].text)
        i += 1
    if paragraphs:
        read.append((FindingKind.CAUSE_OF_CONCERN, "\n".join(paragraphs)))
    if i < end and _is_lead(blocks, i, end):
        texts, i = _statements(blocks, i, end, numbered=True)
        read.extend((FindingKind.RECOMMENDATION, text) for text in texts)
    return read, i


def _is_lead(blocks: Sequence[Block], i: int, end: int) -> bool:
    """A paragraph introducing recommendations, or any paragraph ending ":" before a list."""
    block = blocks[i]
    if block.kind is not BlockKind.PARAGRAPH:
        return False
    return _LEAD.match(block.text) is not None or _is_lead_in(blocks, i, end)


def _is_lead_in(blocks: Sequence[Block], i: int, end: int) -> bool:
    """A paragraph ending ":" right before a list ("Within three months, the force should:")."""
    return (
        i + 1 < end
        and blocks[i].kind is BlockKind.PARAGRAPH
        and blocks[i].text.endswith(":")
        and blocks[i + 1].kind is BlockKind.ITEM
    )


def _statements(
    blocks: Sequence[Block], start: int, end: int, numbered: bool
) -> tuple[list[str], int]:
    """List items, a lead-in's items, or statement paragraphs (under a numbered heading,
    the first paragraph whatever its wording)."""
    i = start + 1 if _is_lead_in(blocks, start, end) else start
    texts, i = items(blocks, i, end)
    if texts:
        return texts, i
    while i + 1 < end and _is_title(blocks[i]) and _is_prose(blocks[i + 1]):
        # A statement in bold (or with no full stop), then its explanation paragraph.
        texts.append(blocks[i].text)
        i += 2
    if texts:
        return texts, i
    while i < end and _is_prose(blocks[i]):
        if not (numbered and not texts) and not _STATEMENT.match(blocks[i].text):
            break
        texts.append(blocks[i].text)
        i += 1
    return texts, i


def _practice(blocks: Sequence[Block], start: int, end: int) -> tuple[list[str], int]:
    """Items each a practice, or else one practice: a title and its paragraphs."""
    texts, i = items(blocks, start, end)
    if texts:
        return texts, i
    lines: list[str] = []
    if i + 1 < end and _is_title(blocks[i]) and _is_prose(blocks[i + 1]):
        lines.append(blocks[i].text)
        i += 1
    while i < end and _is_prose(blocks[i]):
        lines.append(blocks[i].text)
        i += 1
    return (["\n".join(lines)] if lines else []), i


def _is_title(block: Block) -> bool:
    return is_heading_like(block) and finding_heading(block) is None


def _is_prose(block: Block) -> bool:
    """A paragraph of a finding: not a heading, list item, table row or section opener."""
    return (
        block.kind is BlockKind.PARAGRAPH
        and not is_heading_like(block)
        and finding_heading(block) is None
    )
