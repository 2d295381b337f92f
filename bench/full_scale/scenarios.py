"""The five scenarios, and running each tool through them on one synthetic site.

Every run starts from a known state: cold runs from nothing, warm runs from a copy of
the state the first cold run left. Runs of the two tools alternate, so a busy moment
on the machine falls on both rather than on one.
"""

from __future__ import annotations

import logging
import random
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.full_scale import pages
from bench.full_scale.plan import Scale, SitePlan, plan_site
from bench.full_scale.site import SyntheticSite, Traffic, serve
from bench.full_scale.tools import (
    REPO,
    Launcher,
    Outcome,
    Probe,
    ProcessCost,
    Settings,
    Tool,
    Urlwatch,
    Watcher,
    clean_env,
    urlwatch_installed,
)
from watcher.diff import diff
from watcher.parse import parse_all

Bodies = dict[str, bytes]
log = logging.getLogger("bench.full_scale")


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    warm: bool
    validators: bool
    variant: str  # "base", "changed" or "cosmetic"


SCENARIOS = (
    Scenario("1 cold", "empty state, every page new", False, True, "base"),
    Scenario("2 warm 304", "nothing changed, validators on", True, True, "base"),
    Scenario("3 warm 200", "nothing changed, validators off", True, False, "base"),
    Scenario("4 warm 5%", "5% of pages changed", True, True, "changed"),
    Scenario("5 cosmetic", "chrome changed on every page", True, True, "cosmetic"),
)
STARTUP = Scenario("0 start-up", "empty catalogue: start-up cost alone", False, True, "base")
# Start-up is measured at least this often: a run costs 0.2 s, and its median is taken
# out of every "net" figure. With three, the first runs of a benchmark (0.30-0.34 s of
# CPU for both tools, where later ones took 0.16 s) could be the median.
STARTUP_RUNS = 11


@dataclass(frozen=True)
class Options:
    scale: Scale = field(default_factory=Scale)
    runs: int = 3
    latency: float = 0.05
    settings: Settings = field(default_factory=Settings)
    changed_fraction: float = 0.05
    urlwatch: bool = True
    probe: bool = True  # extra runs per scenario with counters on the watcher's stages
    workdir: Path | None = None  # keep state and logs here (else a temporary directory)
    gzip: bool = False  # the site answers gzip, as the real one does, to clients asking
    code: Path | None = None  # run this folder's `watcher/` instead of the installed one


@dataclass(frozen=True)
class Sample:
    outcome: Outcome
    traffic: Traffic


@dataclass(frozen=True)
class ChangeSet:
    """The pages scenario 4 changes, and the changes a reader must be told about."""

    bodies: Bodies
    expected_changes: int


@dataclass
class ScenarioResult:
    scenario: Scenario
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    probe: Probe | None = None  # the watcher's stages, counted in an extra run

    @property
    def parsed(self) -> int | None:
        """Pages the watcher parsed (-1: could not be counted; None: no probe run)."""
        return self.probe.parsed if self.probe else None

    expected_alerts: int = 0
    expected_urls: frozenset[str] = frozenset()

    def median(self, tool: str, figure: Callable[[Sample], float]) -> float:
        return statistics.median(figure(sample) for sample in self.samples[tool])


@dataclass
class BenchmarkResult:
    options: Options
    plan: SitePlan
    startup: ScenarioResult
    scenarios: list[ScenarioResult]
    tools: list[str]
    harness_floor: float  # median wall of a client that only downloads every page


def choose_changes(plan: SitePlan, bodies: Bodies, fraction: float, seed: int = 2024) -> ChangeSet:
    """Real changes on `fraction` of the pages, each one the watcher can read a change in."""
    wanted = max(1, round(fraction * len(plan.pages)))
    candidates = sorted(bodies)
    random.Random(seed).shuffle(candidates)
    chosen: Bodies = {}
    expected = 0
    for path in candidates:
        after = pages.changed(bodies[path])
        found = _changes(path, bodies[path], after)
        if found:
            chosen[path] = after
            expected += found
        if len(chosen) == wanted:
            break
    return ChangeSet(chosen, expected)


def _changes(path: str, before: bytes, after: bytes) -> int:
    url = "http://127.0.0.1" + path
    old, new = parse_all(before, url), parse_all(after, url)
    if len(old) != 1 or len(new) != 1:
        return 0  # pages about many organisations are outside this scenario
    if new[0].unreadable:
        # `pages.changed` moves one printing of a grade; where a page prints it twice
        # (a 2021+ report's summary and its area's section) the watcher rightly refuses
        # the page whose two readings disagree: that is no change a reader must hear of.
        return 0
    return len(diff(old[0], new[0]))


def variant_bodies(variant: str, bodies: Bodies, changes: ChangeSet) -> Bodies:
    if variant == "changed":
        return {**bodies, **changes.bodies}
    if variant == "cosmetic":
        return {path: pages.cosmetic(body) for path, body in bodies.items()}
    return bodies


