"""The operator's commands: status, history, diff, forces, check's output, exit codes.

Queries are tested on an in-memory database; the commands on a real state file that
`watcher check` filled from the fake site, read back through the CLI.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner, Result
from rich.console import Console

from tests.fake_site import FakeSite
from tests.pages import AFI_IPCC, AFI_IPCC_REWORDED, AFI_STOP_SEARCH, LegitimacyPage2017
from watcher.check import PageOutcome
from watcher.cli import main
from watcher.cli.progress import page_progress
from watcher.lock import RunLock, run_in_progress
from watcher.models import Assessment, Finding, FindingKind, Grade, Judgement, PageKind
from watcher.store import Store, queries, versions
from watcher.store.schema import migrate, open_database

LEGITIMACY = "/peel-assessments/peel-2017/kent/legitimacy/"
T0 = datetime(2025, 1, 6, 7, 0, tzinfo=UTC)

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def _restore_log_levels() -> Iterator[None]:
    """-v and -q set logger levels in this process: put them back for the next test."""
    names = ("watcher", "httpx", "apscheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


# -- every command ------------------------------------------------------------------


def test_every_command_has_help_with_an_example() -> None:
    """Each command's docstring is its --help, and it shows an example."""
    assert {"check", "show", "run", "status", "history", "diff", "forces"} <= set(main.commands)
    for name, command in main.commands.items():
        assert command.callback is not None
        assert "Example" in (command.callback.__doc__ or ""), name
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example" in result.output, name


# -- queries on an in-memory database -------------------------------------------------


@pytest.fixture
def store() -> Store:
    db = sqlite_utils.Database(memory=True)
    migrate(db)
    return Store(db)


def kent(
    cycle: str,
    grades: dict[str, Grade],
    afis: tuple[tuple[str, str], ...] = (),
    *,
    monitoring: str | None = None,
) -> Assessment:
    """A Kent assessment with these unit grades and (unit, text) areas for improvement."""
    return Assessment(
        organisation="kent",
        cycle=cycle,
        kind=PageKind.PILLAR_PAGE,
        url=f"https://site.test/{cycle}/kent/",
        judgements=tuple(
            Judgement(unit, unit.split("/")[-1].capitalize(), g) for unit, g in grades.items()
        ),
        findings=tuple(
            Finding(FindingKind.AREA_FOR_IMPROVEMENT, unit, text) for unit, text in afis
        ),
        monitoring=monitoring,
    )


def record(store: Store, assessment: Assessment, when: datetime, subject: str = "") -> None:
    """Store an assessment of its page as fetched at `when`."""
    store.record_assessment(
        run_id=1,
        url=assessment.url,
        status=200,
        body=json.dumps(assessment.to_dict()).encode(),
        validators={},
        readings=[(subject, assessment)],
        changes=[],
        now=when,
    )


def test_status_lists_runs_failing_pages_and_waiting_alerts(store: Store) -> None:
    """Status: newest run first with its figures, failing pages since when, alert errors."""
    first = store.start_run(T0)
    store.finish_run(first, T0, pages_checked=3, pages_failed=0, outcome="ok")
    second = store.start_run(T0 + timedelta(days=1))
    store.record_failure("https://site.test/a/", 503, "HTTP 503", T0 + timedelta(days=1))
    store.record_failure("https://site.test/a/", 503, "HTTP 503", T0 + timedelta(days=2))
    store.queue_baseline(second, {"text": "Now watching", "blocks": []}, T0)
    store.mark_attempt_failed([f"baseline-{second}"], "invalid_auth")

    found = queries.status(store.db)

    assert [run.id for run in found.runs] == [second, first]
    assert found.runs[1].pages_checked == 3
    assert found.runs[0].outcome == "running"
    [failing] = found.failing
    assert (failing.reason, failing.consecutive_failures) == ("HTTP 503", 2)
    assert failing.failing_since == (T0 + timedelta(days=1)).isoformat()
    [pending] = found.pending
    assert (pending.kind, pending.attempts, pending.last_error) == ("baseline", 1, "invalid_auth")
    assert not found.healthy


def test_unfinished_run_without_the_lock_was_interrupted(tmp_path: Path) -> None:
    """A run that never finished is 'running' while the lock is held, else 'interrupted'."""
    path = tmp_path / "state" / "watcher.db"
    store = Store(open_database(path))
    store.start_run(T0)
    assert not run_in_progress(path)
    assert queries.status(store.db, in_progress=False).runs[0].outcome == "interrupted"
    with RunLock(path):
        assert run_in_progress(path)
    assert queries.status(store.db, in_progress=True).runs[0].outcome == "running"


