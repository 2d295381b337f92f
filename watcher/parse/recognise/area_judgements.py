"""The judgements block of a PEEL 2021+ report: each area of policing and its grade.

It sits under "Our judgments" or "We make graded judgments in eight of these nine as
follows:". Its markup is unconfirmed, so every way of pairing a label with a grade is
read: table rows (area, grade), a table with one column per grade, a grade followed by
a list of its areas, and lines (`summary_lines`: headings, paragraphs or a graphic's
text, as label-grade pairs, grade-first groups or "Area: grade" lines). What the
block is written as names its reading ("summary table", "summary graphic", ...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.areas import is_known_area
from watcher.parse.recognise.summary_lines import Line, classify, read_run
from watcher.parse.recognise.vocabulary import grade_of

# A heading opening the block; the count sentence opens it too (no heading, 2021/22).
_OPENING = re.compile(
    r"(?:our |the )?(?:graded )?judg(?:e)?ments|summary of (?:our )?judg(?:e)?ments"
    r"|we make graded judg(?:e)?ments\b.{0,160}",
    re.IGNORECASE,
)
_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve"
_A_NUMBER = rf"(?:\d+|{'|'.join(_NUMBER_WORDS.split())})\b"
# "We make graded judgments in eight of these nine as follows", "... in nine of these,
# as follows", "... in 8 of these 9", "We graded eight of these nine areas".
_COUNT = re.compile(
    rf"(?:graded judg(?:e)?ments? (?:in|on|for)|\bgraded) (?P<m>{_A_NUMBER}) of"
    rf" (?:these|the|them)\b(?: (?P<n>{_A_NUMBER}))?",
    re.IGNORECASE,
)
_TOTAL = re.compile(r"\bin (\w+) areas of policing", re.IGNORECASE)
_NUMBERS = {word: n for n, word in enumerate(_NUMBER_WORDS.split())}
# Blocks that may sit between the block's opening line and its first pair.
_MAX_LEAD = 3
_MAX_GRADE = 30


@dataclass(frozen=True)
class AreaGrade:
    """One area of policing as the judgements block grades it."""

    label: str
    grade: Grade


@dataclass(frozen=True)
class JudgementsBlock:
    """The block's areas, where it opens and ends, and how many areas it says it grades.

    With no area read, `start` is the count sentence (or opening heading) if the page
    has one (the block is there but its layout unknown, or a graphic with no text),
    else -1; `end` is just after it (0 when there is none).
    """

    areas: tuple[AreaGrade, ...]
    end: int
    stated_graded: int | None
    start: int = -1
    source: str = "summary"
    stated_total: int | None = None


def judgements_block(blocks: Sequence[Block]) -> JudgementsBlock:
    """The first judgements block on the page that grades any area.

    "Our judgments" may also be an entry of a contents list: such a start reads no area.
    """
    starts = [i for i, b in enumerate(blocks) if _opens(b)]
    for start in starts:
        block = _read_from(blocks, start)
        if block.areas:
            return block
    counted = [i for i in starts if _COUNT.search(blocks[i].text)] or starts
    if not counted:
        return JudgementsBlock((), 0, None)
    start = counted[0]
    graded, total = _stated(blocks[start : start + _MAX_LEAD + 1])
    return JudgementsBlock((), start + 1, graded, start, stated_total=total)


def _opens(block: Block) -> bool:
    text = block.text
    if _OPENING.fullmatch(text):
        return True
    # Both ways of writing the count say "graded": a scan for it first spares the
    # search (its alternation is tried at every position) on all the other blocks.
    return len(text) < 400 and "graded" in text.lower() and bool(_COUNT.search(text))


def _read_from(blocks: Sequence[Block], start: int) -> JudgementsBlock:
    graded, total = _stated(blocks[start : start + _MAX_LEAD + 1])
    reader = _Reader(blocks)
    i, skipped = start + 1, 0
    while i < len(blocks):
        step = reader.read_at(i)
        if step == 0:
            if reader.areas or skipped >= _MAX_LEAD or _ends_lead(blocks[i]):
                break
            skipped, step = skipped + 1, 1
        i += step
    areas = tuple(reader.areas)
    return JudgementsBlock(areas, i, graded, start, reader.source(), total)


def _ends_lead(block: Block) -> bool:
    """The body's first heading, or the victims sentence after the block: a summary not
    read by then (a graphic with no text) is not looked for in the body."""
    return block.kind is BlockKind.HEADING or block.text.startswith("We also inspected")


def _stated(head: Sequence[Block]) -> tuple[int | None, int | None]:
    """M and N of "We make graded judgments in M of these N", in words or digits
    (N also from "in N areas of policing")."""
    for block in head:
        match = _COUNT.search(block.text)
        if match:
            total = _TOTAL.search(block.text)
            n = match.group("n") or (total.group(1) if total else None)
            return _number(match.group("m")), _number(n)
    return None, None


def _number(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS.get(word)


class _Reader:
    """Reads area/grade pairs at a position, remembering a grade-per-column header."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = blocks
        self.areas: list[AreaGrade] = []
        self.columns: list[Grade | None] = []
        self.labels_row: tuple[str, ...] = ()  # a row of area labels, grades under them?
        self.kinds: set[BlockKind] = set()

    def source(self) -> str:
        """How the block is written, for the reading's name."""
        for kind, name in _SOURCES:
            if kind in self.kinds:
                return name
        return "summary lines"

    def read_at(self, i: int) -> int:
        """How many blocks from `i` belong to the block (0: none), adding their areas."""
        block = self.blocks[i]
        if block.kind is BlockKind.ROW:
            return self._mark(self._row(block.cells, block.cell_lines), i)
        following = self.blocks[i + 1] if i + 1 < len(self.blocks) else None
        grade = _grade_line(block)
        if grade and following is not None and following.kind is BlockKind.ITEM:
            return self._mark(self._grade_then_items(i + 1, grade), i)
        return self._mark(self._lines(i), i)

    def _mark(self, step: int, i: int) -> int:
        self.kinds.update(b.kind for b in self.blocks[i : i + step])
        return step

    def _lines(self, i: int) -> int:
        lines: list[Line] = []
        for j in range(i, len(self.blocks)):
            line = classify(self.blocks[j])
            if line is None or (line.grade and self._items_follow(j)):
                break  # a grade over a list of its areas: `_grade_then_items` reads it
            lines.append(line)
        pairs, taken = read_run(lines)
        for label, grade in pairs:
            if not self._add(label, grade):
                return 0 if not self.areas else taken
        return taken

    def _items_follow(self, j: int) -> bool:
        return j + 1 < len(self.blocks) and self.blocks[j + 1].kind is BlockKind.ITEM

    def _add(self, label: str, grade: Grade) -> bool:
        label = label.strip().rstrip(":").strip()
        if any(a.label == label for a in self.areas):
            return False  # a label seen twice: the body's own headings and badges
        self.areas.append(AreaGrade(label, grade))
        return True

    def _row(self, cells: tuple[str, ...], lines: tuple[tuple[str, ...], ...] = ()) -> int:
        grades = [grade_of(cell) if len(cell) <= _MAX_GRADE else None for cell in cells]
        labels = [c for c, g in zip(cells, grades, strict=True) if c and g is None]
        if self._under_labels(cells, grades):
            return 1
        if sum(g is not None for g in grades) >= 2 and not labels:
            self.columns = grades  # a header: one column per grade
            return 1
        self.labels_row = cells if all(g is None for g in grades) else ()
        if self.columns:
            for cell, grade in zip(cells, self.columns, strict=False):
                if cell and grade and grade_of(cell) is None:
                    self.areas.append(AreaGrade(cell, grade))
            return 1
        grade = next((g for g in grades if g), None)
        if grade and len(labels) == 1 and (listed := _listed_areas(cells, grades, lines)):
            # A row per grade, its areas a line each in one cell: "Good | A<br>B".
            return 1 if all(self._add(label, grade) for label in listed) else 0
        if grade and labels:
            return 1 if self._add(labels[0], grade) else 0
        return 0 if self.areas else 1  # a header row such as "Area | Grade"

    def _under_labels(self, cells: tuple[str, ...], grades: list[Grade | None]) -> bool:
        """A row of grades under a row of area labels, cell for cell: a table laid on
        its side, perhaps with a first column of row headers ("Area", "Grade"). Only
        when every label above is a known area and each has a grade under it: the same
        row under a header of grade names, or under "Area | Grade", means another thing."""
        above, self.labels_row = self.labels_row, ()
        if len(above) != len(cells) or len(cells) < 2:
            return False
        for skip in (0, 1):
            labels, under = above[skip:], grades[skip:]
            if len(labels) < 2 or len(set(labels)) != len(labels):
                continue
            if all(is_known_area(label) for label in labels) and all(under):
                if any(a.label in labels for a in self.areas):
                    return False
                self.areas.extend(
                    AreaGrade(label, grade)
                    for label, grade in zip(labels, under, strict=True)
                    if grade is not None
                )
                return True
        return False

    def _grade_then_items(self, start: int, grade: Grade) -> int:
        i = start
        while i < len(self.blocks) and self.blocks[i].kind is BlockKind.ITEM:
            if not _NONE_ITEM.fullmatch(self.blocks[i].text):
                self.areas.append(AreaGrade(self.blocks[i].text, grade))
            i += 1
        return i - start + 1


def _listed_areas(
    cells: tuple[str, ...], grades: list[Grade | None], lines: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    """The lines of a row's one label cell, when it holds more than one and the row's
    other cells are one grade and blanks; else ()."""
    if len(lines) != len(cells) or sum(g is not None for g in grades) != 1:
        return ()
    listed = [ls for cell, g, ls in zip(cells, grades, lines, strict=True) if cell and g is None]
    return listed[0] if len(listed) == 1 and len(listed[0]) > 1 else ()


_SOURCES = (
    (BlockKind.GRAPHIC, "summary graphic"),
    (BlockKind.ROW, "summary table"),
    (BlockKind.ITEM, "summary list"),
    (BlockKind.HEADING, "summary headings"),
)
_NONE_ITEM = re.compile(r"(?:none|no areas?)\.?", re.IGNORECASE)


def _grade_line(block: Block) -> Grade | None:
    """A grade on its own (a badge, a definition, a list heading)."""
    return grade_of(block.text) if len(block.text) <= _MAX_GRADE else None
