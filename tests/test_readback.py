"""Exactly once with a bot token: metadata on every message, and reading Slack back.

Through the real slack-sdk client against the fake Slack, with a real SQLite file.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from slack_sdk import WebClient

from tests.fake_slack import FakeSlack
from watcher.config import SlackRoute, SlackSettings
from watcher.faults import Stage
from watcher.models import Change, ChangeKind, FindingKind
from watcher.notify import Message, RetryPolicy, Routing, SlackWebNotifier, deliver
from watcher.notify.readback import EVENT_TYPE, alert_metadata, half_metadata, posted_ids
from watcher.notify.routes import router_keys
from watcher.store import Store, open_database
from watcher.store.schema import change_row

CHANNEL = "C0123ABC"
FAST = RetryPolicy(retries=0, backoff=0.01, jitter=False, max_retry_after=1)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def notifier(fake: FakeSlack) -> SlackWebNotifier:
    client = WebClient(token=fake.token, base_url=fake.api_url, retry_handlers=FAST.handlers())
    return SlackWebNotifier(client, CHANNEL)


def store_with(tmp_path: Path, *texts: str) -> Store:
    store = Store(open_database(tmp_path / "watcher.db"))
    for number, text in enumerate(texts, start=1):
        store.queue_baseline(number, Message(text).to_dict(), NOW)
    return store


def now() -> datetime:
    return datetime.now(UTC)


def test_posted_ids_needs_every_part_of_a_batch() -> None:
    """An id counts as posted only when every part of its batch is in the history."""
    history = [
        {"ts": "2.0", "metadata": alert_metadata(["a", "b"], 0, 1)},
        {"ts": "3.0", "metadata": alert_metadata(["c"], 0, 2)},  # part 1 of 2 never arrived
        {"ts": "4.0", "metadata": {"event_type": "other", "event_payload": {}}},
        {"ts": "5.0"},
    ]
    assert posted_ids(history) == {"a": "2.0", "b": "2.0"}


def test_a_part_sent_in_halves_is_posted_only_when_its_halves_cover_it() -> None:
    """A part Slack refused as too long went out as halves (and halves of those): one
    half in the history is not the part; the halves that cover it are."""
    part = alert_metadata(["a"], 0, 1)
    first, second = half_metadata(part, 0), half_metadata(part, 1)
    second_first, second_second = half_metadata(second, 0), half_metadata(second, 1)
    assert posted_ids([{"ts": "1.0", "metadata": first}]) == {}
    assert posted_ids([{"ts": "1.0", "metadata": first}, {"ts": "2.0", "metadata": second}]) == {
        "a": "1.0"
    }
    pieces = [first, second_first]
    assert posted_ids([{"ts": str(n), "metadata": m} for n, m in enumerate(pieces)]) == {}
    pieces.append(second_second)
    assert posted_ids([{"ts": str(n), "metadata": m} for n, m in enumerate(pieces)]) == {"a": "0"}


def test_each_message_carries_its_outbox_ids(tmp_path: Path, fake_slack: FakeSlack) -> None:
    """A bot-token post carries metadata naming the outbox row it delivers."""
    store = store_with(tmp_path, "first note")
    tally = deliver(store, notifier(fake_slack), now)
    assert tally.alerts_sent == 1
    [message] = fake_slack.messages
    assert message["metadata"]["event_type"] == EVENT_TYPE
    assert message["metadata"]["event_payload"]["outbox_ids"] == ["baseline-1"]


def test_an_in_flight_row_slack_has_is_marked_sent_not_posted(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """A row left in flight whose message reached Slack is marked sent with that ts."""
    store = store_with(tmp_path, "first note", "second note")
    sent = notifier(fake_slack)
    store.mark_in_flight(["baseline-1"], now())
    first = Message("first note", metadata=alert_metadata(["baseline-1"], 0, 1))
    ts = sent.send(first).ts  # Slack took it; the process "died" before marking it sent
    tally = deliver(store, sent, now)
    assert tally.alerts_sent == 2
    assert [m["text"] for m in fake_slack.messages] == ["first note", "second note"]
    row = store.db.execute("select slack_ts, state from outbox where id = 'baseline-1'")
    assert row.fetchone() == (ts, "sent")


def test_an_in_flight_row_slack_lacks_is_posted(tmp_path: Path, fake_slack: FakeSlack) -> None:
    """A row left in flight that never reached Slack is posted, once."""
    store = store_with(tmp_path, "first note")
    store.mark_in_flight(["baseline-1"], now())
    assert deliver(store, notifier(fake_slack), now).alerts_sent == 1
    assert [m["text"] for m in fake_slack.messages] == ["first note"]


def test_history_unreadable_this_time_holds_in_flight_rows(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """Slack's history failing (5xx) holds the in-flight rows; the others still go out."""
    store = store_with(tmp_path, "first note", "second note")
    store.mark_in_flight(["baseline-1"], now())
    fake_slack.fail_next(status=500)  # the history call
    tally = deliver(store, notifier(fake_slack), now)
    assert (tally.alerts_sent, tally.alerts_pending) == (1, 1)
    assert "history" in (tally.delivery_error or "")
    assert [m["text"] for m in fake_slack.messages] == ["second note"]
    assert deliver(store, notifier(fake_slack), now).alerts_sent == 1  # next run: asked, sent
    assert [m["text"] for m in fake_slack.messages] == ["second note", "first note"]


