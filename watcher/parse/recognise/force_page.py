"""PEEL 2014-2018/19 force pages: one sentence per pillar, plus a block per pillar.

"The extent to which Kent Police is effective at keeping people safe and reducing
crime is good." Each sentence is keyed on its pillar word, never on its position,
because pages have been published with one pillar's sentence printed twice and
another's missing. The pillar blocks below give "Last updated DD/MM/YYYY" or
"To be graded". Leadership (2015-2016) is narrative and is not recorded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watcher.models import Grade, Judgement
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.vocabulary import (
    GRADE_PATTERN,
    GRADED_PILLARS,
    PILLAR_LABELS,
    DateLine,
    Recognised,
    badge,
    date_line,
    grade_of,
    pillar_of_word,
    pillar_question,
)

# Variants seen: "... crime is good.", "... crime requires improvement.", "... is: outstanding.",
# "...: not yet graded.", and with no verb at all, "... reducing crime good."; in 2018/19
# they are list items after "<Force> was inspected in tranche two and we found:", ending
# "... is good;" or "... is good; and".
_SENTENCE = re.compile(
    rf"the extent to which (?P<body>.{{10,250}}?)(?:\s+is\s*:?\s*|\s*:\s*|\s+)"
    rf"(?P<grade>{GRADE_PATTERN})\s*(?:[.;,]|$)",
    re.IGNORECASE,
)
_SENTENCE_START = "the extent to which"
_PILLAR_WORD = re.compile(r"\b(effective|efficient(?:ly)?|legitimate(?:ly)?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _PillarBlock:
    """What a pillar's own block says: its date line and any badge."""

    dates: DateLine | None
    grade: Grade | None


def recognise_force_page(blocks: Sequence[Block]) -> Recognised:
    """The three pillar judgements, and any mistake in how their sentences are printed."""
    sentences = _pillar_sentences(blocks)
    pillar_blocks = _pillar_blocks(blocks)
    result = Recognised()
    for pillar in GRADED_PILLARS:
        grades = sentences.get(pillar, [])
        judgement = _judgement(pillar, grades, pillar_blocks.get(pillar), result.anomalies)
        if judgement:
            result.judgements.append(judgement)
    mistakes = _sentence_mistakes(sentences)
    if mistakes:
        result.anomalies.insert(0, mistakes)
    return result


def _sentence_mistakes(sentences: dict[str, list[Grade]]) -> str:
    """The sentences' mistakes in one line, e.g. "effectiveness sentence printed twice;
    legitimacy sentence missing"; "" when there are none, or no sentences at all."""
    if not sentences:
        return ""
    parts = []
    for pillar in GRADED_PILLARS:
        count = len(sentences.get(pillar, []))
        if count == 0:
            parts.append(f"{pillar} sentence missing")
        elif count > 1:
            times = "twice" if count == 2 else f"{count} times"
            parts.append(f"{pillar} sentence printed {times}")
    return "; ".join(parts)


def _pillar_sentences(blocks: Sequence[Block]) -> dict[str, list[Grade]]:
    """Each pillar's sentence grades, keyed on the pillar word in the sentence."""
    found: dict[str, list[Grade]] = {}
    for block in blocks:
        text = block.text
        if text[:19].lower() != _SENTENCE_START or block.kind is BlockKind.ROW:
            continue
        match = _SENTENCE.match(text[:320])
        if match is None:
            continue
        words = {pillar_of_word(w) for w in _PILLAR_WORD.findall(match.group("body"))}
        grade = grade_of(match.group("grade"))
        if len(words) == 1 and grade is not None:
            (pillar,) = words
            if pillar:
                found.setdefault(pillar, []).append(grade)
    return found


def _pillar_blocks(blocks: Sequence[Block]) -> dict[str, _PillarBlock]:
    """Each pillar question's date line and badge, read up to the next heading."""
    found: dict[str, _PillarBlock] = {}
    for i, block in enumerate(blocks):
        pillar = pillar_question(block)
        if pillar is None or pillar in found:
            continue
        dates: DateLine | None = None
        grade: Grade | None = None
        for following in blocks[i + 1 : i + 4]:
            line = date_line(following)
            shown = line.grade if line else badge(following)
            if line is None and shown is None:
                break  # the narrative or the next heading
            dates = dates or line
            grade = grade or shown
        found[pillar] = _PillarBlock(dates, grade)
    return found


def _judgement(
    pillar: str, grades: list[Grade], block: _PillarBlock | None, anomalies: list[str]
) -> Judgement | None:
    """The pillar's sentence grade; failing a sentence, its badge or "To be graded"."""
    dates = block.dates if block else None
    updated = dates.updated if dates else None
    if len(set(grades)) > 1:
        said = " and ".join(g.label.lower() for g in dict.fromkeys(grades))
        anomalies.append(f"{pillar} sentences disagree: {said}")
    grade = grades[0] if grades else None
    if block and block.grade and grade and block.grade is not grade:
        anomalies.append(
            f"{pillar}: badge says {block.grade.label.lower()} but sentence says "
            f"{grade.label.lower()}"
        )
    if grade is None and block is not None:
        grade = block.grade or (Grade.NOT_YET_GRADED if dates and dates.to_be_graded else None)
    if grade is None:
        return None
    return Judgement(pillar, PILLAR_LABELS[pillar], grade, updated)
