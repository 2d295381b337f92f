"""Rendering changes to Slack Block Kit: content, escaping, limits and splitting."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from tests.fake_slack import limit_error
from watcher.models import (
    Assessment,
    Change,
    ChangeKind,
    Direction,
    Finding,
    FindingKind,
    Grade,
    Judgement,
    PageKind,
    WordDiff,
)
from watcher.notify import Message, split_message
from watcher.notify.render import escape_mrkdwn, render_baseline, render_digest

SEEN = date(2026, 11, 22)
PAGE = "https://hmicfrs.justiceinspectorates.gov.uk/peel-reports/kent-2023-25/"
CYCLE = "peel-2023-25"
AFI = FindingKind.AREA_FOR_IMPROVEMENT


def grade(unit: str, before: str | None, after: str | None, direction: Direction) -> Change:
    label = unit[:1].upper() + unit[1:].replace("-", " ")
    return Change(
        ChangeKind.GRADE, PAGE, "kent", CYCLE, f"{CYCLE}/{unit}", label, before, after, direction
    )


def finding(kind: ChangeKind, text: str, finding_kind: FindingKind = AFI, **extra: Any) -> Change:
    before = text if kind is not ChangeKind.FINDING_ADDED else None
    after = text if kind is not ChangeKind.FINDING_RESOLVED else None
    return Change(
        kind, PAGE, "kent", CYCLE, f"{CYCLE}/investigating-crime", "Investigating crime",
        before, after, finding_kind=finding_kind, **extra,
    )  # fmt: skip


DECLINE = grade("investigating-crime", "adequate", "requires_improvement", Direction.DECLINED)


def all_text(message: Message) -> str:
    """Every piece of text in a message's blocks, in order."""
    texts = []
    for block in message.blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [element["text"] for element in block.get("elements", [])]
        texts += [field["text"] for field in block.get("fields", [])]
    return "\n".join(texts)


def only(messages: list[Message]) -> Message:
    assert len(messages) == 1
    return messages[0]


def test_header_names_the_force() -> None:
    """The header is the force's name from the catalogue, in plain text."""
    header = only(render_digest("kent", [DECLINE], SEEN)).blocks[0]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Kent Police: inspection changes", "emoji": True},
    }


def test_grade_change_line() -> None:
    """A grade change reads unit, before → after, and the direction."""
    text = all_text(only(render_digest("kent", [DECLINE], SEEN)))
    assert (
        "*Investigating crime*: Adequate → Requires improvement "
        ":small_red_triangle_down: declined" in text
    )


@pytest.mark.parametrize(
    ("before", "after", "direction", "expected"),
    [
        ("adequate", "good", Direction.IMPROVED, "Adequate → Good :arrow_up_small: improved"),
        (None, "good", Direction.FIRST, "*: Good :new: first grade"),
        ("not_yet_graded", "good", Direction.FIRST, "Not yet graded → Good :new: first grade"),
        ("good", None, Direction.WITHDRAWN, "Good → no grade shown :heavy_minus_sign: withdrawn"),
    ],
)
def test_grade_directions(
    before: str | None, after: str | None, direction: Direction, expected: str
) -> None:
    """Improved, first and withdrawn grades each say so."""
    text = all_text(only(render_digest("kent", [grade("x", before, after, direction)], SEEN)))
    assert expected in text


def test_findings_are_quoted_with_what_happened() -> None:
    """New and resolved findings are quoted; resolved ones say so."""
    changes = [
        finding(ChangeKind.FINDING_ADDED, "The force should record crime accurately."),
        finding(ChangeKind.FINDING_RESOLVED, "The force should answer 999 calls faster."),
        finding(ChangeKind.FINDING_ADDED, "Victims are let down.", FindingKind.CAUSE_OF_CONCERN),
    ]
    text = all_text(only(render_digest("kent", changes, SEEN)))
    assert "*New area for improvement* · Investigating crime\n> The force should record" in text
    assert (
        "*Area for improvement resolved* · Investigating crime\n> The force should answer" in text
    )
    assert ":warning: *New cause of concern*" in text
    # Causes of concern lead the findings.
    assert text.index("cause of concern") < text.index("New area for improvement")


def test_reworded_finding_shows_word_diff() -> None:
    """A reworded finding strikes removed words and bolds added ones."""
    wording = WordDiff(
        (("equal", "The force should"), ("delete", "quickly"), ("insert", "urgently now"),
         ("equal", "improve.")),
    )  # fmt: skip
    change = finding(ChangeKind.FINDING_REWORDED, "x", wording=wording)
    text = all_text(only(render_digest("kent", [change], SEEN)))
    assert "*Area for improvement reworded*" in text
    assert "> The force should ~quickly~ *urgently* *now* improve." in text


