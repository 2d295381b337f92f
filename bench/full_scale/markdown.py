"""The benchmark's report as Markdown: settings, the side-by-side table, the targets."""

from __future__ import annotations

from importlib import metadata

from bench.full_scale.report import (
    COMMAND,
    Figures,
    figures,
    floor_seconds,
    machine,
    net_per_request,
    stages,
    verdicts,
)
from bench.full_scale.scenarios import STARTUP_RUNS, BenchmarkResult, ScenarioResult

HEADER = (
    "scenario",
    "tool",
    "wall s",
    "floor s",
    "CPU s",
    "CPU ms/page net",
    "peak RSS MB",
    "requests",
    "MB received",
    "state growth",
    "alerts",
    "errors",
)


def render(bench: BenchmarkResult, load_before: str, load_after: str) -> str:
    """The whole report: settings, results table, targets."""
    return "\n".join(
        [
            *_settings(bench, load_before, load_after),
            "",
            *_table(bench),
            "",
            *_notes(bench),
            "",
            *_stages_table(bench),
            "",
            *_targets(bench),
            "",
        ]
    )


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _settings(bench: BenchmarkResult, load_before: str, load_after: str) -> list[str]:
    options, plan = bench.options, bench.plan
    settings = options.settings
    published = len(plan.published)
    urlwatch = (
        f"urlwatch {_version('urlwatch')}: same URLs, no filters, text report on stdout, "
        f"{settings.max_concurrency} workers (its pool size, set from a hooks file)"
        if "urlwatch" in bench.tools
        else "urlwatch: not installed (`pip install -e '.[bench]'`): watcher figures only"
    )
    return [
        f"- command: `{COMMAND}` (this run: {options.runs} runs per scenario and "
        f"{max(options.runs, STARTUP_RUNS)} of start-up, medians)",
        f"- machine: {machine()}; load average 1/5/15 min before {load_before}, after {load_after}",
        f"- site: {len(plan.pages)} pages on 127.0.0.1 ({published} published, 100–200 KB "
        f"each; {len(plan.pages) - published} not yet published, 404), "
        f"{options.latency * 1000:.0f} ms latency per request, HTTP/1.1 keep-alive"
        + (", pages sent gzip'd to clients that accept it" if options.gzip else ""),
        f"- watcher: `http.delay = {settings.delay}`, `http.max_concurrency = "
        f"{settings.max_concurrency}`, Slack unset (console notifier), "
        f"cycles {', '.join(plan.cycles)} + {len(plan.extra_paths)} `watch.pages`"
        + (f"; the code in `{options.code}`, not this checkout's" if options.code else ""),
        f"- {urlwatch}",
        "- floor = requests ÷ max_concurrency × latency; CPU ms/page net = (CPU − start-up "
        "CPU) ÷ requests; state growth = database + WAL (watcher), cache file (urlwatch); "
        "alerts = outbox rows queued (watcher: in a cold run, the one “now watching” "
        "summary) or NEW + CHANGED reported (urlwatch); errors = failed pages (watcher) "
        "or ERROR reported (urlwatch: the 404s of unpublished reports, every run)",
    ]


def _table(bench: BenchmarkResult) -> list[str]:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += _rows(bench, bench.startup, "0 start-up", None)
    for index, result in enumerate(bench.scenarios):
        lines += _rows(bench, result, result.scenario.key, index)
    return lines


def _rows(bench: BenchmarkResult, result: ScenarioResult, key: str, index: int | None) -> list[str]:
    rows = []
    for tool in bench.tools:
        mine = figures(result, tool)
        net = net_per_request(bench, index, tool) if index is not None else None
        rows.append(_row(key, tool, mine, floor_seconds(bench, mine.requests), net))
    if "urlwatch" in bench.tools:
        rows.append(_ratio_row(figures(result, "watcher"), figures(result, "urlwatch")))
    return rows


def _row(key: str, tool: str, mine: Figures, floor: float, net: float | None) -> str:
    cells = (
        key,
        tool,
        f"{mine.wall:.2f}",
        f"{floor:.2f}",
        f"{mine.cpu:.2f}",
        "-" if net is None else f"{net:.2f}",
        f"{mine.rss:.1f}",
        f"{mine.requests:.0f}",
        f"{mine.megabytes:.1f}",
        _size(mine.growth),
        f"{mine.alerts:.0f}",
        f"{mine.errors:.0f}",
    )
    return "| " + " | ".join(cells) + " |"


def _ratio_row(mine: Figures, theirs: Figures) -> str:
    def ratio(a: float, b: float) -> str:
        return f"{b / a:.2f}×" if a else "-"

    cells = [
        *("", "*urlwatch ÷ watcher*", ratio(mine.wall, theirs.wall), ""),
        *(ratio(mine.cpu, theirs.cpu), "", ratio(mine.rss, theirs.rss), "", ""),
        *(ratio(mine.growth, theirs.growth), ratio(mine.alerts, theirs.alerts), ""),
    ]
    return "| " + " | ".join(cells) + " |"


def _size(size: float) -> str:
    if abs(size) >= 1e6:
        return f"{size / 1e6:.1f} MB"
    if abs(size) >= 1e3:
        return f"{size / 1e3:.1f} KB"
    return f"{size:.0f} B"


def _notes(bench: BenchmarkResult) -> list[str]:
    lines = []
    for result in bench.scenarios:
        mine = figures(result, "watcher")
        parsed = "not counted" if result.parsed is None else str(result.parsed)
        lines.append(
            f"- {result.scenario.key} ({result.scenario.title}): watcher parsed {parsed} "
            f"pages, stored {mine.new_assessments:.0f} new assessments and "
            f"{mine.new_bodies:.0f} bodies"
        )
    changed = bench.scenarios[3]
    lines.append(
        f"- 4 warm 5%: {len(changed.expected_urls)} pages really changed, carrying "
        f"{changed.expected_alerts} changes (grades and findings) a reader must hear about"
    )
    return lines


def _stages_table(bench: BenchmarkResult) -> list[str]:
    """Where the watcher's CPU goes, from one extra run per scenario with counters on."""
    startup = figures(bench.startup, "watcher").cpu
    lines = [
        f"Where the watcher's CPU goes (probe runs, as many per scenario as timed runs, "
        f"medians; start-up {startup:.2f} s CPU in every run):",
        "",
        "| scenario | probe CPU s | HTTP client ms/request | bookkeeping ms/unchanged page "
        "| parse + diff + store ms/parsed page | rest s |",
        "|---|---|---|---|---|---|",
    ]
    for index, result in enumerate(bench.scenarios):
        cost = stages(bench, index)
        if cost is None or result.probe is None:
            continue
        parsed = "-" if cost.parsed is None else f"{cost.parsed:.2f} × {result.probe.parsed}"
        lines.append(
            f"| {result.scenario.key} | {result.probe.cost.cpu:.2f} | {cost.fetch:.2f} "
            f"| {cost.unchanged:.2f} × {result.probe.unchanged} | {parsed} | {cost.rest:.2f} |"
        )
    return lines


def _targets(bench: BenchmarkResult) -> list[str]:
    lines = ["| target | verdict | measured |", "|---|---|---|"]
    for verdict in verdicts(bench):
        mark = {True: "met", False: "**missed**", None: "n/a"}[verdict.met]
        lines.append(f"| {verdict.target} | {mark} | {verdict.detail} |")
    return lines
