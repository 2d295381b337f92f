"""Medians, targets and the Markdown report of a benchmark run."""

from __future__ import annotations

import os
import platform
import statistics
from dataclasses import dataclass, fields

from bench.full_scale.scenarios import BenchmarkResult, Sample, ScenarioResult

PAGE_BYTES = 4096  # SQLite grows its file a page at a time
RSS_LIMIT_MB = 100.0
WALL_SLACK = 1.25
UNCHANGED_MS = 1.0
PARSED_MS = 10.0
COMMAND = "python -m bench.full_scale"


@dataclass(frozen=True)
class Figures:
    """One tool's medians in one scenario."""

    wall: float
    cpu: float
    rss: float
    requests: float
    megabytes: float
    growth: float
    alerts: float
    errors: float
    new_assessments: float
    new_bodies: float


def figures(result: ScenarioResult, tool: str) -> Figures:
    samples = result.samples[tool]
    names = [f.name for f in fields(Figures)]
    return Figures(*(statistics.median(_pick(s, name) for s in samples) for name in names))


def _pick(sample: Sample, name: str) -> float:
    outcome, traffic = sample.outcome, sample.traffic
    values = {
        "wall": outcome.cost.wall,
        "cpu": outcome.cost.cpu,
        "rss": outcome.cost.peak_rss_mb,
        "requests": traffic.requests,
        "megabytes": traffic.bytes_sent / 1e6,
        "growth": outcome.state_growth,
        "alerts": outcome.alerts,
        "errors": outcome.errors,
        "new_assessments": outcome.new_assessments,
        "new_bodies": outcome.new_bodies,
    }
    return float(values[name])


def net_per_request(bench: BenchmarkResult, index: int, tool: str = "watcher") -> float:
    """Whole-process CPU per request with the fixed start-up cost taken out (ms)."""
    mine = figures(bench.scenarios[index], tool)
    net = max(0.0, mine.cpu - figures(bench.startup, tool).cpu) * 1000
    return net / mine.requests if mine.requests else 0.0


@dataclass(frozen=True)
class Stages:
    """Where the probe runs' CPU went, per unit of work (ms), and what is left (s)."""

    fetch: float  # HTTP client, per request (pool threads)
    unchanged: float  # main thread, per unchanged page: its bookkeeping
    parsed: float | None  # main thread, per parsed page: parse, diff, store
    rest: float  # seconds: start-up excepted, everything else (delivery, run records)


def stages(bench: BenchmarkResult, index: int) -> Stages | None:
    probe = bench.scenarios[index].probe
    if probe is None or probe.parsed < 0:
        return None
    startup = figures(bench.startup, "watcher").cpu
    rest = probe.cost.cpu - startup - probe.fetch_cpu - probe.parsed_cpu - probe.unchanged_cpu
    return Stages(
        _ms(probe.fetch_cpu, probe.fetches),
        _ms(probe.unchanged_cpu, probe.unchanged),
        _ms(probe.parsed_cpu, probe.parsed) if probe.parsed else None,
        rest,
    )


def _ms(seconds: float, count: int) -> float:
    return seconds * 1000 / count if count else 0.0


def floor_seconds(bench: BenchmarkResult, requests: float) -> float:
    """The politeness floor: pages / allowed concurrency x latency, or the delay if longer."""
    settings = bench.options.settings
    gap = max(bench.options.latency / settings.max_concurrency, settings.delay)
    return requests * gap


@dataclass(frozen=True)
class Verdict:
    target: str
    met: bool | None  # None: cannot be judged in this run (no urlwatch, no latency)
    detail: str


def verdicts(bench: BenchmarkResult) -> list[Verdict]:
    """Every target of the issue, judged on the watcher's medians."""
    return [
        *_unchanged_targets(bench),
        _cosmetic_target(bench),
        *_parse_cost_targets(bench),
        _wall_target(bench),
        _rss_target(bench),
        *_urlwatch_targets(bench),
        _alerts_target(bench),
    ]


def _unchanged_targets(bench: BenchmarkResult) -> list[Verdict]:
    found = []
    for index in (1, 2):
        result = bench.scenarios[index]
        mine = figures(result, "watcher")
        cost = net_per_request(bench, index)
        name = result.scenario.key
        found.append(Verdict(f"{name}: no page parsed", _zero(result.parsed), _parsed(result)))
        detail = f"{cost:.2f} ms/page net of start-up ({_gross(bench, index)} gross)"
        found.append(Verdict(f"{name}: CPU < 1 ms/page", cost < UNCHANGED_MS, detail))
        bookkeeping = mine.new_bodies == 0 and mine.growth <= PAGE_BYTES
        detail = f"{mine.growth:.0f} B file growth, {mine.new_bodies:.0f} bodies stored"
        found.append(Verdict(f"{name}: DB growth only bookkeeping", bookkeeping, detail))
    return found


