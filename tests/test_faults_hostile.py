"""Hostile input and secrets, end to end over real sockets.

Page text reaches Slack inert (no mentions, links or formatting); the Slack token and
webhook URL appear in no output, error, log line or database byte; config.toml cannot
hold a secret; only allowed hosts and http(s) are ever contacted; and pages built to
make a parser blow up are read in bounded time and memory without a false alert.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fake_site import FakeSite
from tests.fake_slack import FakeSlack
from tests.fault_kit import (  # noqa: F401 -- no_backoff is an autouse fixture
    GRADE_CHANGE,
    LEGITIMACY,
    REPO,
    Tally,
    check_here,
    check_process,
    message_text,
    no_backoff,
    page_row,
    process_env,
    record,
    state_path,
    tally,
    write_config,
)
from tests.pages import AFI_IPCC, AFI_VETTING, LegitimacyPage2017
from watcher.cli import main

GOOD = LegitimacyPage2017().html()
HOSTILE_AFI = (
    "The force should stop <!channel> and <!here> pinging <@U123>, "
    "hide <https://evil.example|click here> and *shout* _lean_ ~strike~ `run`."
)
INERT = ["&lt;!channel&gt;", "&lt;!here&gt;", "&lt;@U123&gt;", "&lt;https://evil.example|click"]
LIVE = ["<!channel>", "<!here>", "<@U123>", "<https://evil", "*shout*", "_lean_", "~strike~"]
WEBHOOK_SECRET = "s3cr3tW3bh00kT0k3nXYZ"
WEBHOOK_PATH = f"/services/T0SECRET1/B0SECRET2/{WEBHOOK_SECRET}"


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, timeout=2.0)


@pytest.fixture
def env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}


# -- page text made inert ---------------------------------------------------------


def test_page_text_reaches_slack_as_plain_text(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """Mentions, links and formatting in a page show as text: nothing pings or links."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    page = LegitimacyPage2017(afis={2: [AFI_IPCC, AFI_VETTING, HOSTILE_AFI]})
    fake_site.set_page(LEGITIMACY, page.html())
    assert check_here(config, env).exit_code == 0
    [alert] = fake_slack.messages[baseline:]
    text = message_text(alert)
    assert [live for live in LIVE if live in text] == []
    assert [inert for inert in INERT if inert not in text] == []
    assert "∗shout∗" in text  # a look-alike asterisk: visible, never bold
    counts = tally([alert], ["&lt;!channel&gt;"], ("withdrawn", "resolved"))
    record("hostile", "mentions, links and mrkdwn in page text", "escaped", counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)


def test_hostile_redirect_target_is_inert_in_the_unreachable_alert(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack, env: dict[str, str]
) -> None:
    """A Location header naming `<!channel>` is refused, and its reason alerts as text."""
    config = write_config(
        tmp_path, fake_site.url("/"), fake_slack.api_url, extra="[alerts]\nunreachable_after = 1"
    )
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.inject(LEGITIMACY, status=302, location="http://<!channel>/")
    check_here(config, env)
    [alert] = fake_slack.messages[baseline:]
    text = message_text(alert)
    assert "<!channel>" not in text
    assert "redirect to &lt;!channel&gt; not allowed" in text
    counts = tally([alert], ["unreachable on this run"])
    record("hostile", "redirect to http://<!channel>/", "refused; escaped in the alert", counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)


# -- secrets ----------------------------------------------------------------------


def _leaks(secrets: list[str], *texts: str | bytes) -> list[str]:
    """The secrets found in any of the texts (or raw bytes)."""
    found = []
    for secret in secrets:
        for text in texts:
            haystack = text.decode("latin-1") if isinstance(text, bytes) else text
            if secret in haystack:
                found.append(secret)
    return found


def _state_bytes(config: Path) -> bytes:
    """The database file and its WAL, byte for byte."""
    files = [p for p in state_path(config).parent.iterdir() if p.name.startswith("watcher.db")]
    return b"".join(p.read_bytes() for p in files)


