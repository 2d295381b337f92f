"""The full-scale benchmark (`bench/full_scale`) at tiny scale, so its machinery cannot rot."""

from __future__ import annotations

import gc
import shutil
import sys
import weakref
from pathlib import Path

import httpx
import pytest

from bench.full_scale import pages, paired
from bench.full_scale.markdown import render
from bench.full_scale.plan import Scale, plan_site
from bench.full_scale.report import verdicts
from bench.full_scale.scenarios import STARTUP_RUNS, Options, run_benchmark
from bench.full_scale.site import serve
from bench.full_scale.tools import (
    REPO,
    Launcher,
    Settings,
    Urlwatch,
    Watcher,
    clean_env,
    urlwatch_installed,
)
from watcher.config import HttpSettings
from watcher.fetch import Fetcher, PageRequest
from watcher.parse import parse_all

TINY = Scale(forces=1, services=0, cycles=("peel-2017",), extras=False)


def test_every_scenario_runs_at_tiny_scale() -> None:
    """Five pages, one run, no latency: each scenario does what it is named for."""
    bench = run_benchmark(Options(scale=TINY, runs=1, latency=0.0, urlwatch=False))
    cold, unchanged, same_bytes, changed, cosmetic = bench.scenarios
    first = cold.samples["watcher"][0]
    assert first.traffic.requests == 5
    # Start-up, taken out of every "net" figure, is measured more often than the rest.
    assert len(bench.startup.samples["watcher"]) == STARTUP_RUNS
    assert first.outcome.new_bodies == 5
    assert unchanged.samples["watcher"][0].traffic.statuses == {304: 5}
    assert unchanged.parsed == same_bytes.parsed == 0
    assert same_bytes.samples["watcher"][0].traffic.statuses == {200: 5}
    assert changed.samples["watcher"][0].outcome.alerted_urls == changed.expected_urls
    assert cosmetic.samples["watcher"][0].outcome.alerts == 0
    assert cosmetic.samples["watcher"][0].outcome.new_assessments == 0
    report = render(bench, "-", "-")
    assert "| target | verdict | measured |" in report
    assert len(verdicts(bench)) >= 10


def test_page_variants_change_what_they_claim() -> None:
    """Bodies are 100-200 KB; cosmetic changes read the same, real ones read differently."""
    plan = plan_site(Scale(forces=1, services=1, cycles=("peel-2017", "peel-2023-25")))
    for page in plan.published:
        body = pages.base_body(page)
        url = "http://127.0.0.1" + page.path
        assert pages.MIN_BYTES <= len(body) <= pages.MAX_BYTES + 1000
        before = [a.content_hash() for a in parse_all(body, url)]
        assert [a.content_hash() for a in parse_all(pages.cosmetic(body), url)] == before
        if page.family == "report-2023-25":
            assert [a.content_hash() for a in parse_all(pages.changed(body), url)] != before


def test_launcher_reports_the_childs_own_peak_rss() -> None:
    """A child started by the launcher does not inherit this process's (large) peak RSS."""
    ballast = bytearray(150_000_000)
    ballast[::4096] = b"x" * len(ballast[::4096])
    with Launcher() as launcher:
        cost = launcher.measure([sys.executable, "-c", "pass"], {}, Path("/dev/null"))
    assert cost.exit_code == 0
    assert cost.peak_rss_mb < 100
    del ballast


@pytest.mark.skipif(not urlwatch_installed(), reason="urlwatch not installed (the bench extra)")
def test_urlwatch_reports_new_then_nothing(tmp_path: Path) -> None:
    """urlwatch runs on the synthetic site: every page new at first, unchanged after."""
    plan = plan_site(Scale(forces=1, services=0, cycles=("peel-2017",), extras=False))
    with Launcher() as launcher, serve(0.0) as site:
        site.publish(pages.build_bodies(plan))
        urlwatch = Urlwatch(tmp_path, launcher)
        urlwatch.prepare(plan, site.base_url, Settings())
        urlwatch.reset(warm=False)
        assert urlwatch.run().alerts == 5
        urlwatch.keep_as_baseline()
        urlwatch.reset(warm=True)
        assert urlwatch.run().alerts == 0


def _marked_copy(code: Path) -> Path:
    """This checkout's `watcher/` copied into `code`, leaving `ran-copy` in HOME when run."""
    shutil.copytree(REPO / "watcher", code / "watcher", ignore=shutil.ignore_patterns("*.pyc"))
    marker = "import os, pathlib; pathlib.Path(os.environ['HOME'], 'ran-copy').touch()\n"
    with (code / "watcher" / "__init__.py").open("a") as init:
        init.write(marker)
    return code