def test_history_follows_grades_across_cycles_and_findings(store: Store) -> None:
    """History: each unit's grades per cycle as first seen; findings added, resolved, reworded."""
    good = Grade.GOOD
    record(store, kent("peel-2016", {"legitimacy": good}), T0)
    record(store, kent("peel-2017", {"legitimacy": good, "legitimacy/q2": good},
                       (("legitimacy/q2", AFI_IPCC),)), T0)  # fmt: skip
    record(store, kent("peel-2017", {"legitimacy": Grade.ADEQUATE, "legitimacy/q2": good},
                       (("legitimacy/q2", AFI_IPCC_REWORDED), ("legitimacy/q1", AFI_STOP_SEARCH))),
           T0 + timedelta(days=30))  # fmt: skip

    history = queries.force_history(store.db, "kent")

    timelines = {(u.cycle, u.unit): [s.grade for s in u.steps] for u in history.units}
    assert timelines == {
        ("peel-2016", "legitimacy"): [Grade.GOOD],
        ("peel-2017", "legitimacy"): [Grade.GOOD, Grade.ADEQUATE],
        ("peel-2017", "legitimacy/q2"): [Grade.GOOD],
    }
    assert next(iter(timelines))[0] == "peel-2016"  # cycles in order
    events = [(f.event, f.unit) for f in history.findings]
    assert events == [
        ("present", "legitimacy/q2"),
        ("reworded", "legitimacy/q2"),
        ("added", "legitimacy/q1"),
    ]
    reworded = history.findings[1]
    assert (reworded.before, reworded.text) == (AFI_IPCC, AFI_IPCC_REWORDED)


def test_history_filters_by_unit_and_date(store: Store) -> None:
    """--unit keeps the unit and its questions; --since keeps what was first seen from then."""
    record(store, kent("peel-2017", {"legitimacy": Grade.GOOD, "legitimacy/q1": Grade.GOOD,
                                     "efficiency": Grade.GOOD}), T0)  # fmt: skip
    later = T0 + timedelta(days=40)
    record(store, kent("peel-2017", {"legitimacy": Grade.ADEQUATE, "legitimacy/q1": Grade.GOOD,
                                     "efficiency": Grade.GOOD}), later)  # fmt: skip

    by_unit = queries.force_history(store.db, "kent", unit="legitimacy")
    assert {u.unit for u in by_unit.units} == {"legitimacy", "legitimacy/q1"}
    since = queries.force_history(store.db, "kent", since=later.date())
    assert [(u.unit, [s.grade for s in u.steps]) for u in since.units] == [
        ("legitimacy", [Grade.ADEQUATE])
    ]


def test_compare_puts_grades_side_by_side_with_word_diffs(store: Store) -> None:
    """diff: every unit's grade in both versions, and a reworded finding's word diff."""
    record(store, kent("peel-2017", {"legitimacy": Grade.OUTSTANDING},
                       (("legitimacy", AFI_IPCC),)), T0)  # fmt: skip
    record(store, kent("peel-2017", {"legitimacy": Grade.GOOD, "legitimacy/q1": Grade.GOOD},
                       (("legitimacy", AFI_IPCC_REWORDED),)), T0 + timedelta(days=1))  # fmt: skip
    url = "https://site.test/peel-2017/kent/"
    stored = versions.stored_versions(store.db, url)

    comparison = versions.compare(*versions.pick_versions(stored, None, None))

    rows = {r.unit: (r.before, r.after, r.changed) for r in comparison.grades}
    assert rows == {
        "legitimacy": (Grade.OUTSTANDING, Grade.GOOD, True),
        "legitimacy/q1": (None, Grade.GOOD, True),
    }
    [reworded] = comparison.findings
    assert reworded.wording is not None
    assert ("delete", "IPCC") in reworded.wording.segments
    assert ("insert", "IOPC") in reworded.wording.segments


def test_pick_versions_defaults_to_the_last_two_and_names_the_range() -> None:
    """Versions count from 1; the default is the last two; a missing one is refused."""
    stored = [versions.StoredVersion(n, T0.isoformat(), kent("peel-2017", {})) for n in (1, 2, 3)]
    assert [v.number for v in versions.pick_versions(stored, None, None)] == [2, 3]
    assert [v.number for v in versions.pick_versions(stored, 1, None)] == [1, 3]
    assert [v.number for v in versions.pick_versions(stored[:1], None, None)] == [1, 1]
    with pytest.raises(ValueError, match="1 to 3"):
        versions.pick_versions(stored, 0, 4)


