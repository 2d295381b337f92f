"""Routing: which destinations an alert goes to, mentions, threads; per-destination rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from watcher.config import SlackRoute, SlackSettings
from watcher.models import Change, ChangeKind, Direction, FindingKind
from watcher.notify import Message
from watcher.notify.routes import (
    DEFAULT,
    OPS,
    is_loud,
    mention_markup,
    router_keys,
    with_mention,
)
from watcher.store import PendingAlert, Store, open_database

KENT_PAGE = "https://example.org/peel-assessments/peel-2017/kent/legitimacy/"
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def change(
    kind: ChangeKind = ChangeKind.GRADE,
    organisation: str = "kent",
    direction: Direction | None = Direction.DECLINED,
    **fields: object,
) -> Change:
    return Change(
        kind=kind,
        url=fields.pop("url", KENT_PAGE),  # type: ignore[arg-type]
        organisation=organisation,
        cycle="peel-2017",
        direction=direction,
        **fields,  # type: ignore[arg-type]
    )


def alert(c: Change | None, kind: str = "change", organisation: str = "kent") -> PendingAlert:
    return PendingAlert(
        id=c.id if c else "note",
        organisation=organisation,
        kind=kind,
        change=c,
        payload=None,
        created_at=NOW.isoformat(),
        attempts=0,
    )


def route(index: int, **fields: object) -> SlackRoute:
    return SlackRoute(index=index, **fields)  # type: ignore[arg-type]


KENT = route(0, channel="C0KENT", forces=frozenset({"kent"}), thread=True)
NEWS = route(
    1,
    channel="C0NEWS",
    kinds=frozenset({"monitoring_entered", "grade"}),
    directions=frozenset({"declined"}),
    mention="here",
)
FIRE = route(2, webhook_env="HOOK_FIRE", services=frozenset({"kent"}))
SOUTH_EAST = route(3, channel="C0SE", regions=frozenset({"south-east"}), kinds=frozenset({"grade"}))
ROUTER = router_keys(
    SlackSettings(channel="C0DEF", ops_channel="C0OPS", routes=(KENT, NEWS, FIRE, SOUTH_EAST)),
    "slack:C0DEF",
)


def test_a_change_goes_to_every_matching_route() -> None:
    """Kent's decline: its office, the newsroom (a decline) and its region (a grade)."""
    assert ROUTER.destinations(alert(change())) == ["slack:C0KENT", "slack:C0NEWS", "slack:C0SE"]
    sussex = change(organisation="sussex", direction=Direction.IMPROVED)
    assert ROUTER.destinations(alert(sussex, organisation="sussex")) == ["slack:C0SE"]


def test_directions_hold_for_grades_and_named_kinds_only() -> None:
    improved = change(direction=Direction.IMPROVED, organisation="essex")
    assert ROUTER.destinations(alert(improved, organisation="essex")) == [DEFAULT]
    entered = change(ChangeKind.MONITORING_ENTERED, organisation="essex", direction=None)
    assert ROUTER.destinations(alert(entered, organisation="essex")) == ["slack:C0NEWS"]
    finding = change(
        ChangeKind.FINDING_ADDED,
        organisation="essex",
        direction=None,
        finding_kind=FindingKind.AREA_FOR_IMPROVEMENT,
    )
    assert ROUTER.destinations(alert(finding, organisation="essex")) == [DEFAULT]


def test_services_filter_matches_the_fire_service_not_the_force() -> None:
    fire = change(ChangeKind.GRADE, organisation="frs/kent", direction=Direction.IMPROVED)
    assert "webhook:HOOK_FIRE" in ROUTER.destinations(alert(fire, organisation="frs/kent"))
    police = change(ChangeKind.GRADE, organisation="kent", direction=Direction.IMPROVED)
    assert "webhook:HOOK_FIRE" not in ROUTER.destinations(alert(police))


