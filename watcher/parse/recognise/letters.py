"""Cause-of-concern letters: accelerated causes of concern and revisit letters.

An accelerated cause of concern is published as a letter before the report; a revisit
letter reports the force's progress against one and may close it ("we are satisfied
that the force has made sufficient progress ... this cause of concern is now closed").

Each cause of concern has its own unit, `cause-of-concern/<subject>` (the subject its
heading names, else its number; `cause-of-concern` when the letter has only one), so
its recommendations stay with it. An open cause of concern is a CAUSE_OF_CONCERN
finding with its RECOMMENDATION findings. A closed one is not: it is kept as a
never-alerted CLOSED_CAUSE_OF_CONCERN finding with the same text, and its
recommendations are dropped. So a cause of concern that closes is "resolved" to the
diff, and a revisit letter that closes one never announces it as new.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from watcher.models import Finding, FindingKind
from watcher.parse.blocks import Block
from watcher.parse.recognise.area_findings import area_findings, finding_heading
from watcher.parse.recognise.vocabulary import Recognised, slugify

NO_CAUSE = "no cause of concern found in the letter"
_UNIT = "cause-of-concern"
_CLOSED = re.compile(
    r"\b(?:causes? of concern (?:(?:is|are|has|have|was|were|been|now|therefore|formally)\s+)"
    r"{1,4}(?:closed|discharged)|(?:close|closed|closing|discharge|discharged|discharging) "
    r"(?:the|this|that|these|our) causes? of concern|no longer (?:a |considered (?:to be )?"
    r"a )?cause of concern)",
    re.IGNORECASE,
)
_NOT_CLOSED = re.compile(
    r"\b(?:not (?:yet )?(?:closed|discharged|satisfied)|remains? open|cannot|can't|won't|"
    r"will not|isn't yet|is not yet)\b",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(r"yours (?:sincerely|faithfully)\b.{0,40}", re.IGNORECASE)


def recognise_letter(blocks: Sequence[Block]) -> Recognised:
    """Each cause of concern in the letter, open with its recommendations, or closed."""
    end = next((i for i, b in enumerate(blocks) if _SIGN_OFF.fullmatch(b.text)), len(blocks))
    starts = [i for i in range(end) if _opens_concern(blocks[i])]
    result = Recognised()
    if not starts:
        result.anomalies.append(NO_CAUSE)
        return result
    closed_before = any(_closes(b.text) for b in blocks[: starts[0]])
    for number, (start, stop) in enumerate(zip(starts, [*starts[1:], end], strict=True), 1):
        unit = _unit(blocks[start], number, len(starts))
        closed = (closed_before and len(starts) == 1) or any(
            _closes(b.text) for b in blocks[start:stop]
        )
        result.findings.extend(_concern_findings(blocks, start, stop, unit, closed))
    return result


def _opens_concern(block: Block) -> bool:
    heading = finding_heading(block)
    return heading is not None and heading.kind is FindingKind.CAUSE_OF_CONCERN


def _unit(block: Block, number: int, count: int) -> str:
    heading = finding_heading(block)
    if heading and heading.subject:
        return f"{_UNIT}/{slugify(heading.subject)}"
    return f"{_UNIT}/{number}" if count > 1 else _UNIT


def _closes(text: str) -> bool:
    """A sentence saying a cause of concern is closed, and not that it is not."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    return any(_CLOSED.search(s) and not _NOT_CLOSED.search(s) for s in sentences)


def _concern_findings(
    blocks: Sequence[Block], start: int, stop: int, unit: str, closed: bool
) -> list[Finding]:
    found = area_findings(blocks, start, stop, unit)
    if not closed:
        return found
    return [
        Finding(FindingKind.CLOSED_CAUSE_OF_CONCERN, unit, f.text)
        if f.kind is FindingKind.CAUSE_OF_CONCERN
        else f
        for f in found
        if f.kind in (FindingKind.CAUSE_OF_CONCERN, FindingKind.PRACTICE)
    ]
