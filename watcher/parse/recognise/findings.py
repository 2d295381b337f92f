"""Areas for improvement, causes of concern, recommendations and practice, from blocks.

A finding section opens with a heading ("Areas for improvement", "Cause of concern",
"Recommendations", "Innovative practice", numbered or not, at any level) and runs over
the list items that follow. A nested list stays with its parent as one finding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from watcher.models import Finding, FindingKind
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.vocabulary import is_heading_like

_SECTION = re.compile(
    r"(?:(areas? for improvement)|(causes? of concern)|(recommendations?)"
    r"|((?:innovative|promising|notable|good) practice))(?:\s*\d{1,3})?\s*:?",
    re.IGNORECASE,
)
_KINDS = (
    FindingKind.AREA_FOR_IMPROVEMENT,
    FindingKind.CAUSE_OF_CONCERN,
    FindingKind.RECOMMENDATION,
    FindingKind.PRACTICE,
)
_TO_ADDRESS = re.compile(r"to address (?:this|these|the) causes? of concern\b", re.IGNORECASE)
_SHOULD = re.compile(r"^.{0,80}\bshould\b", re.IGNORECASE)


def section_kind(block: Block) -> FindingKind | None:
    """The kind of finding a heading such as "Area for improvement 2" introduces."""
    if block.kind in (BlockKind.ITEM, BlockKind.ROW) or len(block.text) > 40:
        return None
    match = _SECTION.fullmatch(block.text)
    if match is None:
        return None
    return next(kind for kind, group in zip(_KINDS, match.groups(), strict=True) if group)


def findings_in(blocks: Sequence[Block], start: int, end: int, unit: str) -> list[Finding]:
    """Every finding in blocks[start:end], all attached to `unit`."""
    found: list[Finding] = []
    i = start
    while i < end:
        kind = section_kind(blocks[i])
        if kind is None:
            i += 1
        elif kind is FindingKind.CAUSE_OF_CONCERN:
            i = _cause_of_concern(blocks, i + 1, end, unit, found)
        else:
            texts, i = _statements(blocks, i + 1, end, kind)
            found.extend(Finding(kind, unit, text) for text in texts)
    return found


def _statements(
    blocks: Sequence[Block], start: int, end: int, kind: FindingKind
) -> tuple[list[str], int]:
    """The list items after a section heading, or failing that its statement paragraphs."""
    texts, i = items(blocks, start, end)
    if texts:
        return texts, i
    while i < end and _is_statement(blocks[i], kind):
        texts.append(blocks[i].text)
        i += 1
    return texts, i


def _is_statement(block: Block, kind: FindingKind) -> bool:
    if block.kind is not BlockKind.PARAGRAPH or section_kind(block) or is_heading_like(block):
        return False
    return kind is FindingKind.PRACTICE or _SHOULD.match(block.text) is not None


def items(blocks: Sequence[Block], start: int, end: int) -> tuple[list[str], int]:
    """Consecutive list items; deeper items join their parent as "- " lines."""
    texts: list[str] = []
    top = 0
    i = start
    while i < end and blocks[i].kind is BlockKind.ITEM:
        item = blocks[i]
        top = top or item.level
        if item.level > top and texts:
            texts[-1] += f"\n- {item.text}"
        else:
            texts.append(item.text)
        i += 1
    return texts, i


def _cause_of_concern(
    blocks: Sequence[Block], start: int, end: int, unit: str, found: list[Finding]
) -> int:
    """A cause of concern paragraph, then "To address this cause of concern ..." bullets.

    Written as a list instead (a cause an item, or several causes under "Causes of
    concern"), each item is a cause.
    """
    causes, i = items(blocks, start, end)
    found.extend(Finding(FindingKind.CAUSE_OF_CONCERN, unit, text) for text in causes)
    paragraphs: list[str] = []
    while i < end and not causes and _is_cause_text(blocks[i]):
        paragraphs.append(blocks[i].text)
        i += 1
    if paragraphs:
        found.append(Finding(FindingKind.CAUSE_OF_CONCERN, unit, "\n".join(paragraphs)))
    if i < end and _TO_ADDRESS.match(blocks[i].text):
        lead = blocks[i].text
        texts, i = items(blocks, i + 1, end)
        for text in texts or [lead]:
            found.append(Finding(FindingKind.RECOMMENDATION, unit, text))
    return i


def _is_cause_text(block: Block) -> bool:
    return (
        block.kind is BlockKind.PARAGRAPH
        and not _TO_ADDRESS.match(block.text)
        and not is_heading_like(block)
        and section_kind(block) is None
    )
