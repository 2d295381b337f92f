"""The two watchers under test, each run as a real subprocess on its own state directory.

`Watcher` runs the venv's `watcher check` console script; `Urlwatch` runs `urlwatch`
on the same URLs. Both are measured the same way: wall time around the process, CPU
time and peak RSS from `os.wait4` in a small launcher process (the child's own rusage,
nothing else's; see `launcher.py` for why not from here), and the growth of their
state files. What each reported comes from its own records: the
watcher's `runs`/`outbox`/`changes` tables, urlwatch's report on stdout.
"""

from __future__ import annotations

import compileall
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bench.full_scale.plan import SitePlan

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
_SECRETS = ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "WATCHER_STATE", "WATCHER_CONFIG")
# PYTHONDONTWRITEBYTECODE too: an install has its bytecode compiled (urlwatch's, by pip),
# and a run that recompiles the source pays ~0.1 s of start-up no deployment pays.
_DROPPED = (*_SECRETS, "PYTHONDONTWRITEBYTECODE")


@dataclass(frozen=True)
class Settings:
    """The politeness the watcher is configured with (urlwatch is held to the same)."""

    delay: float = 0.0
    max_concurrency: int = 4
    timeout: float = 30.0


@dataclass(frozen=True)
class ProcessCost:
    wall: float  # seconds
    cpu: float  # user + sys seconds
    peak_rss_mb: float
    exit_code: int


@dataclass(frozen=True)
class Probe:
    """A run with counters on the watcher's stages (see `probe.py`); -1: not measured."""

    cost: ProcessCost
    parsed: int
    parsed_cpu: float  # main thread, all parsed pages: parse, diff, store
    unchanged: int
    unchanged_cpu: float  # main thread, all other pages: their bookkeeping
    fetches: int
    fetch_cpu: float  # pool threads: the HTTP client


@dataclass(frozen=True)
class Outcome:
    """One run of one tool: its cost and what it did."""

    cost: ProcessCost
    state_growth: int  # bytes: database (+ WAL) or cache file
    alerts: int  # watcher: outbox rows queued by the run; urlwatch: NEW + CHANGED reported
    errors: int  # watcher: pages failed; urlwatch: ERROR reported
    new_assessments: int = 0
    new_bodies: int = 0
    alerted_urls: frozenset[str] = field(default_factory=frozenset)


LAUNCHER = Path(__file__).with_name("launcher.py")


class Launcher:
    """Starts measured commands from a small process (see `launcher.py`) and reads rusage."""

    def __init__(self) -> None:
        argv = [sys.executable, "-I", str(LAUNCHER)]
        # Its own process group, which its children join: an interrupted benchmark
        # stops the command being measured too (see __exit__).
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

    def measure(self, argv: list[str], env: dict[str, str], log: Path) -> ProcessCost:
        """Run a command to completion; its wall time, CPU time and peak RSS."""
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None
        assert stdout is not None
        stdin.write(json.dumps({"argv": argv, "env": env, "log": str(log)}) + "\n")
        stdin.flush()
        answer = json.loads(stdout.readline())
        rss = answer["maxrss_kb"] / 1024
        return ProcessCost(answer["wall"], answer["cpu"], rss, answer["exit_code"])

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
        self.close()


