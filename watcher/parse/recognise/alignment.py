"""Pairing a report's body headings with its summary table's labels.

The body says "Treating the public fairly" where the table says "Fair treatment of
the public", and "Armed policing" for "Armed response capability". Both lists come in
the same order, so they are aligned in order (the best total similarity over
order-preserving pairings), and wording similarity decides which rows are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, utils

from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.findings import section_kind
from watcher.parse.recognise.vocabulary import badge, date_line, is_heading_like, pillar_question

# Below this similarity (0-100) a heading and a label are never paired.
_MIN_PAIRING = 20
# A badge-less heading found by wording alone must be at least this similar; one at
# the level of the other area headings, at least the lower figure.
_MIN_RESCUE = 50
_MIN_RESCUE_AT_LEVEL = 30


def similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b, processor=utils.default_process)


def align(labels: Sequence[str], headings: Sequence[str]) -> dict[int, int]:
    """Order-preserving pairing of headings to labels: heading index -> label index.

    Every pairing scores 1 plus its similarity, so as many pairs as possible are made
    and, among those, the most similar.
    """
    rows, cols = len(labels), len(headings)
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for r in range(rows - 1, -1, -1):
        for c in range(cols - 1, -1, -1):
            score = similarity(labels[r], headings[c])
            paired = 1 + score / 100 + best[r + 1][c + 1] if score >= _MIN_PAIRING else -1.0
            best[r][c] = max(paired, best[r + 1][c], best[r][c + 1])
    pairs: dict[int, int] = {}
    r = c = 0
    while r < rows and c < cols:
        score = similarity(labels[r], headings[c])
        if score >= _MIN_PAIRING and best[r][c] == 1 + score / 100 + best[r + 1][c + 1]:
            pairs[c] = r
            r, c = r + 1, c + 1
        elif best[r][c] == best[r + 1][c]:
            r += 1
        else:
            c += 1
    return pairs


def rescue_heading(
    blocks: Sequence[Block], label: str, gap: range, question_level: int | None
) -> int | None:
    """The heading in `gap` that opens the badge-less block of the area `label`.

    The heading most like the label, if it is like enough; when area headings have a
    level of their own, only headings at that level count.
    """
    candidates = [i for i in gap if is_area_heading(blocks[i])]
    minimum = _MIN_RESCUE
    if question_level is not None:
        candidates = [i for i in candidates if _at_level(blocks[i], question_level)]
        minimum = _MIN_RESCUE_AT_LEVEL
    scored = [(similarity(label, blocks[i].text), i) for i in candidates]
    score, index = max(scored, default=(0.0, -1))
    return index if score >= minimum else None


def _at_level(block: Block, level: int) -> bool:
    return block.kind is BlockKind.HEADING and block.level == level


def is_area_heading(block: Block) -> bool:
    """A heading that could open an area block: not a badge, date, finding or pillar."""
    return (
        is_heading_like(block)
        and badge(block) is None
        and date_line(block) is None
        and section_kind(block) is None
        and pillar_question(block) is None
    )
