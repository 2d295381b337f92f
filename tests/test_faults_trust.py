"""The check's trust rules, over real sockets: what a first install, a real site and a
real operator bring (issue 12 items 1-5) and the "can't read reliably" note (issue 11).

Each scenario runs `watcher check` against the fake site and the fake Slack, counts what
reached Slack against what should have, and adds its figures to the reliability ledger.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    GRADE_CHANGE,
    LEGITIMACY,
    Tally,
    check_here,
    message_text,
    no_backoff,
    page_row,
    query,
    record,
    tally,
    write_config,
)
from tests.pages import (
    AFI_IPCC,
    AFI_VETTING,
    ENGAGE_PATH,
    EngagedForce,
    LegitimacyPage2017,
    engage_page,
)
from watcher.cli import main
from watcher.models import Assessment

GOOD = LegitimacyPage2017().html()
CHANGED = LegitimacyPage2017(pillar_grade="Good").html()
DEVON = EngagedForce("Devon and Cornwall Police", "October 2022", ["Calls are not answered."])
MET = EngagedForce("Metropolitan Police Service", "June 2022", ["Crimes are not recorded."])
LAYOUT_WHY = "summary table and area sections disagree on Legitimacy: good against outstanding"


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, timeout=0.3)


@pytest.fixture
def env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}


def engage_config(tmp_path: Path, site: FakeSite, slack: FakeSlack) -> Path:
    extra = f'[watch]\npages = ["{ENGAGE_PATH}"]'
    path = write_config(tmp_path, site.url("/"), slack.api_url, timeout=0.3)
    text = path.read_text(encoding="utf-8").replace('forces = ["kent"]', "forces = []")
    path.write_text(text.replace("[watch]", extra, 1), encoding="utf-8")
    return path


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(message_text(m) for m in messages)


# -- item 1: a failed first fetch -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("HTTP 500", {"status": 500}),
        ("HTTP 403", {"status": 403}),
        ("read timeout", {"delay": 1.0}),
    ],
)
def test_failed_first_fetch_then_good_read_is_a_baseline(
    name: str,
    fault: dict[str, Any],
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
) -> None:
    """A page whose first fetch failed is a baseline when it reads: not a new report."""
    fake_site.set_page(LEGITIMACY, GOOD)
    fake_site.inject(LEGITIMACY, **fault)
    assert check_here(config, env).exit_code == 1
    fake_site.faults.clear()
    assert check_here(config, env).exit_code == 0
    counts = tally(fake_slack.messages, ["Now watching 1 page"], [*_ALARMS, "New report"])
    record("site", f"first fetch {name}, then a good read", "baseline recorded", counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)
    assert "Outstanding" not in texts(fake_slack.messages)


_ALARMS = ("withdrawn", "resolved", "no grade shown", "unreachable", "New area for")


def test_page_seen_absent_then_published_is_announced(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """A page seen absent (404) and then published is news, with its grades."""
    check_here(config, env)  # every page absent: nothing to say
    fake_site.set_page(LEGITIMACY, GOOD)
    assert check_here(config, env).exit_code == 0
    assert "New report published" in texts(fake_slack.messages)


def test_failed_first_fetch_of_engage_is_no_flood(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack, env: dict[str, str]
) -> None:
    """The Engage page failing at first, then listing forces, is a baseline: no "entered"."""
    config = engage_config(tmp_path, fake_site, fake_slack)
    fake_site.set_page(ENGAGE_PATH, engage_page([DEVON, MET]))
    fake_site.inject(ENGAGE_PATH, status=503)
    check_here(config, env)
    fake_site.faults.clear()
    assert check_here(config, env).exit_code == 0
    counts = tally(fake_slack.messages, ["Now watching 1 page"], [*_ALARMS, "entered"])
    record("site", "Engage page: first fetch HTTP 503, then two forces", "baseline", counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)


# -- item 2: an Engage page that lists nobody -------------------------------------


def test_engage_listing_nobody_without_saying_so_is_unreadable(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack, env: dict[str, str]
) -> None:
    """An empty Engage list is "everyone left" only when the page says so in words."""
    config = engage_config(tmp_path, fake_site, fake_slack)
    fake_site.set_page(ENGAGE_PATH, engage_page([DEVON, MET]))
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.set_page(ENGAGE_PATH, engage_page([], says_nobody=False))
    assert check_here(config, env).exit_code == 1
    assert check_here(config, env).exit_code == 1  # told once, not every run
    placeholder = fake_slack.messages[baseline:]
    assert page_row(config, ENGAGE_PATH)["last_outcome"] == "unreadable"
    fake_site.set_page(ENGAGE_PATH, engage_page([]))  # "There are currently no forces…"
    assert check_here(config, env).exit_code == 0
    left = [f"{force.name}: left enhanced monitoring" for force in (DEVON, MET)]
    expected = ["can't read", "reads reliably again", *left]
    counts = tally(fake_slack.messages[baseline:], expected)
    record("site", "Engage page lists nobody and says nothing", "unreadable, told once", counts)
    assert counts == Tally(expected=4, delivered=4, duplicates=0, false_alerts=0)
    assert "left enhanced monitoring" not in texts(placeholder)
    assert "unreachable" not in texts(placeholder)


# -- item 3: stale validators -----------------------------------------------------


def test_a_200_without_validators_clears_the_old_ones(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """The validators sent are the stored body's: a revert after a 200 without them alerts."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.validators = False
    fake_site.set_page(LEGITIMACY, CHANGED)  # served with no ETag or Last-Modified
    check_here(config, env)
    fake_site.validators = True
    fake_site.set_page(LEGITIMACY, GOOD)  # the revert, with its old ETag
    check_here(config, env)
    last = fake_site.requests_for(LEGITIMACY)[-1]
    assert "if-none-match" not in last.headers
    assert "if-modified-since" not in last.headers
    counts = tally(fake_slack.messages[baseline:], [GRADE_CHANGE, "Good → Outstanding"])
    record("site", "200 without validators, then a revert", "revert alerted", counts)
    assert counts == Tally(expected=2, delivered=2, duplicates=0, false_alerts=0)