def clean_env(home: Path) -> dict[str, str]:
    """The environment without Slack or watcher settings, with a private home, and
    bytecode written as an install has it."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    env.update(XDG_CACHE_HOME=str(home / ".cache"), NO_COLOR="1", COLUMNS="120")
    return env


def holds_package(code: Path) -> bool:
    """Whether `code` is a folder holding a `watcher/` package, as `--code` wants."""
    return (code / "watcher" / "__init__.py").is_file()


def file_size(*paths: Path) -> int:
    return sum(path.stat().st_size for path in paths if path.exists())


class Tool(Protocol):
    name: str

    def prepare(self, plan: SitePlan, base_url: str, settings: Settings) -> None: ...
    def reset(self, warm: bool) -> None: ...
    def keep_as_baseline(self) -> None: ...
    def run(self) -> Outcome: ...


class Watcher:
    """`watcher check` with a config pointing at the synthetic site; Slack unset."""

    name = "watcher"

    def __init__(self, workdir: Path, launcher: Launcher, code: Path | None = None) -> None:
        self.workdir = workdir
        self.launcher = launcher
        # Another checkout's `watcher` package (a folder holding `watcher/`), run by this
        # venv's console script ahead of the installed one: a "before" on the same machine.
        self.code = code
        # Compiled before any timed run, as a wheel install is: the first run would
        # otherwise pay for it (and every run, where bytecode cannot be written).
        compileall.compile_dir(str((code or REPO) / "watcher"), quiet=1)
        self.db = workdir / "state" / "watcher.db"
        self.baseline = workdir / "baseline.db"
        self.config = workdir / "config.toml"
        self.log = workdir / "last-run.log"

    def prepare(self, plan: SitePlan, base_url: str, settings: Settings) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config.write_text(watcher_config(plan, base_url, settings, self.db))

    def reset(self, warm: bool) -> None:
        """Start from an empty state, or from the state a first (cold) run left."""
        shutil.rmtree(self.db.parent, ignore_errors=True)
        self.db.parent.mkdir(parents=True)
        if warm:
            shutil.copyfile(self.baseline, self.db)

    def keep_as_baseline(self) -> None:
        if _wal(self.db).exists():
            raise RuntimeError(f"{self.db}: the watcher left its WAL behind; not a clean state")
        shutil.copyfile(self.db, self.baseline)

    def command(self) -> list[str]:
        return [str(BIN / "watcher"), "--config", str(self.config), "-q", "check"]

    def probe(self) -> Probe:
        """What a run parses and where its CPU goes: an extra run with counters on."""
        out = self.workdir / "probe.json"
        # -P: `-m` would put the working directory first on the path, and a checkout's
        # own `watcher/` there would shadow `code`'s.
        probe = [sys.executable, "-P", "-m", "bench.full_scale.probe", str(out)]
        argv = [*probe, *self.command()[1:]]
        paths = [str(self.code)] if self.code else []
        env = clean_env(self.workdir) | {"PYTHONPATH": os.pathsep.join([*paths, str(REPO)])}
        cost = self.launcher.measure(argv, env, self.workdir / "probe.log")
        figures = json.loads(out.read_text())
        counts = ("parsed", "unchanged", "fetches")
        return Probe(cost, **{k: int(v) if k in counts else v for k, v in figures.items()})

    def run(self) -> Outcome:
        before = _table_counts(self.db)
        size_before = file_size(self.db, _wal(self.db))
        env = clean_env(self.workdir)
        if self.code:
            env["PYTHONPATH"] = str(self.code)
        cost = self.launcher.measure(self.command(), env, self.log)
        growth = file_size(self.db, _wal(self.db)) - size_before
        return _watcher_outcome(self.db, before, cost, growth)


def _wal(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


_TABLES = ("assessments", "bodies")


def _table_counts(db: Path) -> dict[str, int]:
    if not db.exists():
        return dict.fromkeys(_TABLES, 0)
    with closing(sqlite3.connect(db)) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in _TABLES}


def _watcher_outcome(db: Path, before: dict[str, int], cost: ProcessCost, growth: int) -> Outcome:
    """What the run recorded: its outbox rows, failed pages, new rows, alerted pages."""
    after = _table_counts(db)
    with closing(sqlite3.connect(db)) as conn:
        run_id, failed = conn.execute(
            "select id, pages_failed from runs order by id desc limit 1"
        ).fetchone()
        alerts = conn.execute("select count(*) from outbox where run_id = ?", [run_id])
        urls = conn.execute("select distinct url from changes where run_id = ?", [run_id])
        return Outcome(
            cost,
            growth,
            alerts=alerts.fetchone()[0],
            errors=failed or 0,
            new_assessments=after["assessments"] - before["assessments"],
            new_bodies=after["bodies"] - before["bodies"],
            alerted_urls=frozenset(row[0] for row in urls),
        )


def watcher_config(plan: SitePlan, base_url: str, settings: Settings, db: Path) -> str:
    """A config.toml watching exactly the planned pages on the synthetic site."""
    forces = json.dumps(list(plan.forces))
    host = base_url.split("//", 1)[1].split(":", 1)[0]
    return "\n".join(
        [
            "[site]",
            f'base_url = "{base_url}"',
            f'allowed_hosts = ["{host}"]',
            "[watch]",
            f"forces = {forces}",
            f"cycles = {json.dumps(list(plan.cycles))}",
            f"pages = {json.dumps(list(plan.extra_paths))}",
            "[http]",
            'user_agent = "hmicfrs-watcher-bench/0.1 (full-scale benchmark)"',
            f"timeout = {settings.timeout}",
            f"delay = {settings.delay}",
            f"max_concurrency = {settings.max_concurrency}",
            "[state]",
            f'path = "{db}"',
            "",
        ]
    )


# -- urlwatch -----------------------------------------------------------------------

URLWATCH = BIN / "urlwatch"
_REPORTED = re.compile(rb"^\s*\d+\. (NEW|CHANGED|ERROR): ", re.MULTILINE)


def urlwatch_installed() -> bool:
    return URLWATCH.exists()


class Urlwatch:
    """urlwatch 2.x on the same URLs, no filters, stdout report, same concurrency."""

    name = "urlwatch"

    def __init__(self, workdir: Path, launcher: Launcher) -> None:
        self.workdir = workdir
        self.launcher = launcher
        self.cache = workdir / "state" / "cache.db"
        self.baseline = workdir / "baseline-cache.db"
        self.log = workdir / "last-run.log"

    def prepare(self, plan: SitePlan, base_url: str, settings: Settings) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        paths = [page.path for page in plan.pages]
        jobs = [json.dumps({"name": path, "url": base_url + path}) for path in paths]
        (self.workdir / "urls.yaml").write_text("\n---\n".join(jobs) + "\n")
        (self.workdir / "urlwatch.yaml").write_text(json.dumps(URLWATCH_CONFIG, indent=1))
        (self.workdir / "hooks.py").write_text(_hooks(settings))

    def reset(self, warm: bool) -> None:
        shutil.rmtree(self.cache.parent, ignore_errors=True)
        self.cache.parent.mkdir(parents=True)
        if warm:
            shutil.copyfile(self.baseline, self.cache)

    def keep_as_baseline(self) -> None:
        shutil.copyfile(self.cache, self.baseline)

    def command(self) -> list[str]:
        files = {"urls": "urls.yaml", "config": "urlwatch.yaml", "hooks": "hooks.py"}
        argv = [str(URLWATCH)]
        for option, name in files.items():
            argv += [f"--{option}", str(self.workdir / name)]
        return [*argv, "--cache", str(self.cache)]

    def run(self) -> Outcome:
        size_before = file_size(self.cache, _wal(self.cache))
        cost = self.launcher.measure(self.command(), clean_env(self.workdir), self.log)
        growth = file_size(self.cache, _wal(self.cache)) - size_before
        verbs = _REPORTED.findall(self.log.read_bytes())
        errors = verbs.count(b"ERROR")
        return Outcome(cost, growth, alerts=len(verbs) - errors, errors=errors)


# urlwatch's own defaults, but plain text on stdout and every other reporter off.
URLWATCH_CONFIG = {
    "display": {"new": True, "error": True, "unchanged": False, "empty-diff": True},
    "report": {"stdout": {"enabled": True, "color": False}},
}


def _hooks(settings: Settings) -> str:
    # urlwatch has no concurrency setting: its worker pool size is a module constant.
    return f"import urlwatch.worker\nurlwatch.worker.MAX_WORKERS = {settings.max_concurrency}\n"