def test_report_published_links_the_report_before_its_grades() -> None:
    """A new report is linked, with its first grades listed after it."""
    report = Change(
        ChangeKind.REPORT_PUBLISHED, PAGE, "kent", CYCLE, after=PAGE + "report.pdf",
        unit_label="PEEL 2023–25 report",
    )  # fmt: skip
    first = grade("investigating-crime", None, "good", Direction.FIRST)
    text = all_text(only(render_digest("kent", [first, report], SEEN)))
    assert f"*New report published*: <{PAGE}report.pdf|PEEL 2023–25 report>" in text
    assert text.index("New report published") < text.index("Investigating crime")


def test_monitoring_comes_first_and_loud() -> None:
    """Entering enhanced monitoring leads the message, its header and its summary."""
    entered = Change(
        ChangeKind.MONITORING_ENTERED, "https://x.test/engage/", "kent", "", after="engage"
    )
    message = only(render_digest("kent", [DECLINE, entered], SEEN))
    assert (
        message.blocks[0]["text"]["text"]
        == ":rotating_light: Kent Police: entered enhanced monitoring"
    )
    assert (
        message.blocks[1]["text"]["text"]
        == ":rotating_light: *Entered enhanced monitoring (Engage)*"
    )
    assert message.text.startswith("Kent Police: entered enhanced monitoring")


def test_context_has_date_cycle_and_link() -> None:
    """Each page's changes close with the date seen, the cycle and a link to the page."""
    context = only(render_digest("kent", [DECLINE], SEEN)).blocks[-1]
    assert context == {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": f"Seen 22 Nov 2026 · PEEL 2023–25 · <{PAGE}|View the page>"}
        ],
    }


def test_fallback_text_summarises() -> None:
    """The plain text fallback is a one-line count of what changed."""
    changes = [
        DECLINE,
        finding(ChangeKind.FINDING_ADDED, "One."),
        finding(ChangeKind.FINDING_ADDED, "Two."),
    ]
    message = only(render_digest("kent", changes, SEEN))
    assert message.text == "Kent Police: 1 grade change, 2 new areas for improvement"


def test_practice_is_never_alerted() -> None:
    """Noted practice never appears; a digest of practice alone is no message at all."""
    practice = finding(ChangeKind.FINDING_ADDED, "Innovative triage hub.", FindingKind.PRACTICE)
    assert render_digest("kent", [practice], SEEN) == []
    message = only(render_digest("kent", [DECLINE, practice], SEEN))
    assert "triage" not in all_text(message) + message.text


@pytest.mark.parametrize(
    ("page_text", "expected"),
    [
        ("<!channel> look", "&lt;!channel&gt; look"),
        ("<!here>", "&lt;!here&gt;"),
        ("ask <@U123>", "ask &lt;@U123&gt;"),
        ("<https://evil.test|click>", "&lt;https://evil.test|click&gt;"),
        ("A & B", "A &amp; B"),
        ("*bold* _it_ ~st~ `co`", "∗bold∗ ˍitˍ ∼st∼ ˋcoˋ"),
    ],
)
def test_escape_mrkdwn(page_text: str, expected: str) -> None:
    """Page text can neither mention, link nor format."""
    assert escape_mrkdwn(page_text) == expected


def test_page_text_is_escaped_everywhere() -> None:
    """Finding text and unit labels from a page reach Slack inert."""
    hostile = "<!channel> <@U123> <https://evil|click> *bold*"
    change = Change(
        ChangeKind.FINDING_ADDED, PAGE, "kent", CYCLE, "u", f"Label {hostile}", None, hostile,
        finding_kind=AFI,
    )  # fmt: skip
    text = all_text(only(render_digest("kent", [change, DECLINE], SEEN)))
    for raw in ("<!channel>", "<@U123>", "<https://evil", "*bold*"):
        assert raw not in text
    assert "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|click&gt; ∗bold∗" in text


def test_header_fits_even_for_a_long_name() -> None:
    """An unknown, absurdly long organisation still gives a header of at most 150 chars."""
    message = only(render_digest("x" * 400, [DECLINE], SEEN))
    assert len(message.blocks[0]["text"]["text"]) <= 150
    assert limit_error(message.to_dict()) is None


def sixty_changes() -> list[Change]:
    """60 changes of every kind, each carrying a unique marker word."""
    kinds = [ChangeKind.FINDING_ADDED, ChangeKind.FINDING_RESOLVED, ChangeKind.FINDING_REWORDED]
    changes = []
    for n in range(60):
        marker = f"MARK{n:03d}X"
        if n % 4 == 0:
            changes.append(grade(f"unit-{marker}", "good", "adequate", Direction.DECLINED))
            continue
        filler = " ".join(["the force should improve how it supervises investigations"] * 8)
        text = f"{marker} {filler}."
        wording = WordDiff((("equal", text),))
        changes.append(finding(kinds[n % 3], text, wording=wording))
    return changes