def test_code_option_runs_the_other_checkouts_package(tmp_path: Path) -> None:
    """`--code DIR`: the runs import DIR's `watcher/`, not the installed one (a "before")."""
    code = _marked_copy(tmp_path / "code")
    plan = plan_site(TINY)
    with Launcher() as launcher, serve(0.0) as site:
        site.publish(pages.build_bodies(plan))
        for folder, used in ((None, False), (code, True)):
            workdir = tmp_path / f"run-{used}"
            watcher = Watcher(workdir, launcher, folder)
            watcher.prepare(plan, site.base_url, Settings())
            watcher.reset(warm=False)
            outcome = watcher.run()
            assert (outcome.cost.exit_code, outcome.new_bodies) == (0, 5)
            assert (workdir / "ran-copy").exists() is used
            (workdir / "ran-copy").unlink(missing_ok=True)
            watcher.reset(warm=False)
            assert watcher.probe().parsed == 5  # the probe runs the same package
            assert (workdir / "ran-copy").exists() is used
    # Timed as an install runs: with its bytecode, whatever the caller's environment says.
    assert (code / "watcher" / "__pycache__").is_dir()


def test_runs_write_bytecode_whatever_the_callers_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-for-the-bench")
    env = clean_env(tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert "SLACK_BOT_TOKEN" not in env


def test_fetch_all_lets_go_of_each_page_once_handed_over() -> None:
    """A yielded result is not kept by `fetch_all`: a run never holds every body at once."""

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"<p>page</p>" * 1000)

    client = httpx.Client(transport=httpx.MockTransport(reply))
    fetcher = Fetcher(client, HttpSettings(delay=0.0), ["x.test"])
    requests = [PageRequest(f"https://x.test/{n}/") for n in range(5)]
    refs = []
    for result in fetcher.fetch_all(requests):
        refs.append(weakref.ref(result))
        del result
        gc.collect()
        assert refs[-1]() is None


def test_the_changes_picked_are_ones_the_watcher_trusts() -> None:
    """The 5% scenario's pages read as changed and readable: a variant the watcher
    refuses (two readings made to disagree) is no change a reader must hear of."""
    from bench.full_scale.scenarios import choose_changes

    plan = plan_site(Scale(forces=2, services=0, cycles=("peel-2017", "peel-2023-25")))
    bodies = pages.build_bodies(plan)
    changes = choose_changes(plan, bodies, 0.5)
    assert changes.bodies
    for path, after in changes.bodies.items():
        (reading,) = parse_all(after, "http://127.0.0.1" + path)
        assert reading.unreadable is None, path


@pytest.mark.parametrize(
    "script",
    [
        ["bench/terminal_idle.py", "--seconds", "0.2"],
        ["bench/startup.py", "--runs", "1"],
        ["bench/http_client.py", "--pages", "4", "--rounds", "1", "--latency", "0"],
    ],
)
def test_small_bench_scripts_still_run(script: list[str]) -> None:
    """They import the product's modules by path: a move must not leave them behind."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, *script], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "target" in done.stdout


@pytest.mark.parametrize("warm", [False, True])
def test_paired_runs_alternate_two_checkouts(tmp_path: Path, warm: bool) -> None:
    """`bench.full_scale.paired`: both sides run each pair; a warm pair parses nothing."""
    code = _marked_copy(tmp_path / "code")
    sides = paired.compare(code, 2, warm, TINY, 0.0, tmp_path / "work")
    assert [
        (workdir / "ran-copy").exists()
        for workdir in (tmp_path / "work" / "a", tmp_path / "work" / "b")
    ] == [True, False]
    for side in sides:
        assert len(side.cpu) == 2
        assert all(cpu > 0 for cpu in side.cpu)
        assert len(side.main_ms) == (0 if warm else 2)  # a warm run has nothing to parse
        assert len(side.client_ms) == 2
    assert paired.render(sides, warm).splitlines()[-1].startswith("B ÷ A, median CPU: ")


def test_probe_counts_parsed_pages_of_a_check_that_imports_parse_all_at_load(
    tmp_path: Path,
) -> None:
    """An earlier `check` bound `parse_all` when it loaded: the probe still sees each parse."""
    code = _marked_copy(tmp_path / "code")
    check = code / "watcher" / "check.py"
    lazy = "    from watcher.parse import parse_all\n"
    source = check.read_text()
    assert source.count(lazy) == 1
    check.write_text(source.replace(lazy, "") + "\nfrom watcher.parse import parse_all\n")
    plan = plan_site(TINY)
    with Launcher() as launcher, serve(0.0) as site:
        site.publish(pages.build_bodies(plan))
        watcher = Watcher(tmp_path / "run", launcher, code)
        watcher.prepare(plan, site.base_url, Settings())
        watcher.reset(warm=False)
        probe = watcher.probe()
    assert (tmp_path / "run" / "ran-copy").exists()
    assert (probe.parsed, probe.unchanged) == (5, 0)