def _zero(parsed: int | None) -> bool | None:
    return None if parsed is None or parsed < 0 else parsed == 0


def _parsed(result: ScenarioResult) -> str:
    if result.parsed is None or result.parsed < 0:
        return "not counted (probe off or unavailable)"
    return f"{result.parsed} pages parsed (the most in any probe run)"


def _gross(bench: BenchmarkResult, index: int) -> str:
    mine = figures(bench.scenarios[index], "watcher")
    return f"{mine.cpu / mine.requests * 1000:.2f} ms/page" if mine.requests else "-"


def _cosmetic_target(bench: BenchmarkResult) -> Verdict:
    mine = figures(bench.scenarios[4], "watcher")
    met = mine.alerts == 0 and mine.new_assessments == 0
    detail = f"{mine.alerts:.0f} alerts, {mine.new_assessments:.0f} new assessments"
    return Verdict("5 cosmetic: zero alerts, zero new assessments", met, detail)


def _parse_cost_targets(bench: BenchmarkResult) -> list[Verdict]:
    found = []
    for index in (0, 3):
        cost = stages(bench, index)
        name = f"{bench.scenarios[index].scenario.key}: parse + diff + store < 10 ms per page"
        if cost is None or cost.parsed is None:
            found.append(Verdict(name, None, "stages not measured (probe off or unavailable)"))
            continue
        detail = (
            f"{cost.parsed:.2f} ms per parsed page (probe, main thread); whole process "
            f"{net_per_request(bench, index):.2f} ms per request net of start-up, "
            f"{_gross(bench, index)} gross"
        )
        found.append(Verdict(name, cost.parsed < PARSED_MS, detail))
    return found


def _wall_target(bench: BenchmarkResult) -> Verdict:
    ratios = []
    for result in bench.scenarios:
        mine = figures(result, "watcher")
        floor = floor_seconds(bench, mine.requests)
        ratios.append((mine.wall / floor if floor else None, result.scenario.key))
    if any(ratio is None for ratio, _ in ratios):
        return Verdict("wall within 1.25x of the politeness floor", None, "no latency: no floor")
    worst = max(r for r, _ in ratios if r is not None)
    detail = ", ".join(f"{k}: {r:.2f}x" for r, k in ratios if r is not None)
    floor = floor_seconds(bench, figures(bench.scenarios[0], "watcher").requests)
    detail += (
        f"; a client that only downloads takes {bench.harness_floor:.2f} s "
        f"= {bench.harness_floor / floor:.2f}x on this machine"
    )
    return Verdict("wall within 1.25x of the politeness floor", worst <= WALL_SLACK, detail)


def _rss_target(bench: BenchmarkResult) -> Verdict:
    peaks = [(figures(r, "watcher").rss, r.scenario.key) for r in bench.scenarios]
    worst, key = max(peaks)
    return Verdict("peak RSS < 100 MB", worst < RSS_LIMIT_MB, f"highest {worst:.1f} MB ({key})")


def _urlwatch_targets(bench: BenchmarkResult) -> list[Verdict]:
    if "urlwatch" not in bench.tools:
        return [Verdict("CPU and peak RSS below urlwatch's", None, "urlwatch not installed")]
    found = []
    for label, attribute in (("CPU", "cpu"), ("peak RSS", "rss")):
        pairs = [
            (
                getattr(figures(r, "watcher"), attribute),
                getattr(figures(r, "urlwatch"), attribute),
                r.scenario.key,
            )
            for r in bench.scenarios
        ]
        met = all(mine < theirs for mine, theirs, _ in pairs)
        detail = ", ".join(f"{key}: {theirs / mine:.2f}x" for mine, theirs, key in pairs if mine)
        found.append(Verdict(f"{label} below urlwatch's in every scenario", met, detail))
    return found


def _alerts_target(bench: BenchmarkResult) -> Verdict:
    changed, cosmetic = bench.scenarios[3], bench.scenarios[4]
    alerted = {url for s in changed.samples["watcher"] for url in s.outcome.alerted_urls}
    alerts = figures(changed, "watcher").alerts
    met = alerted == changed.expected_urls and alerts == changed.expected_alerts
    detail = (
        f"watcher: {alerts:.0f} alerts on {len(alerted)} pages for {changed.expected_alerts} "
        f"real changes on {len(changed.expected_urls)} pages, "
        f"{figures(cosmetic, 'watcher').alerts:.0f} for cosmetic changes"
    )
    if "urlwatch" in bench.tools:
        detail += (
            f"; urlwatch: {figures(changed, 'urlwatch').alerts:.0f} and "
            f"{figures(cosmetic, 'urlwatch').alerts:.0f} pages reported changed"
        )
    return Verdict("alerts only for the real changes", met, detail)


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            lines = [line for line in cpuinfo if line.startswith("model name")]
        model = lines[0].split(":", 1)[1].strip() if lines else model
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs (nproc), {model}, {platform.system()} {platform.release()}"


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"