def test_stored_url_accepts_a_path_or_another_host(store: Store) -> None:
    """A page can be named by its full URL, its path, or the old /hmic prefix."""
    record(store, kent("peel-2017", {"legitimacy": Grade.GOOD}), T0)
    url = "https://site.test/peel-2017/kent/"
    assert versions.stored_url(store.db, url) == url
    assert versions.stored_url(store.db, "/peel-2017/kent") == url
    assert versions.stored_url(store.db, "http://other.test/hmic/peel-2017/kent/") == url
    assert versions.stored_url(store.db, "/peel-2017/essex/") is None


def test_current_grades_take_the_newest_cycle_and_monitoring(store: Store) -> None:
    """forces: one row per force, top-level grades of its newest graded cycle, monitoring."""
    record(store, kent("peel-2017", {"legitimacy": Grade.GOOD}), T0)
    record(store, kent("peel-2023-25", {"investigating-crime": Grade.ADEQUATE,
                                        "investigating-crime/q1": Grade.GOOD}), T0)  # fmt: skip
    engage = Assessment(
        "kent", "", PageKind.ENGAGE, "https://site.test/engage/", monitoring="engage"
    )
    record(store, engage, T0, subject="kent")

    rows = {row.slug: row for row in queries.current_grades(store.db)}

    assert len(rows) == 43
    kent_row = rows["kent"]
    assert kent_row.cycle == "peel-2023-25"
    assert [(j.unit, j.grade) for j in kent_row.grades] == [("investigating-crime", Grade.ADEQUATE)]
    assert kent_row.monitoring == "engage"
    assert (rows["essex"].cycle, rows["essex"].grades) == (None, ())


# -- the commands, on a state file filled by `watcher check` --------------------------


@pytest.fixture
def config_path(tmp_path: Path, fake_site: FakeSite) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[site]
base_url = "{fake_site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = ["kent"]
cycles = ["peel-2017"]
[http]
delay = 0.0
timeout = 5.0
retries = 1
[state]
path = "{tmp_path / "state" / "watcher.db"}"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def watcher(config_path: Path) -> Invoke:
    """Run a watcher command with this config and no Slack (alerts go to the terminal)."""
    env = {"SLACK_BOT_TOKEN": "", "SLACK_WEBHOOK_URL": "", "COLUMNS": "200"}

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, ["--config", str(config_path), *args], env=env)

    return invoke


@pytest.fixture
def two_runs(fake_site: FakeSite, watcher: Invoke) -> None:
    """Kent's 2017 legitimacy page seen once, then again with a grade and AFIs changed."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    assert watcher("check").exit_code == 0
    fake_site.set_page(
        LEGITIMACY,
        LegitimacyPage2017(
            pillar_grade="Good", afis={1: [AFI_STOP_SEARCH], 2: [AFI_IPCC_REWORDED]}
        ).html(),
    )
    assert watcher("check").exit_code == 0


@pytest.mark.usefixtures("two_runs")
def test_status_shows_runs_and_next_check(watcher: Invoke) -> None:
    """`watcher status` lists both runs and the next scheduled check; all healthy: exit 0."""
    result = watcher("status")
    assert result.exit_code == 0, result.output
    assert "Next scheduled check:" in result.output
    assert "Last runs" in result.output
    assert result.output.count(" ok ") >= 2  # both runs' outcome
    assert "No page is failing." in result.output
    assert "No alert is waiting." in result.output


def test_status_exits_1_with_a_failing_page(fake_site: FakeSite, watcher: Invoke) -> None:
    """A page failing now is listed with its reason, and status exits 1."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    fake_site.inject(LEGITIMACY, status=403)
    assert watcher("check").exit_code == 1
    result = watcher("status")
    assert result.exit_code == 1
    assert "Pages failing now" in result.output
    assert f"{LEGITIMACY}" in result.output
    assert "HTTP 403" in result.output


@pytest.mark.usefixtures("two_runs")
def test_history_shows_the_grade_timeline_and_findings(watcher: Invoke) -> None:
    """`watcher history kent`: legitimacy Outstanding then Good; the AFIs' comings and goings."""
    result = watcher("history", "kent")
    assert result.exit_code == 0, result.output
    assert "Kent Police: grades" in result.output
    assert "Outstanding (" in result.output
    assert "→ Good (" in result.output
    assert "Area for improvement" in result.output
    for event in ("at first check", "reworded", "resolved", "added"):
        assert event in result.output