def test_missing_history_scope_falls_back_and_notes_it(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """Without channels:history an in-flight row is posted again and the store notes why."""
    fake_slack.history_scope = False
    store = store_with(tmp_path, "first note")
    store.mark_in_flight(["baseline-1"], now())
    assert deliver(store, notifier(fake_slack), now).alerts_sent == 1
    [(message,)] = store.db.execute("select message from delivery_notices").fetchall()
    assert "channels:history" in message
    fake_slack.history_scope = True
    store.mark_in_flight(["baseline-1"], now())
    store.db.execute("update outbox set state = 'pending'")
    deliver(store, notifier(fake_slack), now)
    assert store.db.execute("select count(*) from delivery_notices").fetchone() == (0,)


KENT_PAGE = "https://example.org/peel-assessments/peel-2017/kent/legitimacy/"


def queue_finding(store: Store, text: str) -> str:
    """A Kent area for improvement added on one page, queued as a change row."""
    change = Change(
        kind=ChangeKind.FINDING_ADDED,
        url=KENT_PAGE,
        organisation="kent",
        cycle="peel-2017",
        unit="legitimacy",
        after=text,
        finding_kind=FindingKind.AREA_FOR_IMPROVEMENT,
    )
    stamp = now().isoformat()
    store.db.table("changes").insert(change_row(change, 1, stamp))
    store.db.table("outbox").insert(
        {
            "id": change.id,
            "run_id": 1,
            "organisation": "kent",
            "kind": "change",
            "change_id": change.id,
            "state": "pending",
            "attempts": 0,
            "created_at": stamp,
        }
    )
    return change.id


def test_an_in_flight_thread_reply_is_found_in_its_thread(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """A reply that reached Slack after our timeout is read back from its thread
    (`conversations.replies`: a quiet reply is not in the channel's history), not reposted."""
    store = store_with(tmp_path)
    threaded = SlackRoute(0, channel=CHANNEL, forces=frozenset({"kent"}), thread=True)
    router = router_keys(SlackSettings(channel=CHANNEL, routes=(threaded,)), f"slack:{CHANNEL}")
    client = WebClient(
        token=fake_slack.token, base_url=fake_slack.api_url, timeout=1, retry_handlers=[]
    )
    routing = Routing(router, {"default": SlackWebNotifier(client, CHANNEL)})
    queue_finding(store, "The force should record crime accurately.")
    assert deliver(store, routing, now).alerts_sent == 1
    [root] = fake_slack.messages

    reply = queue_finding(store, "The force should answer calls quickly.")
    fake_slack.post_delay = 1.5  # Slack takes the reply, answers after our timeout
    tally = deliver(store, routing, now)
    assert tally.alerts_pending == 1
    fake_slack.post_delay = 0
    assert len(fake_slack.messages) == 2
    assert fake_slack.messages[1]["thread_ts"] == root["ts"]
    assert fake_slack.in_channel(CHANNEL) == [root]  # quiet: only in the thread

    assert deliver(store, routing, now).alerts_sent == 1  # found in the thread
    assert len(fake_slack.messages) == 2  # never posted twice
    [(state,)] = store.db.execute("select state from outbox where id = ?", [reply]).fetchall()
    assert state == "sent"


class _Crash(Exception):
    """The process dying where the crash switch names."""


def test_a_split_thread_opener_cut_short_by_a_crash_is_found_whole(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report's first message went out in halves, the second in the thread the first
    opened, and the run died before marking it sent: the next run finds both (the
    second in that thread, which the store never learnt of) and posts nothing again."""
    store = store_with(tmp_path)
    threaded = SlackRoute(0, channel=CHANNEL, forces=frozenset({"kent"}), thread=True)
    router = router_keys(SlackSettings(channel=CHANNEL, routes=(threaded,)), f"slack:{CHANNEL}")
    client = WebClient(token=fake_slack.token, base_url=fake_slack.api_url, retry_handlers=[])
    routing = Routing(router, {"default": SlackWebNotifier(client, CHANNEL)})
    alert = queue_finding(store, "The force should record crime accurately.")
    fake_slack.max_blocks = 2  # the digest is a header and two blocks: sent in halves

    def crash(stage: Stage) -> None:
        if stage == Stage.SLACK_ACCEPTED:
            raise _Crash

    # The module, not the package's `deliver` function of the same name.
    monkeypatch.setattr(importlib.import_module("watcher.notify.deliver"), "crash_point", crash)
    with pytest.raises(_Crash):
        deliver(store, routing, now)
    opener, *rest = posted = list(fake_slack.messages)
    assert rest
    assert all(m["thread_ts"] == opener["ts"] for m in rest)
    assert fake_slack.in_channel(CHANNEL) == [opener]

    monkeypatch.undo()
    assert deliver(store, routing, now).alerts_sent == 1
    assert fake_slack.messages == posted  # nothing posted twice
    [(state,)] = store.db.execute("select state from outbox where id = ?", [alert]).fetchall()
    assert state == "sent"
