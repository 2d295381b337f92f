"""The outbox: alerts waiting for delivery, one row per alert per destination.

A mixin of `Store`. A row is queued with no destination (`outbox.destination` null);
the first delivery after it routes it (`route`): in one transaction the row takes its
first destination and a copy `<id>@<destination>` is added for each further one, so
every destination has its own row, marked in flight, sent or failed on its own. A
destination failing never holds up another's rows, and a crash part-way through a
delivery leaves each destination's rows exactly where that destination's posts got.

`slack_threads` keeps, per destination, the message that opened a report's thread
(`thread = true` routes): it is written in the transaction that marks that message sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from watcher.config import mask_secrets
from watcher.models import Change
from watcher.store.schema import change_from_dict


@dataclass(frozen=True)
class PendingAlert:
    """An outbox row not yet confirmed by Slack."""

    id: str
    organisation: str
    kind: str  # "change", "baseline" or "publication"
    change: Change | None
    payload: dict[str, Any] | None
    created_at: str
    attempts: int
    in_flight_at: str | None = None  # a post was attempted then: it may have arrived
    destination: str | None = None  # None: not routed yet


def copy_id(alert_id: str, destination: str) -> str:
    """The id of an alert's row for a further destination."""
    return f"{alert_id}@{destination}"


class OutboxRecords:
    """The delivery side of `Store` (needs its `db` and `transaction`)."""

    db: sqlite_utils.Database

    def transaction(self) -> AbstractContextManager[None]:
        raise NotImplementedError  # Store's own

    def pending_alerts(self) -> list[PendingAlert]:
        rows = self.db.query(
            """select o.*, c.detail from outbox o left join changes c on c.id = o.change_id
            where o.state = 'pending' order by o.created_at, o.rowid"""
        )
        return [_pending(row) for row in rows]

    def route(self, destinations: Mapping[str, Sequence[str]]) -> None:
        """Give each unrouted row its destinations, all in one transaction.

        The row itself takes the first; a copy (`<id>@<destination>`) is queued for
        each further one. A row already routed is left alone, so a second call after a
        crash changes nothing.
        """
        with self.transaction():
            for alert_id, targets in destinations.items():
                if not targets:
                    continue
                rows = list(self.db.query("select * from outbox where id = ?", [alert_id]))
                if not rows or rows[0].get("destination"):
                    continue
                row = rows[0]
                self.db.execute(
                    "update outbox set destination = ? where id = ?", [targets[0], alert_id]
                )
                for target in targets[1:]:
                    copy = {**row, "id": copy_id(alert_id, target), "destination": target}
                    copy.update(state="pending", attempts=0, last_error=None, in_flight_at=None)
                    copy.update(slack_ts=None, sent_at=None)
                    self.db.table("outbox").insert(copy, ignore=True)

    def hand_over(self, alert_ids: Sequence[str], destination: str) -> None:
        """Rows waiting for a destination no longer configured go to `destination`.

        A row whose alert already has a row there is closed (`superseded`) instead:
        the alert reaches that destination once, never twice.
        """
        with self.transaction():
            for alert_id in alert_ids:
                base = alert_id.split("@", 1)[0]
                twins = self.db.execute(
                    """select 1 from outbox where destination = ? and id != ?
                    and (id = ? or id = ?) limit 1""",
                    [destination, alert_id, base, copy_id(base, destination)],
                ).fetchone()
                state = "superseded" if twins else "pending"
                self.db.execute(
                    "update outbox set destination = ?, state = ? where id = ?",
                    [destination, state, alert_id],
                )

    def mark_sent(
        self,
        alert_ids: Sequence[str],
        ts: str | None,
        now: datetime,
        *,
        thread: tuple[str, str] | None = None,
    ) -> None:
        """Mark rows sent; `thread` (destination, page url): this message opened its thread."""
        with self.transaction():
            for alert_id in alert_ids:
                self.db.execute(
                    """update outbox set state = 'sent', slack_ts = ?, sent_at = ?,
                    attempts = attempts + 1, last_error = null where id = ?""",
                    [ts, now.isoformat(), alert_id],
                )
            if thread is not None and ts:
                self.db.execute(
                    """insert or ignore into slack_threads (destination, url, ts, created_at)
                    values (?, ?, ?, ?)""",
                    [thread[0], thread[1], ts, now.isoformat()],
                )

    def thread_roots(self, destination: str) -> dict[str, str]:
        """Page url → ts of the message that opened its thread in `destination`."""
        rows = self.db.query(
            "select url, ts from slack_threads where destination = ?", [destination]
        )
        return {row["url"]: row["ts"] for row in rows}

    def mark_in_flight(self, alert_ids: Sequence[str], now: datetime) -> None:
        """Note, before posting, that these rows may reach Slack from now on.

        The first attempt's time is kept: a later run reads Slack back from then.
        """
        with self.transaction():
            for alert_id in alert_ids:
                self.db.execute(
                    "update outbox set in_flight_at = coalesce(in_flight_at, ?) where id = ?",
                    [now.isoformat(), alert_id],
                )

    def mark_attempt_failed(self, alert_ids: Sequence[str], error: str) -> None:
        with self.transaction():
            for alert_id in alert_ids:
                self.db.execute(
                    "update outbox set attempts = attempts + 1, last_error = ? where id = ?",
                    [mask_secrets(error), alert_id],  # a secret is never stored
                )

    def set_notice(self, key: str, message: str, now: datetime) -> None:
        """Keep a delivery notice for `watcher status` (replacing one of the same key)."""
        with self.transaction():
            self.db.table("delivery_notices").upsert(
                {"key": key, "message": message, "noted_at": now.isoformat()}, pk="key"
            )

    def clear_notice(self, key: str) -> None:
        with self.transaction():
            self.db.execute("delete from delivery_notices where key = ?", [key])


def _pending(row: dict[str, Any]) -> PendingAlert:
    return PendingAlert(
        id=row["id"],
        organisation=row["organisation"],
        kind=row["kind"],
        change=change_from_dict(json.loads(row["detail"])) if row["detail"] else None,
        payload=json.loads(row["payload"]) if row["payload"] else None,
        created_at=row["created_at"],
        attempts=row["attempts"],
        in_flight_at=row.get("in_flight_at"),
        destination=row.get("destination"),
    )
