"""The `watcher` group loads each command's module on demand, and `--help` still lists all."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

import watcher.cli
from tests.fake_site import FakeSite
from tests.pages import LegitimacyPage2017
from watcher.cli import main
from watcher.cli.group import COMMANDS

# What `watcher check` has no use for: the scheduler, Slack's SDK (no Slack set), the
# demo, the outputs' templates, the web archive.
NOT_FOR_CHECK = ("apscheduler", "slack_sdk", "jinja2", "watcher.demo", "watcher.outputs")
NOT_FOR_CHECK += ("watcher.archive", "watcher.cli.operator", "watcher.cli.demo")


def _real_commands() -> dict[str, click.Command]:
    """Every click command defined in a `watcher.cli` module, by name."""
    found: dict[str, click.Command] = {}
    for info in pkgutil.iter_modules(watcher.cli.__path__):
        module = importlib.import_module(f"watcher.cli.{info.name}")
        for value in vars(module).values():
            if isinstance(value, click.Command) and not isinstance(value, click.Group):
                assert value.name is not None
                found[value.name] = value
    return found


def test_the_table_names_every_real_command_and_its_help() -> None:
    """Each table row points at the command of that name, with that command's short help."""
    real = _real_commands()
    assert set(COMMANDS) == set(real)
    ctx = click.Context(main)
    for name, entry in COMMANDS.items():
        assert main.get_command(ctx, name) is real[name], name
        assert entry.help == real[name].get_short_help_str(limit=10_000), name


def test_help_lists_the_commands_as_an_eager_group_would() -> None:
    """`watcher --help` from the table is the text click draws with every command loaded."""
    eager = click.Group(
        name=main.name, commands=_real_commands(), params=main.params, help=main.help
    )
    for width in (80, 120, 50):
        lazy_help = CliRunner().invoke(main, ["--help"], terminal_width=width).output
        eager_help = CliRunner().invoke(eager, ["--help"], terminal_width=width).output
        assert lazy_help == eager_help
    assert "check" in lazy_help


def test_an_unknown_command_is_still_refused() -> None:
    """A name not in the table is a usage error (exit 2) naming it, not a crash."""
    result = CliRunner().invoke(main, ["chek"])
    assert result.exit_code == 2
    assert "chek" in result.output


def test_check_loads_nothing_it_does_not_use(tmp_path: Path, fake_site: FakeSite) -> None:
    """A real `watcher check` over sockets, without Slack, never imports the other commands'."""
    fake_site.set_page("/peel-assessments/peel-2017/kent/legitimacy/", LegitimacyPage2017().html())
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[site]
base_url = "{fake_site.url("/").rstrip("/")}"
allowed_hosts = ["127.0.0.1"]
[watch]
forces = ["kent"]
cycles = ["peel-2017"]
pages = []
[http]
delay = 0.0
[state]
path = "{tmp_path / "watcher.db"}"
""",
        encoding="utf-8",
    )
    code = (
        "import json, sys\nfrom watcher.cli import main\n"
        f"try:\n    main(['--config', {str(config)!r}, 'check'])\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        f"loaded = [m for m in {NOT_FOR_CHECK!r} if m in sys.modules]\n"
        "print(json.dumps({'exit': code, 'loaded': loaded}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WATCHER_"))}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"exit": 0, "loaded": []}, done.stderr[-2000:]
    assert fake_site.requests_for("/peel-assessments/peel-2017/kent/legitimacy/")


def test_help_imports_no_command_module() -> None:
    """`watcher --help` lists every command without importing any command's module."""
    code = (
        "import sys\nfrom watcher.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('watcher.cli.') "
        "and m.rsplit('.', 1)[1] in {'commands', 'operator', 'demo', 'backfill', 'outputs'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert all(name in done.stdout for name in COMMANDS)
