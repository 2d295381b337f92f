"""The operator's side of "never cry wolf": exit 2 with a fix, never a traceback; health.

Every case runs the real command (click's CliRunner) on real files: a config, a state
database, the fake site over sockets where a page is fetched.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.fake_site import FakeSite
from tests.pages import ENGAGE_PATH, LegitimacyPage2017, engage_page
from watcher.check import PageOutcome, RunReport
from watcher.cli import main
from watcher.cli.commands import _summarise as summarise
from watcher.cli.run_health import plural
from watcher.lock import RunLock
from watcher.models import Change, ChangeKind
from watcher.notify import redact_secrets
from watcher.store import Store, open_database

LEGITIMACY = "/peel-assessments/peel-2017/kent/legitimacy/"
Invoke = Callable[..., Result]
CHANGE = Change(ChangeKind.GRADE, "https://x.example/p", "kent", "peel-2017", "legitimacy")
ENV = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": "", "COLUMNS": "200"}


HTTP = "[http]\ndelay = 0.0\ntimeout = 5.0\nretries = 1\n"


def config_text(base_url: str, state: Path, extra: str = HTTP, forces: str = '["kent"]') -> str:
    """A config watching `forces`' 2017 pages at `base_url`, with `extra` appended."""
    return f"""
[site]
base_url = "{base_url}"
allowed_hosts = ["127.0.0.1", "x.example"]
[watch]
forces = {forces}
cycles = ["peel-2017"]
[state]
path = "{state}"
{extra}"""


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state" / "watcher.db"


@pytest.fixture
def watcher(tmp_path: Path, fake_site: FakeSite, state: Path) -> Invoke:
    """Run a watcher command against the fake site, with `extra` config appended."""

    def invoke(
        *args: str,
        extra: str = HTTP,
        base: str = "/",
        forces: str = '["kent"]',
        columns: str = "200",
    ) -> Result:
        path = tmp_path / "config.toml"
        text = config_text(fake_site.url(base).rstrip("/"), state, extra, forces)
        path.write_text(text, "utf-8")
        env = {**ENV, "COLUMNS": columns}
        return CliRunner().invoke(main, ["--config", str(path), *args], env=env)

    return invoke


def cannot_run(result: Result, *words: str) -> None:
    """Exit 2, no traceback, and the message says each of `words`."""
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    for word in words:
        assert word in result.output, result.output


# -- item 9: a message that says what to fix, exit 2 -------------------------------------


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("[http]\ntimeout = nan", "http.timeout"),
        ("[http]\ntimeout = inf", "http.timeout"),
        ("[http]\ndelay = inf", "http.delay"),
        ("[http]\ndelay = -inf", "http.delay"),
        ("[http]\nmax_concurrency = 100000", "http.max_concurrency"),
        ("[schedule]\ndays = []", "schedule.days"),
        ("[schedule]\njitter = 9223372036854775807", "schedule.jitter"),
        ("[alerts]\nunreachable_after = 9223372036854775807", "alerts.unreachable_after"),
    ],
)
def test_absurd_numbers_and_empty_lists_cannot_run(
    tmp_path: Path, state: Path, extra: str, named: str
) -> None:
    """A non-finite, absurd or empty value: exit 2 naming the key, for every command."""
    path = tmp_path / "config.toml"
    path.write_text(config_text("https://x.example", state, extra), encoding="utf-8")
    for command in (["check", "--dry-run"], ["status"], ["run"]):
        cannot_run(CliRunner().invoke(main, ["--config", str(path), *command], env=ENV), named)


def test_a_non_utf8_config_says_to_save_it_as_utf8(tmp_path: Path) -> None:
    """A config in Latin-1: exit 2, naming the file and the fix."""
    path = tmp_path / "config.toml"
    path.write_bytes("[slack]\nchannel = 'caf\xe9'\n".encode("latin-1"))
    cannot_run(CliRunner().invoke(main, ["--config", str(path), "status"]), "UTF-8", "config")