@pytest.mark.usefixtures("two_runs")
def test_history_json_filters_by_unit(watcher: Invoke) -> None:
    """--json prints the history as data; --unit limits it to a unit and its questions."""
    result = watcher("history", "kent", "--unit", "legitimacy/q2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {u["unit"] for u in data["units"]} == {"legitimacy/q2"}
    assert {f["event"] for f in data["findings"]} == {"present", "reworded", "resolved"}
    assert all(f["unit"] == "legitimacy/q2" for f in data["findings"])
    future = watcher("history", "kent", "--since", "2999-01-01", "--json")
    assert json.loads(future.output)["units"] == []


@pytest.mark.usefixtures("two_runs")
def test_diff_explains_the_alert(watcher: Invoke, fake_site: FakeSite) -> None:
    """`watcher diff URL`: grades before and after per unit and the reworded AFI's word diff."""
    result = watcher("diff", fake_site.url(LEGITIMACY))
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output
    assert "version 2" in result.output
    assert "Outstanding" in result.output
    assert "Good ▼" in result.output
    assert "[-IPCC-] {+IOPC+}" in result.output
    same = watcher("diff", LEGITIMACY, "--from", "1", "--to", "1")
    assert same.exit_code == 0, same.output
    assert "Findings: no change." in same.output
    assert watcher("diff", LEGITIMACY, "--to", "9").exit_code == 2
    assert watcher("diff", "/peel-assessments/peel-2017/essex/").exit_code == 2


def test_diff_of_an_all_force_page_asks_which_force(watcher: Invoke, tmp_path: Path) -> None:
    """On a page with one assessment per force, diff needs --subject, and names the choices."""
    store = Store(open_database(tmp_path / "state" / "watcher.db"))
    engage = "https://site.test/engage/"
    for when, note in ((T0, "Entered Engage in 2023"), (T0 + timedelta(days=9), "Still in")):
        entry = Assessment("kent", "", PageKind.ENGAGE, engage, monitoring="engage",
                           monitoring_note=note)  # fmt: skip
        record(store, entry, when, subject="kent")
    store.db.close()

    asked = watcher("diff", engage)
    assert asked.exit_code == 2
    assert "--subject, one of kent" in asked.output
    shown = watcher("diff", engage, "--subject", "kent")
    assert shown.exit_code == 0, shown.output
    assert "version 1" in shown.output
    assert "version 2" in shown.output


@pytest.mark.usefixtures("two_runs")
def test_forces_lists_every_force_with_current_grades(watcher: Invoke) -> None:
    """`watcher forces`: one row per catalogue force, Kent's with its current grade."""
    result = watcher("forces", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["slug"]: row for row in json.loads(result.output)}
    assert len(rows) == 43
    assert [(j["unit"], j["grade"]) for j in rows["kent"]["grades"]] == [("legitimacy", "good")]
    assert (rows["kent"]["region"], rows["essex"]["region"]) == ("south-east", "eastern")
    assert all(row["region"] for row in rows.values())
    table = watcher("forces")
    assert "South East" in table.output
    assert "Kent Police (kent)" in table.output
    assert "Legitimacy: Good" in table.output
    assert "Essex Police (essex)" in table.output


@pytest.mark.usefixtures("two_runs")
def test_history_of_an_unknown_force_cannot_run(watcher: Invoke) -> None:
    """An unknown force slug exits 2 and points at `watcher forces`."""
    result = watcher("history", "atlantis")
    assert result.exit_code == 2
    assert "watcher forces" in result.output
    typo = watcher("history", "kentt")
    assert typo.exit_code == 2
    assert "did you mean 'kent'?" in typo.output


@pytest.mark.usefixtures("two_runs")
def test_history_takes_a_slug_as_typed(watcher: Invoke) -> None:
    typed, slug = watcher("history", " KENT", "--json"), watcher("history", "kent", "--json")
    assert (typed.exit_code, slug.exit_code) == (0, 0), typed.output
    assert json.loads(typed.output)["units"]  # a real history, not two equal errors
    assert typed.output == slug.output


@pytest.mark.parametrize(
    "args", [["status"], ["history", "kent"], ["diff", LEGITIMACY], ["forces"]]
)
def test_operator_commands_without_a_database_cannot_run(watcher: Invoke, args: list[str]) -> None:
    """Before the first check there is nothing to read: exit 2, saying to run check first."""
    result = watcher(*args)
    assert result.exit_code == 2
    assert "watcher check" in result.output


# -- exit codes -------------------------------------------------------------------


def test_check_exit_0_when_the_run_went_well(fake_site: FakeSite, watcher: Invoke) -> None:
    """Every page read (or not published yet): exit 0."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    result = watcher("check")
    assert result.exit_code == 0, result.output


def test_check_exit_1_when_a_page_failed(fake_site: FakeSite, watcher: Invoke) -> None:
    """The run completed but a page failed (here a 503): exit 1, so cron can mail."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    fake_site.inject(LEGITIMACY, status=503)
    result = watcher("check")
    assert result.exit_code == 1
    assert "failed:" in result.output


def test_check_exit_2_when_the_lock_is_held(
    fake_site: FakeSite, watcher: Invoke, tmp_path: Path
) -> None:
    """Another run holds the lock: exit 2 with a clear message, nothing fetched."""
    with RunLock(tmp_path / "state" / "watcher.db"):
        result = watcher("check")
    assert result.exit_code == 2
    assert "another watcher run is in progress" in result.output
    assert fake_site.requests == []


def test_check_exit_2_when_the_database_cannot_be_opened(
    fake_site: FakeSite, watcher: Invoke, tmp_path: Path
) -> None:
    """A state path that cannot be a database (here a directory): exit 2."""
    (tmp_path / "state" / "watcher.db").mkdir(parents=True)
    result = watcher("check")
    assert result.exit_code == 2
    assert "watcher.db" in result.output


def test_exit_2_when_the_config_is_missing(tmp_path: Path) -> None:
    """No config file: exit 2, naming the file."""
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "status"])
    assert result.exit_code == 2
    assert "nope.toml" in result.output


