"""The all-force PEEL overview (`?view=table`): every force's pillar grades.

A table with a header row naming the pillars (in any order, perhaps with a Leadership
column, which is narrative and not recorded) and one row per force. The same data is
also read when laid out per force: the force's name as a heading, then
"Effectiveness: Good" lines or pillar and grade pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from watcher.models import Grade, Judgement
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.identity import force_named
from watcher.parse.recognise.vocabulary import (
    GRADE_PATTERN,
    GRADED_PILLARS,
    PILLAR_LABELS,
    grade_of,
    is_heading_like,
)

_PILLARS = {PILLAR_LABELS[p].lower(): p for p in GRADED_PILLARS}
# A grade cell may carry more than the grade: "Good (last updated 18/02/2016)".
_CELL_GRADE = re.compile(rf"({GRADE_PATTERN})\b.{{0,60}}", re.IGNORECASE)
_PILLAR_LINE = re.compile(
    rf"(effectiveness|efficiency|legitimacy)\s*[:–—-]?\s*({GRADE_PATTERN})\.?", re.IGNORECASE
)
_MAX_NAME = 60


@dataclass
class ForceGrades:
    """One force's pillar grades, as the overview gives them."""

    organisation: str
    grades: dict[str, Grade] = field(default_factory=dict)

    def judgements(self) -> tuple[Judgement, ...]:
        return tuple(
            Judgement(pillar, PILLAR_LABELS[pillar], self.grades[pillar])
            for pillar in GRADED_PILLARS
            if pillar in self.grades
        )


def overview_grades(blocks: Sequence[Block]) -> list[ForceGrades] | None:
    """Each force's grades in page order; None when no table or force list is found."""
    reader = _Reader()
    for i, block in enumerate(blocks):
        reader.read(block, blocks[i + 1] if i + 1 < len(blocks) else None)
    forces = [f for f in reader.forces.values() if f.grades]
    return forces if forces or reader.columns else None


class _Reader:
    def __init__(self) -> None:
        self.columns: dict[int, str] = {}
        self.forces: dict[str, ForceGrades] = {}
        self.current: ForceGrades | None = None

    def read(self, block: Block, following: Block | None) -> None:
        if block.kind is BlockKind.ROW:
            self._row(block.cells)
        elif slug := _force_name(block):
            self.current = self.forces.setdefault(slug, ForceGrades(slug))
        elif self.current is not None:
            self._pillar_line(block, following)

    def _row(self, cells: tuple[str, ...]) -> None:
        pillars = {i: _PILLARS[c.lower()] for i, c in enumerate(cells) if c.lower() in _PILLARS}
        if len(pillars) >= 2:
            self.columns = pillars
            return
        slug = next((s for s in map(force_named, cells) if s), None)
        if slug is None or not self.columns:
            return
        force = self.forces.setdefault(slug, ForceGrades(slug))
        for i, pillar in self.columns.items():
            match = _CELL_GRADE.fullmatch(cells[i]) if i < len(cells) else None
            grade = grade_of(match.group(1)) if match else None
            if grade and pillar not in force.grades:
                force.grades[pillar] = grade

    def _pillar_line(self, block: Block, following: Block | None) -> None:
        assert self.current is not None
        pillar = grade = None
        if match := _PILLAR_LINE.fullmatch(block.text):
            pillar, grade = _PILLARS[match.group(1).lower()], grade_of(match.group(2))
        elif block.text.lower() in _PILLARS and following is not None:
            pillar, grade = _PILLARS[block.text.lower()], grade_of(following.text)
        if pillar and grade and pillar not in self.current.grades:
            self.current.grades[pillar] = grade


def _force_name(block: Block) -> str | None:
    """The force a heading (or a short line standing for one) names in full."""
    if not is_heading_like(block) or len(block.text) > _MAX_NAME:
        return None
    return force_named(block.text)
