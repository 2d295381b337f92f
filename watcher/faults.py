"""A crash switch for the fault tests, built into the library (off unless asked for).

`WATCHER_CRASH_AT=<stage>` in the environment makes the process kill itself with
SIGKILL when a run reaches that stage, so a test can prove that a real crash at each
boundary of a run loses no alert and repeats none. Like stamina's testing switch, it
is part of the program rather than a monkeypatch, so the tests run the real thing
(`python -m watcher check` in a subprocess). Unset, `crash_point` costs one lookup.
"""

from __future__ import annotations

import os
import signal
from enum import StrEnum

CRASH_AT_ENV = "WATCHER_CRASH_AT"


class Stage(StrEnum):
    """The boundaries of a run, in the order a run passes them."""

    FETCHED = "fetched"  # a page's response is in; nothing of it is stored yet
    ASSESSMENT_STORED = "assessment_stored"  # inside the store transaction, before changes
    CHANGES_STORED = "changes_stored"  # assessment, changes and outbox committed; unsent
    IN_FLIGHT = "in_flight"  # outbox rows marked in flight; not yet posted
    SLACK_ACCEPTED = "slack_accepted"  # Slack took a message; its outbox rows are not sent
    MARKED_SENT = "marked_sent"  # the outbox rows are marked sent; the run is unfinished


class BackfillStage(StrEnum):
    """The boundary of a `watcher backfill` (not a check's, so kept apart from `Stage`)."""

    CAPTURE_STORED = "capture_stored"  # one archived capture and its readings committed


def crash_point(stage: Stage | BackfillStage) -> None:
    """Die here, at once and uncleanly, when the environment asks for this stage."""
    if os.environ.get(CRASH_AT_ENV) == stage:
        os.kill(os.getpid(), signal.SIGKILL)
