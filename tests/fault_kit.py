"""What the fault suites (`tests/test_faults_*.py`) share.

A config over the fake site and the fake Slack, `watcher check` run in this process
(CliRunner) or as a real subprocess (`python -m watcher`), a look into the state file,
and the ledger: each scenario counts what reached Slack against what should have, and
when `WATCHER_RELIABILITY_OUT` names a file, appends its figures there as one JSON line
(`scripts/reliability_report.py` turns them into the table of `docs/reliability.md`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
import stamina
from click.testing import CliRunner, Result

from watcher.cli import main

REPO = Path(__file__).resolve().parents[1]
LEDGER_ENV = "WATCHER_RELIABILITY_OUT"
LEGITIMACY = "/peel-assessments/peel-2017/kent/legitimacy/"
GRADE_CHANGE = "Outstanding → Good"  # what the changed test page alerts
# Words that only a false alarm would bring when they were not expected.
ALARM_WORDS = ("withdrawn", "resolved", "no grade shown", "unreachable", "New area for")


@pytest.fixture(autouse=True)
def no_backoff() -> Iterator[None]:
    """stamina's own test switch: retries still happen, their waits do not."""
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


def write_config(
    directory: Path,
    site_url: str,
    slack_api_url: str,
    *,
    extra: str = "",
    allowed_hosts: tuple[str, ...] = ("127.0.0.1",),
    **http: Any,
) -> Path:
    """A config.toml for Kent's PEEL 2017 pages on the fake site, posting to the fake Slack."""
    settings = {"delay": 0.0, "timeout": 2.0, "retries": 2, **http}
    lines = "\n".join(f"{key} = {value!r}" for key, value in settings.items())
    path = directory / "config.toml"
    path.write_text(
        f"""
[site]
base_url = "{site_url.rstrip("/")}"
allowed_hosts = {list(allowed_hosts)!r}
[watch]
forces = ["kent"]
cycles = ["peel-2017"]
[http]
{lines}
[slack]
channel = "C0TEST"
api_url = "{slack_api_url}"
[state]
path = "{directory / "state" / "watcher.db"}"
{extra}
""",
        encoding="utf-8",
    )
    return path


def state_path(config: Path) -> Path:
    return config.parent / "state" / "watcher.db"


def check_here(config: Path, env: Mapping[str, str], *args: str) -> Result:
    """`watcher check` in this process, as the CLI runs it."""
    return CliRunner().invoke(
        main, ["--config", str(config), "check", *args], env=dict(env), catch_exceptions=False
    )


def check_process(
    config: Path,
    env: Mapping[str, str],
    *options: str,
    crash_at: str | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """`python -m watcher [options] check` as a real process; `crash_at` sets the crash switch."""
    return subprocess.run(
        [sys.executable, "-m", "watcher", "--config", str(config), *options, "check"],
        env=process_env(env, crash_at),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def process_env(env: Mapping[str, str], crash_at: str | None = None) -> dict[str, str]:
    """The environment for a watcher subprocess: this one's, minus any Slack secret."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WATCHER_"))}
    extra = {"WATCHER_CRASH_AT": crash_at} if crash_at else {}
    return {**base, "PYTHONPATH": str(REPO), **env, **extra}


def page_row(config: Path, path: str = LEGITIMACY) -> dict[str, Any]:
    """The page's row of the state file."""
    rows = query(config, "select * from pages where url like ?", [f"%{path}"])
    assert len(rows) == 1, rows
    return rows[0]


def query(config: Path, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(state_path(config))) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute(sql, params)]


def integrity(config: Path) -> str:
    """PRAGMA integrity_check of the state file: "ok" when it is sound."""
    with closing(sqlite3.connect(state_path(config))) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def message_text(message: Mapping[str, Any]) -> str:
    """Every text of a message Slack received: fallback, header, sections, context."""
    texts = [message.get("text") or ""]
    for block in message.get("blocks", []):
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [f["text"] for f in block.get("fields", [])]
        texts += [e.get("text", "") for e in block.get("elements", [])]
    return "\n".join(texts)


@dataclass(frozen=True)
class Tally:
    """What reached Slack, measured against the alerts that should have."""

    expected: int  # alerts that should have arrived
    delivered: int  # of those, how many arrived
    duplicates: int  # extra arrivals of an alert already delivered
    false_alerts: int  # messages for no expected alert, plus alarm words not expected


def tally(
    messages: Sequence[Mapping[str, Any]],
    expected: Sequence[str],
    alarm_words: Sequence[str] = ALARM_WORDS,
) -> Tally:
    """Count `messages` against the `expected` alerts, each named by text only it shows.

    A message showing none of them is a false alert, and so is each alarm word that
    no expected alert explains.
    """
    texts = [message_text(m) for m in messages]
    arrivals = [sum(marker in text for text in texts) for marker in expected]
    unexplained = sum(1 for text in texts if not any(marker in text for marker in expected))
    alarms = [word for word in alarm_words if not any(word in marker for marker in expected)]
    false_words = sum(text.count(word) for text in texts for word in alarms)
    return Tally(
        expected=len(expected),
        delivered=sum(1 for n in arrivals if n),
        duplicates=sum(max(0, n - 1) for n in arrivals),
        false_alerts=unexplained + false_words,
    )


def record(
    family: str, fault: str, outcome: str, counts: Tally | None, *, window: bool = False
) -> None:
    """Add one scenario's figures to the ledger file, when one is asked for.

    `outcome` is what the watcher did, as measured (a stored reason, an exit code);
    `counts` is None where no alert is at stake (a refused config, say); `window`
    marks the documented case where one resend is the bound, not a bug.
    """
    path = os.environ.get(LEDGER_ENV)
    if not path:
        return
    figures = asdict(counts) if counts else dict.fromkeys(asdict(Tally(0, 0, 0, 0)))
    line = {"family": family, "fault": fault, "outcome": outcome, **figures, "window": window}
    with open(path, "a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(line, ensure_ascii=False) + "\n")


def start_process(config: Path, env: Mapping[str, str]) -> subprocess.Popen[str]:
    """`python -m watcher check` started in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "watcher", "--config", str(config), "check"],
        env=process_env(env),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
