"""Command line of the full-scale benchmark.

Example (the documented one, from the repository root, venv active)::

    python -m bench.full_scale --update-readme

Tiny scale, as the smoke test runs it::

    python -m bench.full_scale --forces 1 --services 0 --cycles peel-2017 --no-extras \
        --runs 1 --latency 0
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

from bench.full_scale.markdown import render
from bench.full_scale.plan import DEFAULT_CYCLES, Scale
from bench.full_scale.report import load_average
from bench.full_scale.scenarios import Options, run_benchmark
from bench.full_scale.tools import Settings, holds_package

BENCH = Path(__file__).resolve().parent.parent
README = BENCH / "README.md"
BEGIN, END = "<!-- full-scale:begin -->", "<!-- full-scale:end -->"


def parse_options(argv: list[str]) -> tuple[Options, argparse.Namespace]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.full_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per scenario (default 3)")
    parser.add_argument("--latency", type=float, default=50, help="ms per request (default 50)")
    parser.add_argument("--concurrency", type=int, default=4, help="http.max_concurrency")
    parser.add_argument("--delay", type=float, default=0.0, help="http.delay in seconds")
    parser.add_argument("--forces", type=int, help="only the first N forces")
    parser.add_argument("--services", type=int, help="only the first N fire services")
    parser.add_argument("--cycles", nargs="+", default=list(DEFAULT_CYCLES))
    parser.add_argument("--no-extras", action="store_true", help="no Engage or FRS table")
    parser.add_argument("--no-urlwatch", action="store_true", help="watcher figures only")
    parser.add_argument("--no-probe", action="store_true", help="do not count parsed pages")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    parser.add_argument("--keep", type=Path, help="keep state and logs in this directory")
    parser.add_argument("--gzip", action="store_true", help="the site sends gzip when asked")
    parser.add_argument("--update-readme", action="store_true", help="results into the README")
    parser.add_argument(
        "--code",
        type=Path,
        help="a folder holding another checkout's watcher/ to run instead (a 'before')",
    )
    args = parser.parse_args(argv)
    scale = Scale(args.forces, args.services, tuple(args.cycles), not args.no_extras)
    options = Options(
        scale=scale,
        runs=args.runs,
        latency=args.latency / 1000,
        settings=Settings(delay=args.delay, max_concurrency=args.concurrency),
        urlwatch=not args.no_urlwatch,
        probe=not args.no_probe,
        workdir=args.keep,
        gzip=args.gzip,
        code=args.code.resolve() if args.code else None,
    )
    if options.code and not holds_package(options.code):
        parser.error(f"--code {args.code}: no watcher/ package in that folder")
    if options.code and args.update_readme:
        parser.error("--code measures another checkout: its figures do not go in the README")
    return options, args


def main(argv: list[str] | None = None) -> None:
    options, args = parse_options(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    before = load_average()
    bench = run_benchmark(options)
    report = render(bench, before, load_average())
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    print(report)
    if args.update_readme:
        update_readme(README, report)


def update_readme(readme: Path, report: str) -> None:
    """Replace the results between the markers of the "Full-scale check" section."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    block = f"{BEGIN}\n{report.strip()}\n{END}"
    if BEGIN in text and END in text:
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n## Full-scale check\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")