def run_benchmark(options: Options) -> BenchmarkResult:
    """Build the site, then run every scenario for every tool; see the module docstring."""
    plan = plan_site(options.scale)
    bodies = pages.build_bodies(plan)
    changes = choose_changes(plan, bodies, options.changed_fraction)
    with (
        Launcher() as launcher,
        _workdir(options.workdir) as tmp,
        serve(options.latency, options.gzip) as site,
    ):
        tools = _tools(Path(tmp), plan, site, options, launcher)
        empty = _tools(Path(tmp) / "startup", _empty(plan), site, options, launcher)
        runs = max(options.runs, STARTUP_RUNS)
        startup = _run_scenario(STARTUP, site, empty, options, probe=False, runs=runs)
        site.publish(bodies)
        floor = _harness_floor(Path(tmp), plan, site, options, launcher)
        results = []
        for scenario in SCENARIOS:
            site.publish(variant_bodies(scenario.variant, bodies, changes))
            results.append(_run_scenario(scenario, site, tools, options, options.probe))
    results[3].expected_alerts = changes.expected_changes
    results[3].expected_urls = frozenset(f"{site.base_url}{p}" for p in changes.bodies)
    return BenchmarkResult(options, plan, startup, results, [t.name for t in tools], floor)


def _harness_floor(
    workdir: Path, plan: SitePlan, site: SyntheticSite, options: Options, launcher: Launcher
) -> float:
    """Median wall time of `bare.py` downloading every page: the best this harness allows."""
    urls = workdir / "urls.txt"
    urls.write_text("\n".join(site.base_url + page.path for page in plan.pages) + "\n")
    argv = [sys.executable, "-m", "bench.full_scale.bare", str(urls)]
    argv.append(str(options.settings.max_concurrency))
    env = clean_env(workdir) | {"PYTHONPATH": str(REPO)}
    walls = [launcher.measure(argv, env, workdir / "bare.log").wall for _ in range(options.runs)]
    site.take_traffic()
    return statistics.median(walls)


@contextmanager
def _workdir(keep: Path | None) -> Iterator[str]:
    """Where the tools keep their state and logs: `keep` if given (left behind), else temp."""
    if keep is not None:
        shutil.rmtree(keep, ignore_errors=True)
        keep.mkdir(parents=True)
        yield str(keep)
        return
    with tempfile.TemporaryDirectory(prefix="full-scale-") as tmp:
        yield tmp


def _empty(plan: SitePlan) -> SitePlan:
    """The same configuration with nothing to watch: what start-up alone costs."""
    return SitePlan((), (), plan.cycles, ())


def _tools(
    workdir: Path, plan: SitePlan, site: SyntheticSite, options: Options, launcher: Launcher
) -> list[Tool]:
    tools: list[Tool] = [Watcher(workdir / "watcher", launcher, options.code)]
    if options.urlwatch and urlwatch_installed():
        tools.append(Urlwatch(workdir / "urlwatch", launcher))
    for tool in tools:
        tool.prepare(plan, site.base_url, options.settings)
    return tools


def _run_scenario(
    scenario: Scenario,
    site: SyntheticSite,
    tools: Sequence[Tool],
    options: Options,
    probe: bool,
    runs: int | None = None,
) -> ScenarioResult:
    site.validators = scenario.validators
    result = ScenarioResult(scenario, {tool.name: [] for tool in tools})
    for attempt in range(runs or options.runs):
        for tool in tools:
            tool.reset(scenario.warm)
            site.take_traffic()
            outcome = tool.run()
            traffic = site.take_traffic()
            result.samples[tool.name].append(Sample(outcome, traffic))
            log.info(
                "%s run %d %s: %.2f s wall, %.2f s CPU, %.0f MB, %d requests, %d alerts",
                scenario.key,
                attempt + 1,
                tool.name,
                outcome.cost.wall,
                outcome.cost.cpu,
                outcome.cost.peak_rss_mb,
                traffic.requests,
                outcome.alerts,
            )
            if not scenario.warm and attempt == 0:
                tool.keep_as_baseline()
    watcher = next((t for t in tools if isinstance(t, Watcher)), None)
    if probe and watcher:
        result.probe = _median_probe([_probe(watcher, scenario, site) for _ in range(options.runs)])
    return result


def _probe(watcher: Watcher, scenario: Scenario, site: SyntheticSite) -> Probe:
    watcher.reset(scenario.warm)
    probe = watcher.probe()
    site.take_traffic()
    return probe


def _median_probe(probes: list[Probe]) -> Probe:
    """Each CPU figure's median over the probe runs; pages parsed: the most in any run."""

    def median(name: str) -> float:
        return float(statistics.median(getattr(p, name) for p in probes))

    costs = [p.cost for p in probes]
    cost = ProcessCost(
        statistics.median(c.wall for c in costs),
        statistics.median(c.cpu for c in costs),
        statistics.median(c.peak_rss_mb for c in costs),
        max(c.exit_code for c in costs),
    )
    return Probe(
        cost,
        max(p.parsed for p in probes),
        median("parsed_cpu"),
        probes[0].unchanged,
        median("unchanged_cpu"),
        probes[0].fetches,
        median("fetch_cpu"),
    )
