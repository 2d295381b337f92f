"""The judgements block of a PEEL 2021+ report: each area of policing and its grade.

It sits under "Our judgments" or "We make graded judgments in eight of these nine as
follows:". Its markup is unconfirmed, so every way of pairing a label with a grade is
read: table rows (area, grade), a table with one column per grade, a definition list
or heading and grade pairs (the label, then the grade on its own), "Area: grade" lines,
and a grade followed by a list of its areas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.vocabulary import GRADE_PATTERN, grade_of

_START = re.compile(
    r"our judg(?:e)?ments|we make graded judg(?:e)?ments\b.{0,160}|(?:our )?graded judg(?:e)?ments",
    re.IGNORECASE,
)
_STATED = re.compile(r"graded judg(?:e)?ments (?:in|on) (\w+) of (?:these|the) (\w+)", re.I)
_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve"
_NUMBERS = {word: n for n, word in enumerate(_NUMBER_WORDS.split())}
# "Investigating crime: Adequate", "Responding to the public – good"
_INLINE = re.compile(
    rf"(?P<label>[^:–—]{{3,120}}?)\s*(?::|\s[–—-])\s*(?P<grade>{GRADE_PATTERN})\.?", re.I
)
# Blocks that may sit between the block's opening line and its first pair.
_MAX_LEAD = 3
_MAX_LABEL = 120
_MAX_GRADE = 30


@dataclass(frozen=True)
class AreaGrade:
    """One area of policing as the judgements block grades it."""

    label: str
    grade: Grade


@dataclass(frozen=True)
class JudgementsBlock:
    """The block's areas, the index just after it, and how many areas it says it grades."""

    areas: tuple[AreaGrade, ...]
    end: int
    stated_graded: int | None


def judgements_block(blocks: Sequence[Block]) -> JudgementsBlock:
    """The first judgements block on the page that grades any area (none: end 0).

    "Our judgments" may also be an entry of a contents list: such a start reads no area.
    """
    starts = (i for i, b in enumerate(blocks) if _START.fullmatch(b.text))
    for start in starts:
        block = _read_from(blocks, start)
        if block.areas:
            return block
    return JudgementsBlock((), 0, None)


def _read_from(blocks: Sequence[Block], start: int) -> JudgementsBlock:
    stated = _stated(blocks[start : start + _MAX_LEAD + 1])
    reader = _Reader(blocks)
    i, skipped = start + 1, 0
    while i < len(blocks):
        step = reader.read_at(i)
        if step == 0:
            if reader.areas or skipped >= _MAX_LEAD:
                break
            skipped, step = skipped + 1, 1
        i += step
    return JudgementsBlock(tuple(reader.areas), i, stated)


def _stated(head: Sequence[Block]) -> int | None:
    """M in "We make graded judgments in M of these N", in words or digits."""
    for block in head:
        match = _STATED.search(block.text)
        if match:
            word = match.group(1).lower()
            return int(word) if word.isdigit() else _NUMBERS.get(word)
    return None


class _Reader:
    """Reads area/grade pairs at a position, remembering a grade-per-column header."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = blocks
        self.areas: list[AreaGrade] = []
        self.columns: list[Grade | None] = []

    def read_at(self, i: int) -> int:
        """How many blocks from `i` belong to the block (0: none), adding their areas."""
        block = self.blocks[i]
        if block.kind is BlockKind.ROW:
            return self._row(block.cells)
        if match := _INLINE.fullmatch(block.text):
            return self._add(match.group("label"), grade_of(match.group("grade")), 1)
        following = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        grade = _grade_line(block)
        if grade and following is not None and following.kind is BlockKind.ITEM:
            return self._grade_then_items(i + 1, grade)
        if following is not None and grade is None and _is_label(block):
            return self._add(block.text, _grade_line(following), 2)
        return 0

    def _add(self, label: str, grade: Grade | None, step: int) -> int:
        label = label.strip().rstrip(":").strip()
        if grade is None or any(a.label == label for a in self.areas):
            return 0  # a label seen twice: the body's own headings and badges
        self.areas.append(AreaGrade(label, grade))
        return step

    def _row(self, cells: tuple[str, ...]) -> int:
        grades = [grade_of(cell) if len(cell) <= _MAX_GRADE else None for cell in cells]
        labels = [c for c, g in zip(cells, grades, strict=True) if c and g is None]
        if sum(g is not None for g in grades) >= 2 and not labels:
            self.columns = grades  # a header: one column per grade
            return 1
        if self.columns:
            for cell, grade in zip(cells, self.columns, strict=False):
                if cell and grade and grade_of(cell) is None:
                    self.areas.append(AreaGrade(cell, grade))
            return 1
        grade = next((g for g in grades if g), None)
        if grade and labels:
            return self._add(labels[0], grade, 1)
        return 0 if self.areas else 1  # a header row such as "Area | Grade"

    def _grade_then_items(self, start: int, grade: Grade) -> int:
        i = start
        while i < len(self.blocks) and self.blocks[i].kind is BlockKind.ITEM:
            self.areas.append(AreaGrade(self.blocks[i].text, grade))
            i += 1
        return i - start + 1


def _grade_line(block: Block) -> Grade | None:
    """A grade on its own (a badge, a definition, a list heading)."""
    return grade_of(block.text) if len(block.text) <= _MAX_GRADE else None


def _is_label(block: Block) -> bool:
    """A short line naming an area: no sentence, no list item or table row."""
    text = block.text
    return (
        block.kind in (BlockKind.HEADING, BlockKind.PARAGRAPH)
        and len(text) <= _MAX_LABEL
        and text[-1] not in ".:;,?"
    )