def test_an_unreadable_config_says_so(tmp_path: Path) -> None:
    """A config path that cannot be read as a file (a directory): exit 2, naming it."""
    folder = tmp_path / "config.toml"
    folder.mkdir()
    cannot_run(CliRunner().invoke(main, ["--config", str(folder), "status"]), "config.toml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_config_without_read_permission_says_so(tmp_path: Path) -> None:
    """A config the user may not read: exit 2, saying to check its permissions."""
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    path.chmod(0)
    cannot_run(CliRunner().invoke(main, ["--config", str(path), "status"]), "permissions")


def test_a_state_directory_that_cannot_be_made_says_where(
    watcher: Invoke, tmp_path: Path, fake_site: FakeSite
) -> None:
    """The state path's directory is a file: exit 2 naming the path and [state] path."""
    (tmp_path / "state").write_text("not a directory", encoding="utf-8")
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    cannot_run(watcher("check"), "watcher.db")
    assert fake_site.requests == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_state_directory_not_writable_says_what_to_fix(watcher: Invoke, tmp_path: Path) -> None:
    """A read-only state directory: exit 2, saying to make it writable."""
    (tmp_path / "state").mkdir()
    (tmp_path / "state").chmod(0o555)
    cannot_run(watcher("check"), "writable")


def corrupt(path: Path) -> None:
    """Overwrite the database's pages after the header: 'database disk image is malformed'."""
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)
    path.write_bytes(bytes(data))


def filled(state: Path) -> None:
    """A state database with its tables and a few runs, closed cleanly."""
    store = Store(open_database(state))
    for day in range(40):
        run = store.start_run(datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=day))
        store.finish_run(run, datetime(2025, 1, 1, tzinfo=UTC), outcome="ok" * 200)
    store.db.close()


@pytest.mark.parametrize("command", [["check"], ["status"], ["forces"], ["history", "kent"]])
def test_a_corrupted_database_says_restore_or_move_it(
    watcher: Invoke, state: Path, command: list[str]
) -> None:
    """A damaged page in the state file: exit 2, naming the file and the way out."""
    filled(state)
    corrupt(state)
    cannot_run(watcher(*command), "watcher.db", "damaged")


def test_show_json_on_an_all_force_page_listing_nobody(
    watcher: Invoke, fake_site: FakeSite
) -> None:
    """`show --json` on an Engage page listing no force without saying so: exit 1, a reason."""
    fake_site.set_page(ENGAGE_PATH, engage_page([], says_nobody=False))
    result = watcher("show", fake_site.url(ENGAGE_PATH), "--json")
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "lists no force" in json.loads(result.output)[0]["unreadable"]


