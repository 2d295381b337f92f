"""Exactly once with a bot token: each message carries its outbox ids, and Slack is asked.

Every message is posted with Slack message metadata (`event_type` `watcher_alert`,
its outbox ids and its part number). A row is marked in flight before its post; a run
that finds in-flight rows (a crash, or Slack answering after our timeout) reads the
channel's history from the in-flight time on (`conversations.history` with
`include_all_metadata`) and marks sent what arrived, so only what did not is posted.

Reading history needs the `channels:history` scope (`groups:history` for a private
channel). Without it, delivery falls back to the old bound (at most one repeated message
per crash) and `watcher status` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

EVENT_TYPE = "watcher_alert"
NOTICE_KEY = "readback"
# Our clock and Slack's may disagree: read back from a little before the in-flight time.
CLOCK_MARGIN = timedelta(minutes=5)
HISTORY_PAGE = 200
MAX_HISTORY_PAGES = 10  # 2,000 messages since the crash: past that, post again (the bound)
# Slack's answers that mean the token cannot read history (not a passing fault).
UNREADABLE = frozenset({"missing_scope", "not_allowed_token_type", "no_permission"})
UNAVAILABLE = (
    "Slack's history cannot be read back ({code}): add the channels:history scope "
    "(groups:history for a private channel) and reinstall the app; until then a crash "
    "during delivery may repeat one message"
)


@dataclass(frozen=True)
class Readback:
    """What Slack's history says arrived since a time.

    `posted`: outbox id → ts of its first message, for each id whose every part arrived.
    `unavailable`: why history cannot be read at all (fall back to the old bound).
    `error`: why it could not be read this time (hold the in-flight rows, ask next run).
    """

    posted: Mapping[str, str] = field(default_factory=dict)
    unavailable: str | None = None
    error: str | None = None


@runtime_checkable
class ReadsBack(Protocol):
    """A sender that can tell which outbox rows already reached Slack."""

    def read_back(self, since: datetime, threads: Sequence[str] = ()) -> Readback: ...


def alert_metadata(alert_ids: Sequence[str], part: int, parts: int) -> dict[str, Any]:
    """The metadata of one message of a batch: its rows and which part of the batch it is."""
    return {
        "event_type": EVENT_TYPE,
        "event_payload": {"outbox_ids": list(alert_ids), "part": part, "parts": parts},
    }


def oldest(since: datetime) -> str:
    """`conversations.history`'s `oldest`: the in-flight time less the clock margin."""
    return f"{(since - CLOCK_MARGIN).timestamp():.6f}"


def posted_ids(messages: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Outbox ids whose every part is among `messages`, with their first part's ts.

    A part Slack refused as too long went out as halves (halves of halves...), each
    marked with its `cut` ("0", "1", "10"...): the part is there when its halves cover
    it. An id with only some parts in Slack counts as not posted: all of it goes again
    (the documented bound for a batch of several messages).
    """
    cuts_seen: dict[tuple[str, int], set[str]] = {}
    wanted: dict[str, int] = {}
    first_ts: dict[str, str] = {}
    for message in messages:
        payload = _payload(message)
        if payload is None:
            continue
        ids, part, parts, cut = payload
        for alert_id in ids:
            cuts_seen.setdefault((alert_id, part), set()).add(cut)
            wanted[alert_id] = parts
            if part == 0 and not cut.strip("0"):  # the first part, or its first half
                first_ts[alert_id] = str(message.get("ts") or "")
    return {
        alert_id: first_ts.get(alert_id, "")
        for alert_id, parts in wanted.items()
        if all(_covered(cuts_seen.get((alert_id, part), set()), "") for part in range(parts))
    }


# Deeper than any split a sender makes (it halves a message at most a few times).
_MAX_CUT = 16


def _covered(cuts: set[str], cut: str) -> bool:
    """Whether the message piece `cut` is among `cuts`, whole or as both its halves."""
    if cut in cuts:
        return True
    if len(cut) >= _MAX_CUT:
        return False
    return _covered(cuts, cut + "0") and _covered(cuts, cut + "1")


def half_metadata(metadata: dict[str, Any] | None, side: int) -> dict[str, Any] | None:
    """The metadata of one half (`side` 0 or 1) of a message Slack refused as too long."""
    if not metadata or not isinstance(metadata.get("event_payload"), Mapping):
        return metadata
    payload = dict(metadata["event_payload"])
    payload["cut"] = f"{payload.get('cut', '')}{side}"
    return {**metadata, "event_payload": payload}


def unfinished_openers(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ts of each of our messages whose rows are not all among `messages`: one that
    opened a thread sends its later parts into it, and they are read from there."""
    found = list(messages)
    posted = posted_ids(found)
    openers = []
    for message in found:
        payload = _payload(message)
        if payload is not None and message.get("ts") and not all(i in posted for i in payload[0]):
            openers.append(str(message["ts"]))
    return openers


def _payload(message: Mapping[str, Any]) -> tuple[list[str], int, int, str] | None:
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping) or metadata.get("event_type") != EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    if not isinstance(payload, Mapping):
        return None
    ids, part, parts = payload.get("outbox_ids"), payload.get("part"), payload.get("parts")
    if not isinstance(ids, list) or not isinstance(part, int) or not isinstance(parts, int):
        return None
    cut = payload.get("cut", "")
    if not isinstance(cut, str) or cut.strip("01"):
        return None
    return [str(i) for i in ids], part, parts, cut