# -- logging and the progress bar -------------------------------------------------------


def test_check_logs_a_line_per_page(
    fake_site: FakeSite, watcher: Invoke, caplog: pytest.LogCaptureFixture
) -> None:
    """By default each page checked is logged with its URL and outcome."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    with caplog.at_level(logging.DEBUG):
        watcher("check")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("watcher")]
    assert any(LEGITIMACY in line and line.endswith("new (0 changes)") for line in lines)
    assert len([line for line in lines if "/peel-assessments/" in line]) == 5


def test_quiet_logs_only_problems_and_no_summary(
    fake_site: FakeSite, watcher: Invoke, caplog: pytest.LogCaptureFixture
) -> None:
    """--quiet: no line per page and no summary when all went well; a failure still shows."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    watcher("check")
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        quiet = watcher("--quiet", "check")
    assert quiet.exit_code == 0
    assert quiet.output == ""
    assert not [r for r in caplog.records if r.name.startswith("watcher")]
    fake_site.inject(LEGITIMACY, status=503)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        failing = watcher("--quiet", "check")
    assert failing.exit_code == 1
    assert "failed:" in failing.output
    assert [r.levelno for r in caplog.records if r.name.startswith("watcher")] == [logging.WARNING]


def test_check_draws_no_bar_off_a_terminal(fake_site: FakeSite, watcher: Invoke) -> None:
    """Not on a terminal (cron, Procfile): no progress bar in the output."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    result = watcher("check")
    assert "checking" not in result.output
    assert "━" not in result.output


def test_progress_bar_counts_pages_on_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    """On a terminal the bar advances per page and stands in for the page lines, not problems."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    page_log = logging.getLogger("watcher.check")
    with caplog.at_level(logging.INFO), page_progress(console, 2) as on_page:
        assert on_page is not None
        on_page(PageOutcome("https://site.test/a/", "unchanged"))
        page_log.info("https://site.test/a/: unchanged (0 changes)")
        on_page(PageOutcome("https://site.test/b/", "failed", reason="HTTP 503"))
        page_log.warning("https://site.test/b/: failed: HTTP 503")
    assert "2/2" in out.getvalue()
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    with caplog.at_level(logging.INFO):
        page_log.info("after the bar, page lines are logged again")
    assert caplog.records[-1].levelno == logging.INFO
    with page_progress(console, 2, show=False) as nothing:
        assert nothing is None


def test_verbose_logs_each_request(
    fake_site: FakeSite, watcher: Invoke, caplog: pytest.LogCaptureFixture
) -> None:
    """-v adds a line per HTTP request; without it, requests are not logged."""
    fake_site.set_page(LEGITIMACY, LegitimacyPage2017().html())
    with caplog.at_level(logging.DEBUG):
        watcher("check")
    assert not [r for r in caplog.records if r.name == "httpx"]
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        watcher("-v", "check")
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any(LEGITIMACY in line for line in requests)
