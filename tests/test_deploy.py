"""The deployment files and the README's deployment examples name real commands.

The Procfile is checked by honcho; the systemd units by `systemd-analyze verify` where
it is installed; every `watcher ...` invocation in them and in the README's "Commands"
and "Deployment" sections must parse (its options and command exist).
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from honcho.environ import parse_procfile  # type: ignore[import-untyped]  # no type hints

from watcher.cli import main

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "deploy" / "systemd"
SERVICE, TIMER = UNITS / "watcher.service", UNITS / "watcher.timer"


def readme_section(title: str) -> str:
    """The README's `## title` section, up to the next `## ` heading."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def code_lines(markdown: str) -> list[str]:
    """Every line inside the fenced code blocks of `markdown`."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.M | re.S)
    return [line for block in blocks for line in block.splitlines()]


def watcher_invocations(line: str) -> list[list[str]]:
    """The `watcher ...` commands in one shell line, as argument lists after `watcher`.

    A command counts when its program is `watcher` or a path ending in `bin/watcher`,
    after any `sudo -u USER` and variable assignments; comments are dropped.
    """
    found = []
    for segment in re.split(r"&&|;|\|", line.split(" #")[0]):
        words = shlex.split(segment)
        while words and (words[0] in ("sudo", "exec") or "=" in words[0]):
            words = words[3:] if words[:2] == ["sudo", "-u"] else words[1:]
        if words and (words[0] == "watcher" or words[0].endswith("bin/watcher")):
            found.append(words[1:])
    return found


def unit_file(path: Path) -> configparser.ConfigParser:
    """A systemd unit read as INI (keys keep their case)."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def documented_invocations() -> list[list[str]]:
    """Every `watcher` command in the README's Commands and Deployment code, units, Procfile."""
    lines = code_lines(readme_section("Commands")) + code_lines(readme_section("Deployment"))
    lines.append(unit_file(SERVICE)["Service"]["ExecStart"])
    lines += parse_procfile((REPO / "Procfile").read_text(encoding="utf-8")).processes.values()
    return [args for line in lines for args in watcher_invocations(line)]


def test_procfile_is_valid_and_runs_the_scheduler() -> None:
    """honcho accepts the Procfile; its one process is `watcher run`."""
    checked = subprocess.run(
        [sys.executable, "-m", "honcho", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "Valid procfile detected (clock)" in checked.stderr
    procfile = parse_procfile((REPO / "Procfile").read_text(encoding="utf-8"))
    assert dict(procfile.processes) == {"clock": "watcher run"}
    assert "clock: watcher run" in readme_section("Deployment")


def test_the_examples_find_every_invocation() -> None:
    """The cron line, the unit's ExecStart and the commands' examples are all found."""
    invocations = documented_invocations()
    assert ["--quiet", "check"] in invocations  # cron and systemd
    assert len(invocations) >= 6
    assert watcher_invocations("sudo -u watcher .venv/bin/watcher status  # ok") == [["status"]]
    assert watcher_invocations("sudo useradd --system watcher") == []


@pytest.mark.parametrize("args", documented_invocations(), ids=" ".join)
def test_documented_invocation_names_a_real_command(args: list[str]) -> None:
    """Each documented `watcher ...` names a real command with real options."""
    assert any(word in main.commands for word in args), args
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0, result.output


def test_systemd_units_are_a_service_and_its_timer() -> None:
    """A oneshot service running `watcher check`, and a daily persistent timer for it."""
    service, timer = unit_file(SERVICE), unit_file(TIMER)
    assert service["Service"]["Type"] == "oneshot"
    assert watcher_invocations(service["Service"]["ExecStart"])[0][-1] == "check"
    assert "state" in service["Service"]["ReadWritePaths"]
    assert timer["Timer"]["OnCalendar"] == "*-*-* 07:00:00 Europe/London"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert "Unit" not in timer["Timer"]  # so it starts the service of the same name


def test_readme_shows_the_unit_files_as_they_are() -> None:
    """The README's copies of the unit files are the files themselves."""
    deployment = readme_section("Deployment")
    for path in (SERVICE, TIMER):
        assert path.read_text(encoding="utf-8") in deployment, path.name


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """`systemd-analyze verify` finds no problem (paths moved to a scratch directory)."""
    program = tmp_path / "watcher"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    service = SERVICE.read_text(encoding="utf-8")
    service = service.replace("/srv/watcher/.venv/bin/watcher", str(program))
    (tmp_path / "watcher.service").write_text(service.replace("/srv/watcher", str(tmp_path)))
    shutil.copy(TIMER, tmp_path / "watcher.timer")
    verified = subprocess.run(
        ["systemd-analyze", "verify", "watcher.service", "watcher.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == "", verified.stderr
