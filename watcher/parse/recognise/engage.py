"""The "Police forces in Engage" page: the forces under enhanced monitoring.

Each force in Engage has an entry: its name as a heading, "Entered Engage" with when
(a year, or a month and year, on the same line or the next), "Reasons" with a list of
reasons, and "Related report". A force that is not listed is not in Engage: the
pipeline reads a force vanishing from the page as leaving it. Entries under a
"previously in Engage" heading, or saying "Moved out of Engage", are not counted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.findings import items
from watcher.parse.recognise.identity import force_named
from watcher.parse.recognise.publications import ENGAGE_TITLE
from watcher.parse.recognise.vocabulary import is_heading_like

ENGAGE = "engage"
# A heading that ends the current list: "Police forces previously in Engage".
_PREVIOUSLY = re.compile(r".{0,40}\b(?:previously in|moved out of|left) engage\b.{0,40}", re.I)
# An entry's own label saying the force is out: "Moved out of Engage".
_MOVED_OUT = re.compile(r"(?:moved out of|left) engage\b.{0,40}", re.IGNORECASE)
_ENTERED = re.compile(r"entered engage\b(?:\s*(?:in|on|:)\s*|\s+)?(?P<when>.{0,40})", re.I)
_REASONS = re.compile(r"(?:the )?reasons?(?: for (?:entering )?engage)?\s*:?", re.IGNORECASE)
# "Reasons: Concerns about how the constabulary responds to the public."
_REASONS_INLINE = re.compile(
    r"(?:the )?reasons?(?: for (?:entering )?engage)?\s*:\s*(?P<text>\S.*)", re.IGNORECASE
)
_RELATED = re.compile(r"related reports?\b\s*:?\s*(?P<title>.{0,200})", re.IGNORECASE)
_MAX_REASONS = 240
# The page saying in words that nobody is in Engage: "There are currently no forces in
# Engage", "No police force is in Engage at the moment".
_NOBODY = re.compile(
    r"\bno (?:police )?forces?\b(?: (?:are|is))?(?: currently| now)? (?:in|under) "
    r"(?:the )?engage\b",
    re.IGNORECASE,
)
EMPTY_UNEXPLAINED = (
    "the Engage page lists no force and does not say that none is in Engage "
    "(a placeholder or a layout not recognised?)"
)


@dataclass(frozen=True)
class EngageEntry:
    """One force's entry on the Engage page."""

    organisation: str
    entered: str
    reasons: tuple[str, ...]
    related_report: str

    @property
    def note(self) -> str:
        """The note: "Entered Engage in <when>: <reasons, short>" and the related report."""
        head = f"Entered Engage in {self.entered}" if self.entered else "In Engage"
        note = f"{head}: {_short(self.reasons)}" if self.reasons else head
        if not self.related_report:
            return note
        return f"{note.rstrip('.')}. Related report: {self.related_report}"


def engage_entries(blocks: Sequence[Block]) -> list[EngageEntry] | None:
    """The forces in Engage, in page order; None when the page is not the Engage list."""
    end = next((i for i, b in enumerate(blocks) if _is_previously(b)), len(blocks))
    starts = [(i, slug) for i in range(end) if (slug := _force_heading(blocks[i]))]
    entries: list[EngageEntry] = []
    stops = [start for start, _ in starts[1:]] + [end] if starts else []
    for (start, slug), stop in zip(starts, stops, strict=True):
        entry = _entry(blocks[start + 1 : stop], slug)
        if entry and all(e.organisation != slug for e in entries):
            entries.append(entry)
    if entries or any(ENGAGE_TITLE.fullmatch(b.text) for b in blocks[:end]):
        return entries
    return None


def says_nobody(blocks: Sequence[Block]) -> bool:
    """Whether the page says in words that no force is in Engage now.

    An empty list alone may be a placeholder or a redesign the reader does not know:
    only these words make it "everyone has left". The "previously in Engage" part
    does not count.
    """
    end = next((i for i, b in enumerate(blocks) if _is_previously(b)), len(blocks))
    return any(_NOBODY.search(b.text) for b in blocks[:end])


def _is_previously(block: Block) -> bool:
    return block.kind is BlockKind.HEADING and _PREVIOUSLY.fullmatch(block.text) is not None


def _force_heading(block: Block) -> str | None:
    if not is_heading_like(block) or len(block.text) > 60:
        return None
    return force_named(block.text)


def _entry(blocks: Sequence[Block], organisation: str) -> EngageEntry | None:
    """An entry's facts; None for text that is not an entry, or a force that moved out."""
    if any(_MOVED_OUT.fullmatch(b.text) for b in blocks):
        return None
    entered = related = ""
    reasons: list[str] = []
    is_entry = False
    for i, block in enumerate(blocks):
        if match := _ENTERED.fullmatch(block.text):
            entered, is_entry = _value(match.group("when"), blocks, i), True
        elif _REASONS.fullmatch(block.text):
            reasons, is_entry = _reasons(blocks, i + 1), True
        elif match := _REASONS_INLINE.fullmatch(block.text):
            reasons, is_entry = [match.group("text")], True
        elif match := _RELATED.fullmatch(block.text):
            related = _value(match.group("title"), blocks, i)
    if not is_entry:
        return None
    return EngageEntry(organisation, entered, tuple(reasons), related)


def _value(inline: str, blocks: Sequence[Block], i: int) -> str:
    """A label's value: on its own line ("Entered Engage: 2019") or the next block's."""
    value = inline.strip().rstrip(".")
    if value or i + 1 >= len(blocks):
        return value
    following = blocks[i + 1]
    if _is_label(following):
        return ""
    return following.text.strip().rstrip(".")


def _is_label(block: Block) -> bool:
    labels = (_ENTERED, _REASONS, _REASONS_INLINE, _RELATED)
    return any(p.fullmatch(block.text) for p in labels)


def _reasons(blocks: Sequence[Block], start: int) -> list[str]:
    """The reasons listed after "Reasons", or its paragraphs up to the next label."""
    listed, _ = items(blocks, start, len(blocks))
    if listed:
        return listed
    paragraphs = []
    for block in blocks[start:]:
        if _is_label(block) or block.kind is not BlockKind.PARAGRAPH:
            break
        paragraphs.append(block.text)
    return paragraphs


def _short(reasons: Sequence[str]) -> str:
    """Each reason's first sentence, joined, cut at a word near `_MAX_REASONS`."""
    firsts = [re.split(r"(?<=[.!?])\s+", r.split("\n", 1)[0], maxsplit=1)[0] for r in reasons]
    text = "; ".join(f.rstrip(" .;") for f in firsts if f) + "."
    if len(text) <= _MAX_REASONS:
        return text
    return text[:_MAX_REASONS].rsplit(" ", 1)[0].rstrip(" ,;") + "…"