# -- item 4: another force at this force's address --------------------------------


def test_page_titled_for_another_force_is_unreadable(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """Essex's page at Kent's address is not Kent's news: unreadable, with the reason."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    essex = LegitimacyPage2017(force="Essex Police", pillar_grade="Good").html()
    fake_site.set_page(LEGITIMACY, essex.replace(b"Kent PEEL 2017", b"Essex PEEL 2017"))
    assert check_here(config, env).exit_code == 1
    row = page_row(config)
    assert row["last_outcome"] == "unreadable"
    assert "Essex Police" in row["last_error"]
    assert "Kent Police" in row["last_error"]
    counts = tally(fake_slack.messages[baseline:], ["can't read"])
    record("site", "another force's page at this force's address", row["last_error"], counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)
    assert GRADE_CHANGE not in texts(fake_slack.messages)


def test_wrong_force_in_the_introduction_only_still_reads(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """The publisher's slip (another force named in the text, §7) is not an identity clash."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    fake_site.set_page(
        LEGITIMACY, LegitimacyPage2017(force="Essex Police", pillar_grade="Good").html()
    )
    assert check_here(config, env).exit_code == 0
    assert GRADE_CHANGE in texts(fake_slack.messages)


# -- item 5: a cap on one run's messages, and implausible change sets -------------


def _afis(count: int) -> dict[int, list[str]]:
    made = [
        f"The force should improve how it reviews the handling of case number {n}."
        for n in range(count)
    ]
    return {2: [AFI_IPCC, AFI_VETTING, *made]}


def test_messages_per_organisation_are_capped(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack, env: dict[str, str]
) -> None:
    """Past `[alerts] max_messages`, the rest is one summary naming the command to see it."""
    extra = "[alerts]\nmax_messages = 2\nmax_findings_changed = 1000"
    config = write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, extra=extra)
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(afis=_afis(100)).html())
    assert check_here(config, env).exit_code == 0
    arrived = fake_slack.messages[baseline:]
    assert len(arrived) == 2
    assert "more changes not shown" in message_text(arrived[-1])
    assert "watcher history kent" in message_text(arrived[-1])
    assert not list(_pending(config))
    record("site", "100 findings added at once, max_messages 2", f"{len(arrived)} messages", None)


def _pending(config: Path) -> list[dict[str, Any]]:
    return query(config, "select * from outbox where state = 'pending'")