def test_long_digest_is_split_within_limits_and_loses_nothing() -> None:
    """A 60-change digest becomes numbered messages within Slack's limits, each change once."""
    messages = render_digest("kent", sixty_changes(), SEEN)
    assert len(messages) > 1
    for number, message in enumerate(messages, start=1):
        assert limit_error(message.to_dict()) is None
        header = f"Kent Police: inspection changes ({number}/{len(messages)})"
        assert message.blocks[0]["text"]["text"] == header
        assert message.text.endswith(f"({number}/{len(messages)})")
        assert message.blocks[-1]["type"] == "context"  # every part links its page
    markers = re.findall(r"MARK\d{3}X", "\n".join(all_text(m) for m in messages))
    assert sorted(markers) == [f"MARK{n:03d}X" for n in range(60)]


def test_many_short_changes_stay_under_fifty_blocks() -> None:
    """Hundreds of one-line changes pack into sections and never pass 50 blocks."""
    changes = [grade(f"u{n}", "good", "adequate", Direction.DECLINED) for n in range(400)]
    messages = render_digest("kent", changes, SEEN)
    assert all(limit_error(m.to_dict()) is None for m in messages)
    assert sum(all_text(m).count(":small_red_triangle_down:") for m in messages) == 400


def test_long_finding_spans_consecutive_sections() -> None:
    """A finding longer than a section is split over sections, every word kept, each quoted."""
    words = [f"w{n}" for n in range(1000)]
    message = only(
        render_digest("kent", [finding(ChangeKind.FINDING_ADDED, " ".join(words))], SEEN)
    )
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert len(sections) >= 2
    assert all(len(s) <= 3000 for s in sections)
    assert all(s.split("\n")[-1].startswith("> ") for s in sections)
    quoted = " ".join(line[2:] for s in sections for line in s.split("\n") if line.startswith("> "))
    assert quoted.split() == words


def test_message_round_trips_through_json() -> None:
    """A message stored in the outbox as JSON comes back equal."""
    message = only(render_digest("kent", [DECLINE], SEEN))
    assert Message.from_dict(json.loads(json.dumps(message.to_dict()))) == message


def test_split_message_halves_blocks_and_repeats_the_header() -> None:
    """A refused message splits in two halves that together hold every block."""
    message = render_digest("kent", sixty_changes(), SEEN)[0]
    first, second = split_message(message) or pytest.fail("could not split")
    assert first.blocks[0] == message.blocks[0]
    assert second.blocks[0]["text"]["text"].endswith("(continued)")
    assert first.blocks[1:] + second.blocks[1:] == message.blocks[1:]


def test_split_message_cuts_a_lone_section_in_two() -> None:
    """A single long section is cut at a line end; nothing is lost."""
    text = "\n".join(f"line {n}" for n in range(100))
    message = Message("t", ({"type": "section", "text": {"type": "mrkdwn", "text": text}},))
    first, second = split_message(message) or pytest.fail("could not split")
    joined = first.blocks[0]["text"]["text"] + "\n" + second.blocks[0]["text"]["text"]
    assert joined == text


def assessment(n: int) -> Assessment:
    return Assessment(
        organisation="kent",
        cycle=CYCLE,
        kind=PageKind.PEEL_REPORT,
        url=f"{PAGE}?n={n}",
        judgements=(
            Judgement(f"{CYCLE}/a", "A", Grade.GOOD),
            Judgement(f"{CYCLE}/b", "B", Grade.ADEQUATE),
            Judgement(f"{CYCLE}/c", "C", Grade.NOT_YET_GRADED),
        ),
        findings=(
            Finding(AFI, f"{CYCLE}/a", "Improve."),
            Finding(FindingKind.PRACTICE, f"{CYCLE}/a", "Good idea."),
        ),
    )


def test_baseline_is_one_short_message() -> None:
    """First-seen pages give one "Now watching" note with counts, not an alert per grade."""
    message = render_baseline([assessment(n) for n in range(12)], SEEN)
    assert message.blocks[0]["text"]["text"] == "Now watching 12 pages"
    text = all_text(message)
    assert f"• <{PAGE}?n=0|Kent Police> · PEEL 2023–25 · 2 grades, 1 finding" in text
    assert "Seen 22 Nov 2026" in text
    assert message.text == "Now watching 12 pages (baseline recorded)"
    assert limit_error(message.to_dict()) is None


def test_baseline_is_capped() -> None:
    """A long baseline lists a sensible number of pages, then how many more."""
    message = render_baseline([assessment(n) for n in range(55)], SEEN)
    text = all_text(message)
    assert text.count("• ") == 25
    assert "… and 30 more" in text
    assert limit_error(message.to_dict()) is None
