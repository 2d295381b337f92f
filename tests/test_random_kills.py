"""Random SIGKILLs during delivery (not only at the crash switch's stage boundaries).

A handful of trials per Slack mode, to keep the suite fast; `scripts/random_kills.py`
runs many and writes the figures into `docs/reliability.md`.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.fault_kit import no_backoff  # noqa: F401 -- an autouse fixture
from tests.random_kills import MESSAGES, trial

TRIALS = 3


@pytest.mark.parametrize("seed", range(TRIALS))
def test_bot_token_random_kill_loses_nothing_and_repeats_nothing(tmp_path: Path, seed: int) -> None:
    """With a bot token, a SIGKILL anywhere in delivery: every message arrives exactly once."""
    result = trial("bot", random.Random(seed), tmp_path)
    assert (result.lost, result.duplicated) == (0, 0), result


@pytest.mark.parametrize("seed", range(TRIALS))
def test_webhook_random_kill_loses_nothing_and_repeats_at_most_one(
    tmp_path: Path, seed: int
) -> None:
    """With a webhook, a SIGKILL anywhere in delivery loses nothing and repeats at most one."""
    result = trial("webhook", random.Random(seed), tmp_path)
    assert result.lost == 0, result
    assert result.duplicated <= 1 < MESSAGES, result