def test_page_health_goes_to_ops_and_the_summary_to_the_default() -> None:
    down = change(ChangeKind.PAGE_UNREACHABLE, direction=None)
    assert ROUTER.destinations(alert(down)) == [OPS]  # the Kent route takes no health
    assert ROUTER.destinations(alert(None, kind="baseline", organisation="")) == [DEFAULT]
    assert ROUTER.destinations(alert(None, kind="publication", organisation="")) == [OPS]
    no_ops = router_keys(SlackSettings(channel="C0DEF", routes=(KENT,)), "slack:C0DEF")
    assert no_ops.destinations(alert(down)) == [DEFAULT]


def test_a_route_naming_the_default_channel_is_the_default_destination() -> None:
    same = route(0, channel="C0DEF", forces=frozenset({"kent"}))
    router = router_keys(
        SlackSettings(channel="C0DEF", ops_channel="C0DEF", routes=(same,)), "slack:C0DEF"
    )
    assert router.keys == (DEFAULT,)
    assert router.destinations(alert(change())) == [DEFAULT]


def test_mentions_only_for_the_route_that_asks() -> None:
    entered = change(ChangeKind.MONITORING_ENTERED, direction=None)
    assert ROUTER.mention("slack:C0NEWS", [entered]) == "<!here>"
    assert ROUTER.mention("slack:C0KENT", [entered]) is None
    assert ROUTER.mention(DEFAULT, [entered]) is None
    assert [mention_markup(m) for m in ("here", "channel", "S0TEAM", "U0USER")] == [
        "<!here>",
        "<!channel>",
        "<!subteam^S0TEAM>",
        "<@U0USER>",
    ]
    header = {"type": "header", "text": {"type": "plain_text", "text": "Kent"}}
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "Grade down"}}
    marked = with_mention(Message("Kent: grade down", (header, section)), "<!here>")
    assert marked.text == "<!here> Kent: grade down"
    assert marked.blocks[1]["text"]["text"] == "<!here> Grade down"
    assert ROUTER.threaded("slack:C0KENT")
    assert not ROUTER.threaded("slack:C0NEWS")


@pytest.mark.parametrize(
    ("c", "loud"),
    [
        (change(ChangeKind.MONITORING_ENTERED, direction=None), True),
        (change(direction=Direction.DECLINED), True),
        (change(direction=Direction.FIRST, after="good"), False),
        (change(direction=Direction.FIRST, after="inadequate"), True),
        (
            change(
                ChangeKind.FINDING_ADDED,
                direction=None,
                finding_kind=FindingKind.CAUSE_OF_CONCERN,
            ),
            True,
        ),
        (
            change(
                ChangeKind.FINDING_RESOLVED,
                direction=None,
                finding_kind=FindingKind.AREA_FOR_IMPROVEMENT,
            ),
            False,
        ),
    ],
)
def test_loud_changes(c: Change, loud: bool) -> None:
    assert is_loud(c) is loud


def test_routing_gives_each_destination_its_own_row_once(tmp_path: Path) -> None:
    store = Store(open_database(tmp_path / "watcher.db"))
    store.db.table("outbox").insert(
        {
            "id": "a1",
            "organisation": "kent",
            "kind": "change",
            "state": "pending",
            "attempts": 0,
            "created_at": NOW.isoformat(),
        }
    )
    store.route({"a1": ["slack:C0KENT", "slack:C0NEWS", DEFAULT]})
    store.route({"a1": ["slack:C0OTHER"]})  # already routed: nothing changes
    rows = {a.id: a.destination for a in store.pending_alerts()}
    assert rows == {"a1": "slack:C0KENT", "a1@slack:C0NEWS": "slack:C0NEWS", "a1@default": DEFAULT}
    store.mark_sent(["a1@slack:C0NEWS"], "1.0", NOW)
    assert {a.id for a in store.pending_alerts()} == {"a1", "a1@default"}
    # A destination gone from the config hands its rows to the default, never twice.
    store.hand_over(["a1"], DEFAULT)
    assert {a.id: a.destination for a in store.pending_alerts()} == {"a1@default": DEFAULT}
