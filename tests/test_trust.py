"""The check's trust rules as values: identity by title, Engage words, the message cap,
the new `[alerts]` keys, the migration and the validators of the stored body."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.pages import engage_page
from watcher.config import ConfigError, parse_config
from watcher.models import Assessment, Change, ChangeKind, FindingKind, PageKind
from watcher.notify.deliver import _batches
from watcher.notify.render import render_health, render_overflow
from watcher.parse import parse_all
from watcher.store import PendingAlert, Store
from watcher.store.schema import _migration_page_trust, open_database
from watcher.trust import distrust, title_forces, wrong_identity

NOW = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
URL = "https://h.example/peel-reports/kent-2023-25/"
ENGAGE_URL = (
    "https://h.example/about-us/what-we-do/our-approach-to-monitoring-forces/"
    "police-forces-in-engage/"
)


def titled(title: str, kind: PageKind = PageKind.PEEL_REPORT) -> Assessment:
    return Assessment("kent", "peel-2023-25", kind, URL, title)


@pytest.mark.parametrize(
    ("title", "named"),
    [
        ("Essex PEEL 2017", ["essex"]),
        ("PEEL 2023–2025: An inspection of Essex Police", ["essex"]),
        ("Kent Police – PEEL 2021/22", ["kent"]),
        ("PEEL 2023–2025 — An inspection of Essex Police", []),  # the intro, not the h1
        ("Police forces in Engage", []),
    ],
)
def test_title_forces_reads_the_h1_only(title: str, named: list[str]) -> None:
    """The forces a title names come from its h1, in full or by short name at its head."""
    assert title_forces(title) == named


def test_wrong_identity_only_for_another_force_in_the_title() -> None:
    """Another force in the title is an identity clash; this force among others is not."""
    assert "Essex Police" in (wrong_identity("kent", titled("Essex PEEL 2017")) or "")
    assert wrong_identity("kent", titled("Joint inspection: Kent Police and Essex Police")) is None
    assert wrong_identity("kent", titled("Kent PEEL 2017")) is None
    assert wrong_identity("frs/kent", titled("Essex Police")) is None  # fire pages name police


def test_distrust_prefers_the_parsers_reason() -> None:
    """A reading the parser marks unreadable is distrusted with the parser's reason."""
    unreadable = Assessment("kent", "", PageKind.PEEL_REPORT, URL, unreadable="graphic only")
    assert distrust("kent", [unreadable]) == "graphic only"
    assert distrust("kent", [titled("Kent PEEL 2017")]) is None


def test_engage_listing_nobody_needs_the_words() -> None:
    """An empty Engage list reads as nobody only when the page says so."""
    assert parse_all(engage_page([]), ENGAGE_URL) == []
    silent = parse_all(engage_page([], says_nobody=False), ENGAGE_URL)
    assert len(silent) == 1
    assert "lists no force" in (silent[0].unreadable or "")


def _alert(number: int) -> PendingAlert:
    change = Change(
        ChangeKind.FINDING_ADDED,
        URL,
        "kent",
        "peel-2023-25",
        unit="legitimacy",
        after=f"The force should improve case {number}.",
        finding_kind=FindingKind.AREA_FOR_IMPROVEMENT,
    )
    return PendingAlert(f"a{number}", "kent", "change", change, None, NOW.isoformat(), 0)


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_batches_are_capped_per_organisation(cap: int) -> None:
    """At most `cap` messages for one organisation; every alert is in exactly one batch."""
    alerts = [_alert(n) for n in range(200)]
    batches = _batches(alerts, cap)
    assert sum(len(messages) for _, messages in batches) == cap
    ids = [alert_id for batch_ids, _ in batches for alert_id in batch_ids]
    assert sorted(ids) == sorted(a.id for a in alerts)
    assert "watcher history kent" in str(batches[-1][1][0].blocks)


def test_overflow_and_unreadable_messages_say_what_to_do() -> None:
    """The summary counts and names the command; the unreadable note gives the reason."""
    summary = render_overflow("kent", [_alert(n).change for n in range(5)], NOW.date())  # type: ignore[misc]
    assert "5 more changes not shown" in summary.text
    note = Change(ChangeKind.PAGE_UNREADABLE, URL, "kent", "peel-2023-25", after="counts differ")
    text = str(render_health([note], NOW.date())[0].blocks)
    assert "can't read" in text
    assert "counts differ" in text
    assert "unreachable" not in text


@pytest.mark.parametrize(
    "text", ["[alerts]\nmax_messages = 0", "[alerts]\nmax_findings_changed = 'lots'"]
)
def test_alert_caps_are_validated(text: str) -> None:
    """A bad `[alerts]` cap names its key."""
    key = text.split("\n")[1].split(" ")[0]
    with pytest.raises(ConfigError, match=f"alerts.{key}"):
        parse_config(tomllib.loads(text))


def test_alert_caps_default() -> None:
    """Three messages per organisation, fifty findings at once, unless set."""
    alerts = parse_config({}).alerts
    assert (alerts.max_messages, alerts.max_findings_changed) == (3, 50)


def test_trust_migration_is_safe_to_repeat(tmp_path: Path) -> None:
    """The columns are added only when missing: run again, in any order, it changes nothing."""
    db = open_database(tmp_path / "w.db")
    _migration_page_trust(db)
    assert {"absent_seen_at", "unreadable_since", "held_hash"} <= set(db["pages"].columns_dict)


def test_a_200_without_validators_clears_the_stored_ones(tmp_path: Path) -> None:
    """The validators kept are those of the body stored, even when it came with none."""
    store = Store(open_database(tmp_path / "w.db"))
    run = store.start_run(NOW)
    page = titled("Kent PEEL 2017")
    for body, etag in ((b"<html>one</html>", '"one"'), (b"<html>two</html>", None)):
        store.record_assessment(
            run_id=run,
            url=URL,
            status=200,
            body=body,
            validators={"etag": etag, "last_modified": None},
            readings=[("", page)],
            changes=[],
            now=NOW,
        )
    state = store.page_state(URL)
    assert state is not None
    assert state.etag is None