def test_implausible_change_set_is_held_for_a_second_reading(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """Hundreds of findings at once wait for the next run to read the same, then are capped."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    flood = LegitimacyPage2017(afis=_afis(300)).html()
    fake_site.set_page(LEGITIMACY, flood)
    assert check_here(config, env).exit_code == 0
    assert len(fake_slack.messages) == baseline  # held: nothing yet
    assert page_row(config)["last_outcome"] == "held"
    fake_site.set_page(LEGITIMACY, flood + b"\n")  # the same reading, new bytes
    assert check_here(config, env).exit_code == 0
    arrived = fake_slack.messages[baseline:]
    assert len(arrived) == 3  # [alerts] max_messages, default 3
    assert "more changes not shown" in message_text(arrived[-1])
    record("site", "300 findings added at once", f"held, then {len(arrived)} messages", None)


def test_a_flood_that_goes_away_is_never_alerted(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """A change set read once and gone the next run alerts nothing."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(afis=_afis(300)).html())
    check_here(config, env)
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    counts = tally(fake_slack.messages[baseline:], [])
    record("site", "300 findings for one run, then the page as before", "held, dropped", counts)
    assert counts == Tally(expected=0, delivered=0, duplicates=0, false_alerts=0)


# -- issue 11: the operator's side of an unreadable page --------------------------


def _unreadable_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the parser say the page cannot be read reliably (as a layout it doubts would)."""
    import watcher.parse

    real = watcher.parse.parse_all

    def parse_all(body: bytes, url: str) -> list[Assessment]:
        return [replace(a, unreadable=LAYOUT_WHY) for a in real(body, url)]

    monkeypatch.setattr(watcher.parse, "parse_all", parse_all)  # `check` imports it from there


def test_unreadable_page_is_told_once_and_again_when_it_reads(
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One "can't read reliably: why" at the first run, one when it reads; never "unreachable"."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.set_page(LEGITIMACY, CHANGED)
    with monkeypatch.context() as patch:
        _unreadable_parse(patch)
        for _ in range(4):  # past unreachable_after: still one note
            assert check_here(config, env).exit_code == 1
    told = fake_slack.messages[baseline:]
    assert len(told) == 1
    assert "can't read" in message_text(told[0])
    assert LAYOUT_WHY in message_text(told[0])
    wide = {**env, "COLUMNS": "300"}  # one line per row: the reason is not folded
    status = CliRunner().invoke(main, ["--config", str(config), "status"], env=wide)
    assert status.exit_code == 1
    assert "can't be read reliably" in status.output
    assert "disagree" in status.output
    assert check_here(config, env).exit_code == 0
    expected = ["can't read", "reads reliably again", GRADE_CHANGE]
    counts = tally(fake_slack.messages[baseline:], expected)
    record("site", "the parser cannot read the page reliably (4 runs)", LAYOUT_WHY, counts)
    assert counts == Tally(expected=3, delivered=3, duplicates=0, false_alerts=0)


def test_page_never_read_and_unreadable_is_told_once(
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page unreadable from its first fetch: one note, no baseline entry, no alerts."""
    fake_site.set_page(LEGITIMACY, GOOD)
    _unreadable_parse(monkeypatch)
    check_here(config, env)
    check_here(config, env)
    counts = tally(fake_slack.messages, ["can't read"])
    record("site", "unreadable from the first fetch (2 runs)", "told once", counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)
    assert "Now watching" not in texts(fake_slack.messages)


def test_show_json_says_why_a_page_is_unreadable(
    fake_site: FakeSite, config: Path, env: dict[str, str]
) -> None:
    """`show --json` gives `readings` and `unreadable` with its reason, and exits 1."""
    essex = LegitimacyPage2017(force="Essex Police").html()
    fake_site.set_page(LEGITIMACY, essex.replace(b"Kent PEEL 2017", b"Essex PEEL 2017"))
    url = fake_site.url(LEGITIMACY)
    shown = CliRunner().invoke(main, ["--config", str(config), "show", url, "--json"], env=env)
    assert shown.exit_code == 1, shown.output
    data = json.loads(shown.output)
    assert "readings" in data
    assert "Essex Police" in data["unreadable"]
    fake_site.set_page(LEGITIMACY, GOOD)
    shown = CliRunner().invoke(main, ["--config", str(config), "show", url, "--json"], env=env)
    assert shown.exit_code == 0
    assert json.loads(shown.output)["unreadable"] is None
