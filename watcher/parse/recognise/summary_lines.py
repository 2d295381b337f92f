"""A summary block written as lines: a 2021+ report's judgements outside a table or list.

The lines are headings, paragraphs or a graphic's text (an svg's <text>s, an img's
alt), in one of two layouts that look alike line by line:

- label then grade, pair by pair ("Investigating crime", "Adequate", ...);
- grade then the areas that got it ("Good", "Investigating crime", "Protecting
  vulnerable people", "Outstanding", "Adequate", ...): a grade with no area is normal.

So the layout is decided for the run of lines as a whole, never line by line: pairs
when the run starts with a label and alternates strictly, else grade-first when it
starts with a grade (a graphic's title line or two before it is skipped). A line may
also hold its own pairs: "Investigating crime: Adequate", "Good: Investigating crime;
Protecting vulnerable people", or several of these in one alt text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.areas import is_known_area
from watcher.parse.recognise.vocabulary import GRADE_PATTERN, grade_of

_LINE_KINDS = frozenset((BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.GRAPHIC))
_MAX_LABEL = 120
_MAX_GRADE = 30
_MAX_TITLES = 2  # a graphic's title lines before its first grade
# "Investigating crime: Adequate", "Responding to the public – good"
_LABEL_GRADE = re.compile(
    rf"(?P<label>[^:–—]{{3,120}}?)\s*(?::|\s[–—-])\s*(?P<grade>{GRADE_PATTERN})\.?", re.I
)
# "Investigating crime (adequate)"; "Investigating crime Adequate" (a badge after the
# label, in a list item or a cell) only where the label is a known area.
_LABEL_PAREN = re.compile(
    rf"(?P<label>[^()]{{3,120}}?)\s*\(\s*(?P<grade>{GRADE_PATTERN})\s*\)\.?", re.I
)
_LABEL_BARE = re.compile(rf"(?P<label>.{{3,120}}?)\s+(?P<grade>{GRADE_PATTERN})\.?", re.I)
# "Good: Investigating crime; Protecting vulnerable people"
_GRADE_AREAS = re.compile(rf"(?P<grade>{GRADE_PATTERN})\s*(?::|\s[–—-])\s*(?P<areas>.+)", re.I)
_SEGMENTS = re.compile(r"\s*[;|]\s*|(?<=[a-z)])\.\s+(?=[A-Z])")
_NONE = re.compile(r"(?:none|no areas?|n/a|-|–)\.?", re.IGNORECASE)

Pair = tuple[str, Grade]


@dataclass(frozen=True)
class Line:
    """One line of the run: a grade alone, a label alone, or pairs it holds itself."""

    kind: BlockKind
    level: int
    grade: Grade | None = None
    label: str = ""
    pairs: tuple[Pair, ...] = ()


def classify(block: Block) -> Line | None:
    """What a block is as a summary line, or None: it ends the run."""
    text = block.text.strip()
    if block.kind is BlockKind.ITEM:  # a list of "Area: grade" items
        pairs = _own_pairs(text)
        return Line(block.kind, block.level, pairs=tuple(pairs)) if pairs else None
    if block.kind not in _LINE_KINDS or not text:
        return None
    if len(text) <= _MAX_GRADE and (grade := grade_of(text)):
        return Line(block.kind, block.level, grade=grade)
    pairs = _own_pairs(text)
    if pairs:
        return Line(block.kind, block.level, pairs=tuple(pairs))
    if len(text) <= _MAX_LABEL and text[-1] not in ".:;,!":  # a 2025-27 question ends "?"
        return Line(block.kind, block.level, label=text)
    return None


def _own_pairs(text: str) -> list[Pair]:
    """The pairs a line holds itself; none unless every part of it reads as pairs (an
    alt text's title or two before them aside)."""
    segments = [s.strip() for s in _SEGMENTS.split(text) if s.strip()]
    for skip in range(min(_MAX_TITLES, len(segments) - 1) + 1):
        pairs = _segment_pairs(segments[skip:])
        if pairs and (skip == 0 or len(pairs) > 1):
            return pairs
    return []


def _segment_pairs(segments: Sequence[str]) -> list[Pair]:
    pairs: list[Pair] = []
    current: Grade | None = None
    for segment in segments:
        if (grade := grade_of(segment)) is not None:
            current = grade
        elif match := _label_and_grade(segment):
            pairs.append((match.group("label").strip(), _grade(match.group("grade"))))
            current = None
        elif match := _GRADE_AREAS.fullmatch(segment):
            current = _grade(match.group("grade"))
            pairs.extend((label, current) for label in _area_list(match.group("areas")))
        elif current is not None and len(segment) <= _MAX_LABEL:
            pairs.extend((label, current) for label in _area_list(segment))
        else:
            return []
    return pairs


def _label_and_grade(segment: str) -> re.Match[str] | None:
    if match := _LABEL_GRADE.fullmatch(segment) or _LABEL_PAREN.fullmatch(segment):
        return match
    if len(segment) > _MAX_LABEL + _MAX_GRADE:
        return None
    match = _LABEL_BARE.fullmatch(segment)
    return match if match and is_known_area(match.group("label")) else None


def _grade(word: str) -> Grade:
    grade = grade_of(word)
    assert grade is not None  # the patterns match grade words only
    return grade


def _area_list(text: str) -> list[str]:
    """Areas after a grade, split at commas and "and"s only where every piece is a
    known area. A label may hold a comma or an "and" itself ("Building, supporting and
    protecting the workforce"), so pieces are joined back where that makes a known
    label; the split is used only when exactly one way of joining them does."""
    text = text.strip().rstrip(".")
    if _NONE.fullmatch(text):
        return []
    parts = _LIST_SEPARATOR.split(text)  # piece, separator, piece, ...
    pieces, separators = parts[::2], parts[1::2]
    if len(pieces) < 2 or len(pieces) > _MAX_LIST_PIECES:
        return [text]
    splits = _known_splits(tuple(p.strip() for p in pieces), tuple(separators))
    return splits[0] if len(splits) == 1 and len(splits[0]) > 1 else [text]


# ", " or " and " before a capital (", and " too): where a list of areas may divide.
_LIST_SEPARATOR = re.compile(r"(,\s*(?:and\s+)?|\s+and\s+(?=[A-Z]))")
_MAX_LIST_PIECES = 24


def _known_splits(pieces: tuple[str, ...], separators: tuple[str, ...]) -> list[list[str]]:
    """Ways to cut `pieces` into consecutive runs that each make a known area (joined
    with their own separators), at most two: two already mean ambiguous."""
    ways: list[list[list[str]]] = [[] for _ in pieces] + [[[]]]  # ways[i]: splits of i..
    for start in range(len(pieces) - 1, -1, -1):
        label = pieces[start]
        for end in range(start + 1, len(pieces) + 1):
            if end > start + 1:
                label += separators[end - 2] + pieces[end - 1]
            if is_known_area(label):
                ways[start].extend([label, *rest] for rest in ways[end])
                del ways[start][2:]
    return ways[0]


def read_run(lines: Sequence[Line]) -> tuple[list[Pair], int]:
    """The pairs a run of lines gives, and how many lines of it belong to the block."""
    if not lines:
        return [], 0
    if lines[0].label and len(lines) > 1 and lines[1].grade:
        return _alternating(lines)
    head = lines[: _MAX_TITLES + 1]
    first = next((i for i, line in enumerate(head) if line.grade or line.pairs), None)
    if first is None:
        return [], 0
    if lines[first].grade:
        return _grade_first(lines, first)
    taken = first
    pairs: list[Pair] = []
    while taken < len(lines) and lines[taken].pairs:
        pairs.extend(lines[taken].pairs)
        taken += 1
    return pairs, taken


def _alternating(lines: Sequence[Line]) -> tuple[list[Pair], int]:
    pairs: list[Pair] = []
    i = 0
    while i + 1 < len(lines) and lines[i].label and lines[i + 1].grade:
        grade = lines[i + 1].grade
        assert grade is not None
        pairs.append((lines[i].label, grade))
        i += 2
    return pairs, i


def _grade_first(lines: Sequence[Line], start: int) -> tuple[list[Pair], int]:
    """Grades and the labels under each; labels keep one kind and level, as do grades,
    so the body's next heading (or a sentence) is not taken for an area."""
    grade_style = (lines[start].kind, lines[start].level)
    label_style: tuple[BlockKind, int] | None = None
    pairs: list[Pair] = []
    current: Grade | None = None
    grades_between = False  # a grade after some label: the groups interleave
    taken = len(lines)
    for i, line in enumerate(lines[start:], start):
        style = (line.kind, line.level)
        if line.grade and style == grade_style:
            grades_between = grades_between or bool(pairs)
            current = line.grade
        elif line.label and current and style == (label_style or style):
            label_style = style
            pairs.extend((label, current) for label in _area_list(line.label))
        else:
            taken = i
            break
    grades = sum(1 for line in lines[start:taken] if line.grade)
    if grades > 1 and not grades_between:
        # Every grade before every label (a graphic's columns, its text out of place):
        # which label sits under which grade is unknown, so none is read.
        return [], taken
    return pairs, taken
