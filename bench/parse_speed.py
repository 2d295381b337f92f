"""Parse speed: the median time to parse a ~150 KB page of each kind.

Run from the repository root: `python bench/parse_speed.py` (options: `--runs N`,
`--size BYTES`). For each kind of page it takes a fixture page from
tests/fixtures/pages, pads it to the size with realistic repeated narrative (a detailed
findings heading, paragraphs of inspection prose, a bulleted list, about as dense in
blocks as the real 2018/19 report) and chrome (related links, share links) where the
page's content ends, checks that the padding changed nothing the parser reads, then
times `parse_all` (what the pipeline calls) over the runs and prints a table: median
and 90th-percentile wall-clock milliseconds, and the median CPU milliseconds of this
process. Target: a median under 5 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from watcher.models import Assessment  # noqa: E402  (the repository is on the path now)
from watcher.parse import parse_all  # noqa: E402

PAGES = REPO / "tests" / "fixtures" / "pages"
TARGET_MS = 5.0
# One fixture page per kind (and per report era), with the address it was published at.
KINDS = (
    ("force_page", "kent-peel-2015.h2.html"),
    ("force_page 2014", "kent-peel-2014.h2.html"),
    ("pillar_page", "kent-peel-2017-effectiveness.h2.html"),
    ("peel_report 2018/19", "kent-peel-2018-19-report.h2.html"),
    ("peel_report 2023-25", "kent-peel-2023-25.table.html"),
    ("letter", "kent-cause-of-concern-revisit-letter.h2.html"),
    ("engage (multi)", "police-forces-in-engage.dl.html"),
    ("overview (multi)", "peel-2016-overview.thead.html"),
    ("frs_service", "hereford-and-worcester-frs-2021-service.h2.html"),
    ("frs_table (multi)", "frs-2023-25-table.h2.html"),
    ("unknown", "unknown-news-press-release.h2.html"),
)
PROSE = (
    "The force has a good understanding of the demand it faces and uses this to plan how "
    "it deploys its officers and staff. It works well with partner organisations, such as "
    "local authorities and health services, to share information and to keep people safe. "
    "Leaders make sure that the workforce understands the force’s priorities, and we found "
    "that officers and staff were positive about the support they receive from supervisors."
)
# Narrative as the real 2018/19 report prints it (some 4.6 blocks per KB there, 4.7
# here): a detailed-findings heading, paragraphs, a short list. Repeated to the size.
NARRATIVE = (
    "<h4>Detailed findings</h4>\n"
    + f"<p>{PROSE} {PROSE}</p>\n<p>{PROSE}</p>\n"
    + "<p>We will continue to monitor the force’s progress through our routine "
    "engagement with it.</p>\n"
    "<ul><li>it reviews its approach every three months;</li>"
    "<li>it shares what works with other teams; and</li>"
    "<li>it asks victims what they think of the service they receive.</li></ul>\n"
)
# Chrome a page carries once, after its content: related links, share links.
CHROME = (
    '<div class="related"><h3>Related content</h3><ul><li><a href="#">PEEL methodology</a>'
    '</li><li><a href="#">Our approach to inspection</a></li></ul></div>\n'
    '<div class="share"><p>Share this page</p><p><a href="#">Twitter</a> '
    '<a href="#">LinkedIn</a></p></div>\n'
)
# Where a page's content ends, in the chrome the fixture builders wrap pages in.
_CONTENT_ENDS = ('<p class="modified">', '<div class="tools">', "<footer>", "</main>", "</body>")


def padded(page: Path, size: int) -> bytes:
    """The fixture page with padding where its content ends, until it is `size` bytes."""
    text = page.read_text(encoding="utf-8")
    end = next((text.index(m) for m in _CONTENT_ENDS if m in text), len(text))
    room = size - len(text.encode()) - len(CHROME.encode())
    repeat = max(0, room // len(NARRATIVE.encode()) + 1)
    return (text[:end] + NARRATIVE * repeat + CHROME + text[end:]).encode()


def url_of(page: Path) -> str:
    """The address the fixture page was published at, from its case's expected JSON."""
    stem = page.name.split(".")[0]
    for name in (f"{stem}.json", f"{stem}.multi.json"):
        case = PAGES / name
        if case.exists():
            marker = '"url": "'
            text = case.read_text(encoding="utf-8")
            start = text.index(marker) + len(marker)
            return text[start : text.index('"', start)]
    raise FileNotFoundError(f"no expected JSON for {page.name}")


def reading(assessments: list[Assessment]) -> list[tuple[object, ...]]:
    """What the parser read that padding must not change: grades and findings."""
    return [(a.organisation, a.judgements, a.findings) for a in assessments]


def timings(body: bytes, url: str, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds per parse, by the wall clock and in this process's CPU time (which
    other processes on a busy machine inflate less)."""
    for _ in range(5):  # warm up
        parse_all(body, url)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        parse_all(body, url)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def row(kind: str, name: str, size: int, runs: int) -> str:
    page = PAGES / name
    if not page.exists():
        return f"| {kind} | {name} (missing) | | | | | | |"
    url, body = url_of(page), padded(page, size)
    same = reading(parse_all(body, url)) == reading(parse_all(page.read_bytes(), url))
    wall, cpu = timings(body, url, runs)
    median = statistics.median(wall)
    p90 = statistics.quantiles(wall, n=10)[-1]
    verdict = "yes" if median < TARGET_MS else "NO"
    return (
        f"| {kind} | {name} | {len(body) / 1000:.0f} | {median:.2f} | {p90:.2f} | "
        f"{statistics.median(cpu):.2f} | {'yes' if same else 'NO'} | {verdict} |"
    )


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line for line in cpuinfo.read_text().splitlines() if line.startswith("model name")]
        model = names[0].split(":", 1)[1].strip() if names else model
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}, load {load}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="timed runs per page (>= 100)")
    parser.add_argument("--size", type=int, default=150_000, help="page size in bytes")
    args = parser.parse_args()
    print(f"Parse speed, median of {args.runs} runs per page ({machine()})\n")
    print("| kind | fixture page | KB | median ms | p90 ms | CPU ms | same reading | < 5 ms |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    for kind, name in KINDS:
        print(row(kind, name, args.size, args.runs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
