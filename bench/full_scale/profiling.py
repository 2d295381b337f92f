"""Where a watcher run's CPU goes: one scenario, `watcher check` under cProfile, every thread.

    python -m bench.full_scale.profiling "2 warm 304" --top 25

The site and the starting state are the benchmark's (a cold run makes the baseline);
the profiled run is the console script's `main` with each thread, the download pool's
included, under its own `cProfile.Profile`, merged at the end. Each profile counts its
own thread's CPU time (`time.thread_time`), not the wall clock: a thread waiting on a
socket, a queue or the GIL is charged nothing, so the figures add up to the process's
CPU. Profiling slows Python code roughly twofold: read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.full_scale.pages import build_bodies
from bench.full_scale.plan import Scale, plan_site
from bench.full_scale.scenarios import SCENARIOS, choose_changes, variant_bodies
from bench.full_scale.site import serve
from bench.full_scale.tools import REPO, Launcher, Settings, Watcher, clean_env

_profiles: list[cProfile.Profile] = []


def _profiled_thread_run(self: threading.Thread) -> None:
    profile = cProfile.Profile(time.thread_time)
    _profiles.append(profile)
    profile.runcall(_thread_run, self)


_thread_run = threading.Thread.run


def child(out: Path, args: list[str]) -> None:
    """In the profiled process: run the watcher CLI with every thread profiled."""
    from watcher.cli import main as watcher_main

    threading.Thread.run = _profiled_thread_run  # type: ignore[method-assign]
    main_profile = cProfile.Profile(time.thread_time)
    try:
        main_profile.runcall(watcher_main, args, prog_name="watcher", standalone_mode=False)
    finally:
        stats = pstats.Stats(main_profile)
        for profile in _profiles:
            stats.add(profile)
        stats.dump_stats(str(out))


def profile_scenario(key: str, latency: float, scale: Scale, out: Path) -> None:
    """Prepare the scenario's state and site, then run one profiled `watcher check`."""
    scenario = next(s for s in SCENARIOS if s.key.startswith(key))
    plan = plan_site(scale)
    bodies = build_bodies(plan)
    changes = choose_changes(plan, bodies, 0.05)
    with Launcher() as launcher, tempfile.TemporaryDirectory() as tmp, serve(latency) as site:
        watcher = Watcher(Path(tmp), launcher)
        watcher.prepare(plan, site.base_url, Settings())
        site.publish(bodies)
        watcher.reset(warm=False)
        watcher.run()
        watcher.keep_as_baseline()
        site.validators = scenario.validators
        site.publish(variant_bodies(scenario.variant, bodies, changes))
        watcher.reset(scenario.warm)
        argv = [sys.executable, "-m", "bench.full_scale.profiling", "--child", str(out)]
        env = clean_env(Path(tmp)) | {"PYTHONPATH": str(REPO)}
        cost = launcher.measure([*argv, *watcher.command()[1:]], env, Path(tmp) / "log")
    print(f"{scenario.key}: {cost.cpu:.2f} s CPU under the profiler, {cost.wall:.2f} s wall")


def report(out: Path, top: int) -> None:
    stats = pstats.Stats(str(out))
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:  # the profiled process: --child OUT WATCHER-ARGS...
        child(Path(argv[1]), argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.full_scale.profiling")
    parser.add_argument("scenario", nargs="?", default="2", help='e.g. "1", "2 warm 304"')
    parser.add_argument("--latency", type=float, default=50, help="ms per request")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, default=Path("full-scale.prof"))
    args = parser.parse_args(argv)
    profile_scenario(args.scenario, args.latency / 1000, Scale(), args.out.resolve())
    report(args.out, args.top)


if __name__ == "__main__":
    main()