def test_bot_token_never_leaves_the_environment(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """Through outages, auth errors and verbose logs, the token is in no output or byte."""
    fake_site.set_page(LEGITIMACY, GOOD)
    outputs = []
    for failure in [{"status": 429, "retry_after": 30}, {"error": "invalid_auth"}]:
        fake_slack.fail_next(**failure)  # type: ignore[arg-type]
        run = check_process(config, env, "-v")
        outputs += [run.stdout, run.stderr]
    wrong = check_process(config, {"SLACK_BOT_TOKEN": "xoxb-wrong-token-123456789"}, "-v")
    outputs += [wrong.stdout, wrong.stderr]
    assert "invalid_auth" in wrong.stderr + wrong.stdout
    secrets = [fake_slack.token, "xoxb-wrong-token-123456789"]
    leaks = _leaks(secrets, *outputs, _state_bytes(config))
    fault = "bot token: 429, invalid_auth, a wrong token, -v"
    record("hostile", fault, f"{len(leaks)} leaks in {len(outputs)} outputs and the database", None)
    assert leaks == []


def test_webhook_url_never_leaves_the_environment(tmp_path: Path, fake_site: FakeSite) -> None:
    """The webhook URL's secret part is in no output, error or database byte."""
    with FakeSlack(webhook_path=WEBHOOK_PATH) as slack:
        config = write_config(tmp_path, fake_site.url("/"), slack.api_url)
        env = {"SLACK_WEBHOOK_URL": slack.webhook_url}
        fake_site.set_page(LEGITIMACY, GOOD)
        outputs = []
        slack.fail_next(body="no_service", status=404)
        run = check_process(config, env, "-v")
        outputs += [run.stdout, run.stderr]
        dead = slack.webhook_url
    refused = check_process(config, {"SLACK_WEBHOOK_URL": dead}, "-v")  # Slack unreachable
    bad = check_process(config, {"SLACK_WEBHOOK_URL": "ftp://x/" + WEBHOOK_SECRET})
    outputs += [refused.stdout, refused.stderr, bad.stdout, bad.stderr]
    assert bad.returncode == 2
    assert "SLACK_WEBHOOK_URL" in bad.stderr
    leaks = _leaks([WEBHOOK_SECRET, "T0SECRET1/B0SECRET2"], *outputs, _state_bytes(config))
    fault = "webhook URL: no_service, Slack down, a bad scheme, -v"
    record("hostile", fault, f"{len(leaks)} leaks in {len(outputs)} outputs and the database", None)
    assert leaks == []


@pytest.mark.parametrize(
    "line",
    ['token = "xoxb-123456789-abcdefghi"', 'webhook_url = "https://hooks.slack.com/s/T/B/Z"'],
)
def test_secret_in_config_is_refused(line: str, tmp_path: Path, fake_site: FakeSite) -> None:
    """A token-like key in config.toml stops the CLI (exit 2) and points to the environment."""
    config = write_config(tmp_path, fake_site.url("/"), "https://slack.com/api/")
    text = config.read_text(encoding="utf-8").replace(
        'channel = "C0TEST"', f'channel = "C0TEST"\n{line}'
    )
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 2
    assert "environment" in result.output
    assert line.split('"')[1] not in result.output
    key = line.split(" ")[0]
    record("hostile", f"slack.{key} in config.toml", f"exit 2: {result.output.strip()}", None)


# -- hosts and schemes ------------------------------------------------------------


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://127.0.0.1/kent/", "gopher://127.0.0.1:70/"]
)
def test_redirect_to_another_scheme_is_refused(
    location: str, fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """A redirect to file://, ftp:// or any non-http(s) URL is refused, not followed."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    fake_site.inject(LEGITIMACY, status=302, location=location)
    baseline = len(fake_slack.messages)
    assert check_here(config, env).exit_code == 1
    scheme = location.split(":")[0]
    reason = page_row(config)["last_error"]
    assert reason == f"redirect to {scheme}: URL not allowed"
    counts = tally(fake_slack.messages[baseline:], [])
    record("hostile", f"redirect to {location}", reason, counts)
    assert counts == Tally(expected=0, delivered=0, duplicates=0, false_alerts=0)


@pytest.mark.parametrize("target", ["file:///etc/passwd", "http://localhost:{port}/"])
def test_show_refuses_urls_outside_the_allowed_hosts(
    target: str, other_site: FakeSite, config: Path
) -> None:
    """`watcher show` fetches nothing from a scheme or host the config does not allow."""
    url = target.format(port=other_site.port)
    result = CliRunner().invoke(main, ["--config", str(config), "show", url])
    assert result.exit_code == 2
    assert "not allowed" in result.output
    assert other_site.requests == []
    said = result.output.strip().rsplit(": ", 1)[-1]
    record("hostile", f"watcher show {target.split(':')[0]}:…", f"exit 2: {said}", None)


# -- parser bombs -----------------------------------------------------------------

TIME_LIMIT = 10.0  # seconds for one whole `watcher check` (it takes about 1)
MEMORY_LIMIT = 256 * 1024  # KiB of peak resident memory (under 100 MiB measured)


# The findings sit last on the page, so junk before them leaves every grade readable.
LAST_AFIS = {3: [AFI_IPCC, AFI_VETTING]}
BOMB_BASE = LegitimacyPage2017(afis=LAST_AFIS).html()
BOMB_CHANGED = LegitimacyPage2017(afis=LAST_AFIS, pillar_grade="Good").html()


def _junk_before_findings(junk: bytes) -> bytes:
    """The good page with junk just before its findings: a broken widget, say."""
    at = BOMB_BASE.index(b"<h4>Areas for improvement</h4>")
    return BOMB_BASE[:at] + junk + BOMB_BASE[at:]


BOMBS = {
    "200,000 nested divs": b"<html><body>" + b"<div>" * 200_000 + b"</body></html>",
    "100,000 nested lists": b"<html><body>" + b"<ul><li>x" * 100_000 + b"</body></html>",
    "1,000,000 elements": b"<html><body>" + b"<p>x</p>" * 1_000_000 + b"</body></html>",
    "9 MB attribute": b"<html><body><p title='" + b"a" * 9_000_000 + b"'>x</p></body></html>",
    "good page, 600,000 elements inside": _junk_before_findings(b"<span>x</span>" * 600_000),
    "good page, 100,000 nested divs inside": _junk_before_findings(b"<div>" * 100_000),
}


# `python -m watcher ...` that writes its own peak memory (VmHWM, KiB) to a file at exit.
# The kernel's ru_maxrss for a child would count the pytest process it was forked from.
_MEASURED = """
import atexit, runpy, sys
report = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
sys.argv[0] = "watcher"
runpy.run_module("watcher", run_name="__main__", alter_sys=True)
"""


def _timed_check(config: Path, env: dict[str, str]) -> tuple[int, float, int]:
    """Run `watcher check` in a process; its exit code, seconds and peak memory (KiB)."""
    peak = config.parent / "peak-kib"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, str(peak), "--config", str(config), "check"],
        env=process_env(env),
        cwd=REPO,
        capture_output=True,
        timeout=TIME_LIMIT * 2,
        check=False,
    )
    return done.returncode, time.monotonic() - started, int(peak.read_text())


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures memory in /proc")
@pytest.mark.parametrize("name", list(BOMBS))
def test_parser_bomb_is_bounded_and_alerts_nothing(
    name: str, fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """A page built to blow up the parser is read in bounded time and memory, and is no news."""
    fake_site.set_page(LEGITIMACY, BOMB_BASE)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.set_page(LEGITIMACY, BOMBS[name])
    code, seconds, memory = _timed_check(config, env)
    assert code in (0, 1)
    assert seconds < TIME_LIMIT, f"{seconds:.1f} s"
    assert memory < MEMORY_LIMIT, f"{memory // 1024} MiB"
    read = page_row(config)
    outcome = f"{read['last_error'] or read['last_outcome']}; {seconds:.1f} s, {memory // 1024} MiB"
    fake_site.set_page(LEGITIMACY, BOMB_CHANGED)
    check_here(config, env)
    counts = tally(fake_slack.messages[baseline:], [GRADE_CHANGE])
    record("hostile", f"parser bomb: {name}", outcome, counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)
