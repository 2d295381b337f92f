"""Fire and rescue 2021/22 service pages: the three run-in pillar sentences, cross-checked.

A 2021/22 service page opens with "The extent to which the service is effective at
keeping people safe and secure from fire and other risks is good.", the same for
"efficient", and "The extent to which the service looks after its people is good.".
Each sentence is keyed on its pillar word, never on its place in the text. The
sentences are one reading of the pillar grades; the pillar sections' own badges (read
by `frs`) are the other. A sentence printed twice, a pillar whose sentence is missing
while the others are there, or a sentence that contradicts its section makes the page
unreadable this time: the reason names the pillar and both readings, and nothing is
guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from watcher.catalogue import SERVICE_PREFIX, SERVICES
from watcher.models import Assessment, Grade, Judgement, Reading
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.frs import FRS_PILLAR_LABELS
from watcher.parse.recognise.vocabulary import GRADE_PATTERN, grade_of

SENTENCES = "pillar sentences"
SECTIONS = "pillar sections"
_SENTENCE = re.compile(
    r"\bthe extent to which .{3,90}? (?:is (?P<word>effective|efficient) at keeping people"
    r" safe and secure from fire and other risks|(?P<people>looks after its people))"
    rf"(?:\s*:\s*|\s+is:?\s+|\s+)(?P<grade>{GRADE_PATTERN})\b",
    re.IGNORECASE,
)
_WORDS = {"effective": "effectiveness", "efficient": "efficiency"}
# Only the opening of a paragraph is searched: the sentences are short and come first.
_SCAN = 2000
_PROSE = (BlockKind.PARAGRAPH, BlockKind.ITEM, BlockKind.HEADING)
_HEAD_BLOCKS = 30
_NAME_SUFFIX = re.compile(r"\s+(?:fire and rescue(?: service)?|fire brigade|fire service)$")


def silent_page_reason(blocks: Sequence[Block], organisation: str) -> str | None:
    """Why a service's own page with no grade read is unreadable, or None.

    A page that names its service but gives no grade the watcher can read has a layout
    it does not know (a graphic with no text, a widget): unreadable, never a guess. A
    page that does not name it (a maintenance or error page) is left to the "no grades"
    anomaly: that is the site failing, not its layout changing.
    """
    name = SERVICES.get(organisation.removeprefix(SERVICE_PREFIX))
    if name is None:
        return None
    stem = _NAME_SUFFIX.sub("", name.lower().replace("&", "and")) + " fire"
    head = " ".join(b.text for b in blocks[:_HEAD_BLOCKS]).lower().replace("&", "and")
    if stem not in head:
        return None
    return f"no grade could be read for {name} (a graphic with no text, or a layout not known)"


def pillar_sentences(blocks: Sequence[Block]) -> list[tuple[str, Grade]]:
    """Every run-in pillar sentence on the page as (pillar, grade), in page order."""
    found: list[tuple[str, Grade]] = []
    for block in blocks:
        if block.kind not in _PROSE or "extent to which" not in block.text[:_SCAN].lower():
            continue
        for match in _SENTENCE.finditer(block.text[:_SCAN]):
            pillar = "people" if match["people"] else _WORDS[match["word"].lower()]
            grade = grade_of(match["grade"])
            if grade is not None:
                found.append((pillar, grade))
    return found


def cross_check_sentences(blocks: Sequence[Block], assessment: Assessment) -> Assessment:
    """The assessment with the sentences as a reading, checked against the sections.

    A page with no pillar sentence (a sub-page, a 2018/19 page) is returned unchanged.
    """
    sentences = pillar_sentences(blocks)
    if not sentences:
        return assessment
    sections = [(j.unit, j.grade) for j in assessment.judgements if j.unit in FRS_PILLAR_LABELS]
    problems = _sentence_problems(sentences) + _disagreements(dict(sentences), dict(sections))
    readings = [Reading(SENTENCES, _pairs(sentences), len(sentences), not problems)]
    if sections:
        readings.append(Reading(SECTIONS, _pairs(sections), len(sections), not problems))
    judgements = assessment.judgements
    if not problems:
        judgements = _with_sentence_grades(judgements, dict(sentences))
    return replace(
        assessment,
        judgements=judgements,
        anomalies=(*assessment.anomalies, *problems),
        readings=tuple(readings),
        unreadable="; ".join(problems) or assessment.unreadable,
    )


def _pairs(grades: Sequence[tuple[str, Grade]]) -> tuple[tuple[str, str], ...]:
    return tuple((unit, str(grade)) for unit, grade in grades)


def _sentence_problems(sentences: Sequence[tuple[str, Grade]]) -> list[str]:
    """A pillar whose sentence is printed more than once, or missing beside the others."""
    pillars = [pillar for pillar, _ in sentences]
    problems = [
        f"the {pillar} sentence is printed {pillars.count(pillar)} times"
        for pillar in FRS_PILLAR_LABELS
        if pillars.count(pillar) > 1
    ]
    problems += [
        f"the {pillar} sentence is missing" for pillar in FRS_PILLAR_LABELS if pillar not in pillars
    ]
    return problems


def _disagreements(sentences: dict[str, Grade], sections: dict[str, Grade]) -> list[str]:
    """Each pillar whose sentence and section give different grades, with both."""
    return [
        f"the {pillar} sentence says {_said(grade)}, the {pillar} section says "
        f"{_said(sections[pillar])}"
        for pillar, grade in sentences.items()
        if pillar in sections and sections[pillar] is not grade
    ]


def _said(grade: Grade) -> str:
    return grade.label.lower()


def _with_sentence_grades(
    judgements: tuple[Judgement, ...], sentences: dict[str, Grade]
) -> tuple[Judgement, ...]:
    """The pillar grades the sections did not give, from the sentences, first in order."""
    have = {j.unit for j in judgements}
    added = tuple(
        Judgement(pillar, FRS_PILLAR_LABELS[pillar], grade)
        for pillar, grade in sentences.items()
        if pillar not in have
    )
    return added + judgements
