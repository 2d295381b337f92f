"""Two checkouts' `watcher check`, paired and alternating: a change of a few per cent.

    python -m bench.full_scale.paired --code DIR                # cold, 5 pairs
    python -m bench.full_scale.paired --code DIR --warm --runs 7  # warm, every answer 304

Full-scale tables taken minutes apart on a shared machine differ by more than most
changes are worth, so a change is judged here: the same site, the same launcher, runs of
"A" (DIR's `watcher/`, e.g. `git archive COMMIT watcher | tar -x -C DIR`) and "B" (this
checkout) one after the other, the order swapped every pair so that a busy moment
falls on both. Each run's whole-process CPU is reported, and, from an untimed probe
run beside it, the main thread's CPU per parsed page and the HTTP client's per request.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.full_scale import pages
from bench.full_scale.plan import Scale, plan_site
from bench.full_scale.site import serve
from bench.full_scale.tools import Launcher, Settings, Watcher, holds_package


@dataclass
class Side:
    """One checkout's runs: whole-process CPU, and the probe's stage figures."""

    name: str
    watcher: Watcher
    cpu: list[float] = field(default_factory=list)
    main_ms: list[float] = field(default_factory=list)  # per parsed page
    client_ms: list[float] = field(default_factory=list)  # per request

    def once(self, warm: bool) -> str:
        self.watcher.reset(warm)
        probe = self.watcher.probe()
        self.watcher.reset(warm)
        self.cpu.append(self.watcher.run().cost.cpu)
        if probe.parsed > 0:
            self.main_ms.append(probe.parsed_cpu / probe.parsed * 1000)
        if probe.fetches > 0:
            self.client_ms.append(probe.fetch_cpu / probe.fetches * 1000)
        return f"{self.name}: {self.cpu[-1]:.3f} s CPU"

    def summary(self) -> str:
        def median(values: list[float], unit: str) -> str:
            return f"{statistics.median(values):.2f} {unit}" if values else "-"

        return (
            f"{self.name}: median CPU {statistics.median(self.cpu):.3f} s "
            f"(runs {', '.join(f'{c:.2f}' for c in self.cpu)}); "
            f"main thread {median(self.main_ms, 'ms/parsed page')}; "
            f"HTTP client {median(self.client_ms, 'ms/request')}"
        )


def compare(
    code: Path, runs: int, warm: bool, scale: Scale, latency: float, workdir: Path
) -> list[Side]:
    """Run the pairs (logged pair by pair to stdout); A is `code`'s, B this checkout's."""
    plan = plan_site(scale)
    with Launcher() as launcher, serve(latency) as site:
        site.publish(pages.build_bodies(plan))
        sides = [
            Side(f"A ({code})", Watcher(workdir / "a", launcher, code)),
            Side("B (this checkout)", Watcher(workdir / "b", launcher)),
        ]
        for side in sides:
            side.watcher.prepare(plan, site.base_url, Settings(delay=0.0))
            if warm:  # the baseline a warm run starts from: each side's own cold run
                side.watcher.reset(warm=False)
                side.watcher.run()
                side.watcher.keep_as_baseline()
        for pair in range(runs):
            order = sides if pair % 2 == 0 else sides[::-1]
            print(f"pair {pair + 1}: " + "; ".join(side.once(warm) for side in order), flush=True)
    return sides


def render(sides: list[Side], warm: bool) -> str:
    kind = "warm (every answer 304)" if warm else "cold (empty state)"
    a, b = (statistics.median(side.cpu) for side in sides)
    lines = [f"{kind}, {len(sides[0].cpu)} pairs", *(side.summary() for side in sides)]
    return "\n".join([*lines, f"B ÷ A, median CPU: {b / a:.3f}"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.full_scale.paired")
    parser.add_argument("--code", type=Path, required=True, help="folder holding watcher/ (A)")
    parser.add_argument("--runs", type=int, default=5, help="pairs (default 5)")
    parser.add_argument("--warm", action="store_true", help="warm runs, every answer 304")
    parser.add_argument("--latency", type=float, default=50, help="ms per request (50)")
    args = parser.parse_args(argv)
    code = args.code.resolve()
    if not holds_package(code):
        parser.error(f"--code {args.code}: no watcher/ package in that folder")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="paired-") as tmp:
        sides = compare(code, args.runs, args.warm, Scale(), args.latency / 1000, Path(tmp))
    print(render(sides, args.warm))


if __name__ == "__main__":
    main()
