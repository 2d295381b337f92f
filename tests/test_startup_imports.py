"""`watcher check` loads only what a run needs: a page is parsed, a listing read, a
change diffed, before their stages are imported (the start-up every run pays)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Loaded by a check only when it needs them: no page parsed, no [discover], no change.
NOT_AT_START = (
    "watcher.parse",
    "watcher.diff",
    "watcher.discover",
    "watcher.store.queries",
    "watcher.store.exports",
    "selectolax",
    "rapidfuzz",
    "pygments",
    "slack_sdk",
    "apscheduler",
    "jinja2",
    "stamina",  # retries: loaded by the first fetch
    "rich",  # off a terminal: no bar, plain log lines; loaded by the first alert printed
)

PROBE = """
import sys
from watcher.cli import main
try:
    main(["--config", sys.argv[1], "check"], prog_name="watcher")
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def test_a_check_with_nothing_to_read_imports_no_stage_it_does_not_use(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[site]
base_url = "http://127.0.0.1:9"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = []
services = []
pages = []
[state]
path = "{tmp_path / "watcher.db"}"
""",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(config)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    loaded = set(done.stdout.splitlines()[-1].split())
    assert "watcher.check" in loaded  # the run really happened
    early = [m for m in loaded for n in NOT_AT_START if m == n or m.startswith(n + ".")]
    assert sorted(early) == []


def test_the_httpx_command_line_still_runs_after_the_stand_in() -> None:
    """The stand-in for httpx's CLI loads the real one when it is called."""
    probe = (
        "import watcher.fetch, httpx, sys; assert 'pygments' not in sys.modules; "
        "httpx.main(['--help'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