def test_show_json_on_an_engage_page_that_says_it_lists_nobody(
    watcher: Invoke, fake_site: FakeSite
) -> None:
    """`show --json` on an Engage page that says no force is in Engage: an empty list, exit 0."""
    fake_site.set_page(ENGAGE_PATH, engage_page([]))
    result = watcher("show", fake_site.url(ENGAGE_PATH), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


def test_demo_html_into_a_missing_directory(tmp_path: Path) -> None:
    """`demo --html` into a folder that does not exist: exit 2 naming the path, before playing."""
    target = tmp_path / "nowhere" / "demo.html"
    result = CliRunner().invoke(main, ["demo", "--html", str(target)], env=ENV)
    cannot_run(result, "nowhere")
    assert "Day 1" not in result.output


def test_quiet_and_verbose_together_are_refused(watcher: Invoke) -> None:
    """`--quiet --verbose` contradict: refused as a usage error (exit 2)."""
    result = CliRunner().invoke(main, ["--quiet", "--verbose", "status"])
    assert result.exit_code == 2
    assert "--quiet" in result.output


# -- item 10: a newer database refused; read-only commands open read-only -------------


def test_a_database_from_a_newer_version_is_refused(watcher: Invoke, state: Path) -> None:
    """user_version above the known migrations: every command exits 2, the file untouched."""
    filled(state)
    conn = sqlite3.connect(state)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = state.read_bytes()
    for command in (["check"], ["status"], ["forces"]):
        cannot_run(watcher(*command), "newer version")
    assert state.read_bytes() == before


def test_read_only_commands_work_on_a_read_only_copy(
    watcher: Invoke, state: Path, fake_site: FakeSite
) -> None:
    """status, history, forces and diff read a 0444 file in a 0555 folder, writing nothing."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert watcher("check").exit_code == 0
    state.chmod(0o444)
    state.parent.chmod(0o555)
    try:
        before = sorted(os.listdir(state.parent))
        for command in (["status"], ["history", "kent"], ["forces"], ["diff", LEGITIMACY]):
            result = watcher(*command)
            assert result.exit_code in (0, 1), (command, result.output)
            assert "Traceback" not in result.output
        assert sorted(os.listdir(state.parent)) == before
    finally:
        state.parent.chmod(0o755)
        state.chmod(0o644)


# -- item 12: health ----------------------------------------------------------------------


def test_status_never_takes_the_run_lock(
    watcher: Invoke, state: Path, fake_site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`status` asks whether a run is going without locking: no flock call, no lock file."""
    filled(state)
    calls: list[object] = []
    monkeypatch.setattr("watcher.lock.fcntl.flock", lambda *a: calls.append(a))
    assert watcher("status").exit_code in (0, 1)
    assert calls == []
    assert not state.with_name("watcher.db.lock").exists()


def test_status_sees_a_run_in_progress_without_stopping_it(watcher: Invoke, state: Path) -> None:
    """While a run holds the lock, status reports it running and the lock stays held."""
    store = Store(open_database(state))
    store.start_run(datetime.now(UTC))
    with RunLock(state):
        result = watcher("status")
        assert "running" in result.output
        with pytest.raises(Exception, match="in progress"):
            RunLock(state).__enter__()
    store.db.close()


def test_status_exits_1_after_an_interrupted_run(watcher: Invoke, state: Path) -> None:
    """A run that never finished and holds no lock was killed: status warns, exits 1."""
    store = Store(open_database(state))
    done = store.start_run(datetime.now(UTC))
    store.finish_run(done, datetime.now(UTC), outcome="ok")
    store.start_run(datetime.now(UTC))
    store.db.close()
    result = watcher("status")
    assert result.exit_code == 1
    assert "interrupted" in result.output


def test_status_exits_1_when_the_last_complete_run_is_two_periods_old(
    watcher: Invoke, state: Path
) -> None:
    """The last complete run three days ago on a daily schedule: status warns, exits 1."""
    store = Store(open_database(state))
    old = datetime.now(UTC) - timedelta(days=3)
    store.finish_run(store.start_run(old), old, outcome="ok")
    store.db.close()
    result = watcher("status")
    assert result.exit_code == 1
    assert "two scheduled periods" in result.output
    fresh = Store(open_database(state))
    now = datetime.now(UTC)
    fresh.finish_run(fresh.start_run(now), now, outcome="ok")
    fresh.db.close()
    assert watcher("status").exit_code == 0


def test_a_forced_run_is_not_the_last_complete_run(
    watcher: Invoke, state: Path, fake_site: FakeSite
) -> None:
    """`check --force kent` checked only Kent: the catch-up still counts no complete run."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert watcher("check", "--force", "kent").exit_code == 0
    store = Store(open_database(state))
    assert store.last_success() is None
    store.db.close()
    assert watcher("check").exit_code == 0
    store = Store(open_database(state))
    assert store.last_success() is not None
    store.db.close()


def test_a_run_that_checks_no_page_warns_and_exits_1(watcher: Invoke) -> None:
    """[watch] forces = [] and nothing else: the run watched nothing, so it says so, exit 1."""
    result = watcher("check", forces="[]")
    assert result.exit_code == 1, result.output
    assert "no page was checked" in result.output


def test_every_page_not_found_after_content_warns_and_exits_1(
    watcher: Invoke, fake_site: FakeSite
) -> None:
    """A wrong base_url: every page 404s where one had content; warned, exit 1, no removal."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert watcher("check").exit_code == 0
    result = watcher("check", base="/moved/")
    assert result.exit_code == 1
    assert "base_url" in result.output
    assert "removed" not in result.output.replace("nothing was alerted as removed", "")


# -- item 14: smaller -------------------------------------------------------------------


def test_dry_run_creates_no_database(watcher: Invoke, state: Path, fake_site: FakeSite) -> None:
    """`check --dry-run` before any run: it reads the page and leaves no file behind."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    result = watcher("check", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run: " in result.output
    assert not state.parent.exists()


def test_summary_agrees_in_number(capsys: pytest.CaptureFixture[str]) -> None:
    """One page, one change, one alert: "1 page", "1 change", "1 alert sent"."""
    report = RunReport(run_id=1, alerts_sent=1)
    report.outcomes.append(PageOutcome("https://x.example/p", "changed", changes=(CHANGE,)))
    summarise(report, dry_run=False)
    text = capsys.readouterr().out
    assert "1 page:" in text
    assert "1 change;" in text
    assert "1 alert sent" in text
    assert plural(2, "page") == "2 pages"


def test_summaries_outside_a_terminal_never_wrap(watcher: Invoke, fake_site: FakeSite) -> None:
    """A failed page's long URL stays whole on one line of the summary, however narrow."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    fake_site.inject(LEGITIMACY, status=503)
    result = watcher("check", columns="30")
    assert result.exit_code == 1
    assert any(fake_site.url(LEGITIMACY) in line for line in result.output.splitlines())


# -- item 11: secrets ------------------------------------------------------------------


SECRETS = [
    "xoxb-1111-2222-abcdef",
    "xoxp-1111-2222-3333-abcdef",
    "xoxa-2-abcdef",
    "xoxr-abcdef-123",
    "xoxe.xoxp-1-abcdef",
    "xapp-1-A111-222-abcdef",
    "https://hooks.slack.com/services/T000/B000/abcdefSECRET",
    "hooks.slack.com/workflows/T000/A000/123/abcdef",
]


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize(
    "template",
    [
        '[slack]\nchannel = "{s}"',
        '[http]\nuser_agent = "watcher {s}"',
        '[state]\npath = "/tmp/{s}.db"',
        '[watch]\npages = ["/{s}"]',
    ],
)
def test_a_token_in_any_key_is_refused_without_echoing_it(
    tmp_path: Path, secret: str, template: str
) -> None:
    """A Slack token or webhook URL pasted into any key: exit 2, the value never shown."""
    path = tmp_path / "config.toml"
    path.write_text(template.format(s=secret), encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(path), "status"])
    cannot_run(result, "environment")
    assert secret not in result.output
    assert "abcdef" not in result.output


