"""What one `watcher check` with nothing to watch costs: the start-up every run pays.

    python bench/startup.py                 # 10 runs; --runs N; --code DIR (another checkout)

Each run is a fresh process (`watcher --config <empty> check`: no force, no service, so
no request). Reported: the median CPU time of the whole process (user + system, from
the children's rusage; less affected than wall time by a shared machine), the median
wall time, and from one more run under `-X importtime` how many modules it imported
and whether the heavy ones a check has no use for were among them. `--code DIR` runs
the package found in DIR instead of the installed one (to measure an older checkout).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("apscheduler", "slack_sdk", "jinja2", "watcher.demo", "watcher.outputs", "watcher.archive")

# Puts DIR first and drops the editable install's finder, so DIR's package is the one run.
RUNNER = (
    "import sys; sys.meta_path = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
    "sys.path.insert(0, {code!r}); from watcher.cli import main; "
    "main(['--config', {config!r}, 'check'], prog_name='watcher')"
)

CONFIG = """
[site]
base_url = "http://127.0.0.1:9"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = []
services = []
cycles = ["peel-2017"]
pages = []
[state]
path = "{state}"
"""


def one_run(command: list[str]) -> tuple[float, float]:
    """CPU and wall seconds of one process running `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, env=_env())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _env() -> dict[str, str]:
    """No Slack secret and no config from the caller's environment, and bytecode cached
    as a deployed install has it (`PYTHONDONTWRITEBYTECODE` would recompile the
    project's source on every start: see the README's Deployment section)."""
    skip = ("SLACK_", "WATCHER_", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if not k.startswith(skip)}


def imports(command: list[str]) -> tuple[int, list[str]]:
    """How many modules the run imported, and which of HEAVY."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, env=_env()
    )
    names = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    names = [n for n in names if n and not n.startswith("imported package")]
    heavy = sorted({h for h in HEAVY for n in names if n == h or n.startswith(h + ".")})
    return len(names) - 1, heavy  # less the header line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--code", type=Path, default=ROOT, help="folder holding watcher/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(CONFIG.format(state=Path(tmp) / "state.db"), encoding="utf-8")
        code = RUNNER.format(code=str(args.code.resolve()), config=str(config))
        command = [sys.executable, "-c", code]
        one_run(command)  # once to compile the bytecode and create the database
        runs = [one_run(command) for _ in range(args.runs)]
        count, heavy = imports(command)
    cpu = statistics.median(c for c, _ in runs)
    wall = statistics.median(w for _, w in runs)
    print(f"code: {args.code.resolve()}  runs: {args.runs}  load: {os.getloadavg()[0]:.2f}")
    print(f"median CPU {cpu:.3f} s, median wall {wall:.3f} s, modules imported {count}")
    print(f"heavy modules a check does not use: {', '.join(heavy) or 'none'}")
    print(f"target <= 0.3 s: {'yes' if cpu <= 0.3 else 'no'}")


if __name__ == "__main__":
    main()
