"""Site faults, over real sockets: a page with a baseline goes wrong in every way we know.

Each fault must leave the page marked failing with its reason and alert nothing (no
"grade withdrawn", no "resolved"); the next good fetch is compared with the last good
assessment, so the real change behind the fault is alerted exactly once. A page that
keeps failing is reported once, after `[alerts] unreachable_after` runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

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
    record,
    state_path,
    tally,
    write_config,
)
from tests.pages import AFI_IPCC, AFI_VETTING, LegitimacyPage2017

CURLY_AFI = "The force should make sure that its officers’ use of force is recorded and reviewed."
AFIS = {3: [AFI_IPCC, AFI_VETTING, CURLY_AFI]}  # on the last question: a cut page loses them
GOOD = LegitimacyPage2017(afis=AFIS).html()
CHANGED = LegitimacyPage2017(afis=AFIS, pillar_grade="Good").html()
MAINTENANCE = (
    b"<!DOCTYPE html><html><head><title>Maintenance</title></head><body>"
    b"<h1>We will be back soon</h1><p>The website is undergoing planned maintenance.</p>"
    b"</body></html>"
)


def _truncated() -> bytes:
    """The document cut after its first area for improvement: every grade is still there."""
    first_afi = GOOD.index(AFI_IPCC.encode())
    return GOOD[: GOOD.index(b"</li>", first_afi) + len(b"</li>")]


def _without_question_3() -> bytes:
    """A broken template: the third question, its grade and its findings are missing."""
    return GOOD[: GOOD.index(b"<p>3</p>")] + GOOD[GOOD.index(b"</main>") :]


def _no_grades() -> bytes:
    return LegitimacyPage2017(afis=AFIS, pillar_grade="", grades={1: "", 2: "", 3: ""}).html()


Fault = Callable[[FakeSite, FakeSite], AbstractContextManager[None]]


def injected(**fault: object) -> Fault:
    """Requests for the page go wrong this way while the fault lasts."""

    @contextmanager
    def apply(site: FakeSite, other: FakeSite) -> Iterator[None]:
        site.inject(LEGITIMACY, **fault)
        yield
        site.faults.clear()

    return apply


def served(body: bytes, **page: object) -> Fault:
    """The site answers 200 with this body (the next good version replaces it)."""

    @contextmanager
    def apply(site: FakeSite, other: FakeSite) -> Iterator[None]:
        site.set_page(LEGITIMACY, body, **page)
        yield

    return apply


@contextmanager
def refused(site: FakeSite, other: FakeSite) -> Iterator[None]:
    with site.offline():
        yield


@contextmanager
def redirected_off_site(site: FakeSite, other: FakeSite) -> Iterator[None]:
    # "localhost" is the same machine under a name allowed_hosts does not list.
    site.inject(LEGITIMACY, status=302, location=f"http://localhost:{other.port}/kent/")
    yield
    site.faults.clear()
    assert other.requests == [], "a host outside allowed_hosts was contacted"


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: Fault
    reason: str  # what the stored last_error must say
    needs_other_site: bool = False  # a second server, which must not be contacted


SCENARIOS = [
    Scenario("HTTP 403", injected(status=403), "HTTP 403"),
    Scenario("HTTP 404 after a baseline", injected(status=404), "HTTP 404: the page had been"),
    Scenario("HTTP 410 after a baseline", injected(status=410), "HTTP 410: the page had been"),
    Scenario("HTTP 429, Retry-After: 1", injected(status=429, retry_after="1"), "HTTP 429"),
    Scenario(
        "HTTP 429, Retry-After: 3600",
        injected(status=429, retry_after="3600"),
        "rate limited: Retry-After 3600 s",
    ),
    Scenario("HTTP 500", injected(status=500), "HTTP 500 after 2 attempts"),
    Scenario("HTTP 502", injected(status=502), "HTTP 502 after 2 attempts"),
    Scenario("HTTP 503", injected(status=503), "HTTP 503 after 2 attempts"),
    Scenario("connection refused", refused, "could not connect"),
    Scenario("read timeout", injected(delay=1.0), "timed out"),
    Scenario("connection reset mid-body", injected(reset=True), "connection broken"),
    Scenario("body shorter than Content-Length", injected(cut_body=True), "connection broken"),
    Scenario("truncated HTML, sent as a whole 200", served(_truncated()), "truncated page"),
    Scenario("maintenance page with 200", served(MAINTENANCE), "no grades found"),
    Scenario("empty 200", served(b""), "empty body"),
    Scenario(
        "non-HTML content type",
        served(b"%PDF-1.4 not a page", content_type="application/pdf"),
        "not an HTML page (application/pdf)",
    ),
    Scenario("invalid UTF-8", served(GOOD.replace("’".encode(), b"\x92")), "not valid UTF-8"),
    Scenario("30 MB body", injected(oversize=30_000_000), "body over 10000000 bytes"),
    Scenario("redirect loop", injected(status=302, location=LEGITIMACY), "redirect loop"),
    Scenario(
        "redirect to a host not in allowed_hosts",
        redirected_off_site,
        "redirect to localhost not allowed",
        needs_other_site=True,
    ),
    Scenario("grades vanish for one run", served(_no_grades()), "no grades found"),
    Scenario(
        "grades partly vanish (broken template)",
        served(_without_question_3()),
        "grades missing from the page: To what extent does the force treat its workforce",
    ),
]


@pytest.fixture
def config(tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack) -> Path:
    return write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, timeout=0.3)


@pytest.fixture
def env(fake_slack: FakeSlack) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": fake_slack.token, "SLACK_WEBHOOK_URL": ""}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_site_fault_is_unknown_this_time(
    scenario: Scenario,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
    request: pytest.FixtureRequest,
) -> None:
    """A fault alerts nothing and marks the page failing; the next good read alerts once."""
    other_site = request.getfixturevalue("other_site") if scenario.needs_other_site else fake_site
    fake_site.set_page(LEGITIMACY, GOOD)
    assert check_here(config, env).exit_code == 0
    baseline = len(fake_slack.messages)

    with scenario.fault(fake_site, other_site):
        faulty = check_here(config, env)
    failing = page_row(config)
    assert faulty.exit_code == 1, faulty.output
    assert scenario.reason in failing["last_error"]
    assert failing["consecutive_failures"] == 1
    assert failing["failing_since"]
    assert len(fake_slack.messages) == baseline

    fake_site.set_page(LEGITIMACY, CHANGED)
    recovered = check_here(config, env)
    assert recovered.exit_code == 0, recovered.output
    assert page_row(config)["consecutive_failures"] == 0
    counts = tally(fake_slack.messages[baseline:], [GRADE_CHANGE])
    record("site", scenario.name, failing["last_error"], counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("grades vanish for one run", _no_grades()),
        ("truncated HTML for one run", _truncated()),
        ("grades partly vanish for one run", _without_question_3()),
    ],
)
def test_page_that_comes_back_unchanged_alerts_nothing(
    name: str,
    body: bytes,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    config: Path,
    env: dict[str, str],
) -> None:
    """A page broken for one run and then whole again, as before, is never news."""
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.set_page(LEGITIMACY, body)
    assert check_here(config, env).exit_code == 1
    reason = page_row(config)["last_error"]
    fake_site.set_page(LEGITIMACY, GOOD)
    assert check_here(config, env).exit_code == 0
    counts = tally(fake_slack.messages[baseline:], [])
    record("site", f"{name}, then the same page again", reason, counts)
    assert counts == Tally(expected=0, delivered=0, duplicates=0, false_alerts=0)


@pytest.mark.parametrize(
    ("setting", "threshold"), [("", 3), ("[alerts]\nunreachable_after = 2", 2)]
)
def test_unreachable_is_reported_once_at_the_threshold(
    setting: str,
    threshold: int,
    tmp_path: Path,
    fake_site: FakeSite,
    fake_slack: FakeSlack,
    env: dict[str, str],
) -> None:
    """Failing `unreachable_after` runs in a row makes one alert; recovery one quiet note."""
    config = write_config(tmp_path, fake_site.url("/"), fake_slack.api_url, extra=setting)
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    fake_site.inject(LEGITIMACY, status=503)
    for run in range(1, threshold + 2):
        check_here(config, env)
        arrived = len(fake_slack.messages) - baseline
        assert arrived == (0 if run < threshold else 1), f"run {run}"
    failing = page_row(config)
    fake_site.faults.clear()
    fake_site.set_page(LEGITIMACY, CHANGED)
    check_here(config, env)
    expected = [f"unreachable for {threshold} runs in a row", "readable again", GRADE_CHANGE]
    counts = tally(fake_slack.messages[baseline:], expected)
    outcome = f"{failing['consecutive_failures']} failures in a row: {failing['last_error']}"
    record(
        "site", f"HTTP 503 for {threshold + 1} runs, unreachable_after {threshold}", outcome, counts
    )
    assert counts == Tally(expected=3, delivered=3, duplicates=0, false_alerts=0)
    assert "HTTP 503" in fake_slack.messages[baseline]["blocks"][1]["text"]["text"]


def test_site_outage_is_one_message_not_one_per_page(
    tmp_path: Path, fake_site: FakeSite, fake_slack: FakeSlack, env: dict[str, str]
) -> None:
    """Every page down for the threshold: a single "unreachable" message lists them all."""
    config = write_config(
        tmp_path, fake_site.url("/"), fake_slack.api_url, extra="[alerts]\nunreachable_after = 1"
    )
    fake_site.set_page(LEGITIMACY, GOOD)
    check_here(config, env)
    baseline = len(fake_slack.messages)
    with fake_site.offline():
        result = check_here(config, env)
    assert result.exit_code == 1
    counts = tally(fake_slack.messages[baseline:], ["Watcher: 5 pages unreachable"])
    record("site", "site down, unreachable_after 1", "one message for 5 pages", counts)
    assert counts == Tally(expected=1, delivered=1, duplicates=0, false_alerts=0)


def _windows_1252(page: bytes) -> bytes:
    """The page as a legacy CMS would serve it: declared, and encoded, as windows-1252."""
    text = page.decode("utf-8").replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    return text.encode("cp1252")


def test_page_in_a_declared_legacy_encoding_reads_as_its_own_text(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """A page that declares windows-1252 is read in it: its curly quotes are its text.

    Read as UTF-8, the new finding's apostrophe would be a replacement character, and
    the same page re-saved as UTF-8 would read as a reworded finding.
    """
    fake_site.set_page(LEGITIMACY, _windows_1252(GOOD))
    assert check_here(config, env).exit_code == 0
    baseline = len(fake_slack.messages)
    added = "The force should make sure that its officers’ body-worn video is always switched on."
    afis = {3: [*AFIS[3], added]}
    fake_site.set_page(LEGITIMACY, _windows_1252(LegitimacyPage2017(afis=afis).html()))
    assert check_here(config, env).exit_code == 0
    [alert] = fake_slack.messages[baseline:]
    assert added in message_text(alert)
    assert "\N{REPLACEMENT CHARACTER}" not in message_text(alert)

    # Re-saved as UTF-8, word for word the same page: nothing to say.
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017(afis=afis).html())
    assert check_here(config, env).exit_code == 0
    assert len(fake_slack.messages) == baseline + 1


def test_a_first_read_answered_304_is_a_failure_not_a_baseline(
    fake_site: FakeSite, fake_slack: FakeSlack, config: Path, env: dict[str, str]
) -> None:
    """A cache that answers "not modified" to the first request ever made for a page has
    said nothing about it: no baseline, no "unchanged", the reason shown; the next real
    answer is the baseline."""
    fake_site.set_page(LEGITIMACY, GOOD)
    fake_site.inject(LEGITIMACY, status=304)
    faulty = check_here(config, env)
    assert faulty.exit_code == 1, faulty.output
    row = page_row(config)
    assert row["last_error"] == "HTTP 304 to a request that sent no validators"
    assert (row["body_sha256"], row["etag"], row["last_modified"]) == (None, None, None)
    assert fake_slack.messages == []

    # Validators stored without a body (a state from before a crash, say): a 304 to
    # them is not "unchanged" either.
    with sqlite3.connect(state_path(config)) as db:
        db.execute("update pages set etag = '\"v1\"' where url = ?", (row["url"],))
    again = check_here(config, env)
    assert again.exit_code == 1, again.output
    assert page_row(config)["last_error"].startswith("HTTP 304 (not modified), but no copy")
    assert fake_site.requests_for(LEGITIMACY)[-1].headers["if-none-match"] == '"v1"'

    fake_site.faults.clear()
    first = check_here(config, env)
    assert first.exit_code == 0, first.output
    assert page_row(config)["body_sha256"] is not None
    [baseline] = fake_slack.messages
    assert "Now watching" in message_text(baseline)