@pytest.mark.parametrize("secret", SECRETS)
def test_redaction_masks_every_slack_secret_shape(secret: str) -> None:
    """Any string shaped like a Slack secret is masked, not only the ones configured."""
    text = redact_secrets(f"POST failed for {secret}: timeout")
    assert "abcdef" not in text
    assert text.startswith("POST failed for ")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("via http://watcher:s3cret-pass@proxy.example:3128", "http://watcher:…(redacted)@"),
        ("proxy https://:s3cret-pass@10.0.0.1/ refused", "https://:…(redacted)@10.0.0.1/"),
        ("user http://ops:pa:ss-s3cret@p:1 x", "http://ops:…(redacted)@p:1"),
    ],
)
def test_a_password_in_a_url_is_masked(text: str, shown: str) -> None:
    """A proxy URL from the environment may carry a password: never shown."""
    redacted = redact_secrets(text)
    assert "s3cret" not in redacted
    assert shown in redacted


def test_a_url_without_a_password_is_left_alone() -> None:
    text = "see https://user@example.org/p and mailto:ops@example.org"
    assert redact_secrets(text) == text


def test_log_lines_from_any_logger_are_redacted(
    watcher: Invoke, caplog: pytest.LogCaptureFixture
) -> None:
    """Once a command has run, any logger's line masks a token, its traceback too."""
    watcher("status")  # the CLI installs the redaction
    library = logging.getLogger("some.library")
    with caplog.at_level(logging.WARNING):
        library.warning("retrying with token %s", SECRETS[0])
        try:
            raise RuntimeError(SECRETS[6])
        except RuntimeError:
            library.exception("failed")
    assert len(caplog.records) == 2
    assert "abcdef" not in caplog.text
    assert "retrying with token" in caplog.text


def test_outbox_last_error_never_stores_a_secret(state: Path) -> None:
    """A Slack error text carrying a token is stored masked in outbox.last_error."""
    store = Store(open_database(state))
    store.db.table("outbox").insert({"id": "a1", "state": "pending", "attempts": 0})
    store.mark_attempt_failed(["a1"], f"invalid_auth for {SECRETS[1]}")
    [row] = store.db.query("select last_error from outbox")
    assert "abcdef" not in row["last_error"]
    assert row["last_error"].startswith("invalid_auth for ")
    store.db.close()
