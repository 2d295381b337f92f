"""The `watcher` click group: its options, and its commands loaded only when used.

Every start pays for what it imports: `watcher check` need not load the scheduler,
the operator's queries, the demo or the outputs' templates. So the group knows its
commands by a table (name → module, attribute, short help) and imports a command's
module only when that command runs; `--help` lists them from the table alone
(`tests/test_cli_group.py` checks the table against the real commands).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

import click

from watcher import __version__


class _Entry(NamedTuple):
    module: str  # under watcher.cli
    attribute: str
    help: str  # the command's first sentence, what `--help` lists


COMMANDS: dict[str, _Entry] = {
    "backfill": _Entry(
        "backfill",
        "backfill_command",
        "Read the watched pages' past versions from a web archive into their history.",
    ),
    "check": _Entry("commands", "check", "Check every watched page once and send the alerts."),
    "demo": _Entry(
        "demo",
        "demo",
        "Replay five days of inspection pages offline and show the alerts, as Slack would.",
    ),
    "diff": _Entry(
        "operator",
        "diff_command",
        "Show two stored versions of a page: grades side by side, findings' word diffs.",
    ),
    "export": _Entry(
        "outputs",
        "export_command",
        "Write the open-data tables judgements, findings and changes into FOLDER.",
    ),
    "feed": _Entry(
        "outputs",
        "feed_command",
        "Write an Atom feed of the alerts: one entry per organisation per run, the last 100.",
    ),
    "forces": _Entry(
        "operator",
        "forces_command",
        "List the catalogue's forces, one row each, with their current grades.",
    ),
    "history": _Entry(
        "operator",
        "history_command",
        "Show a force's grades per unit across cycles, and its findings added and resolved.",
    ),
    "report": _Entry(
        "outputs",
        "report_command",
        "Write the grade dashboard: current grades per cycle, each area's grades over time, "
        "enhanced monitoring and the latest changes, as one self-contained HTML page.",
    ),
    "run": _Entry(
        "commands",
        "run_command",
        "Run forever, checking on the [schedule] of the config (the Procfile's clock).",
    ),
    "show": _Entry(
        "commands", "show", "Fetch and parse one page and print its assessment; store nothing."
    ),
    "status": _Entry(
        "operator",
        "status_command",
        "Show the last runs, the pages failing now, the alerts waiting, and the next check.",
    ),
}


class _LazyCommands(MutableMapping[str, click.Command]):
    """The group's commands by name: each module imported when its command is first read.

    Names and membership come from the table, so listing them imports nothing.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            entry = COMMANDS[name]  # KeyError for an unknown name, as a dict would
            module = importlib.import_module(f"watcher.cli.{entry.module}")
            command = getattr(module, entry.attribute)
            assert isinstance(command, click.Command), f"{entry} is not a click command"
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("the watcher's commands are fixed")

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*COMMANDS, *self._loaded}))

    def __len__(self) -> int:
        return len({*COMMANDS, *self._loaded})


class LazyGroup(click.Group):
    """A group whose commands' modules are imported on first use, not at start."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LazyCommands()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """`--help`'s command list from the table, as click would draw it, importing nothing."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, _short_help(self, ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _short_help(group: LazyGroup, ctx: click.Context, name: str, limit: int) -> str:
    """The table's help cut as click cuts a command's; a command added by hand asks it."""
    entry = COMMANDS.get(name)
    if entry is not None:
        return click.Command(name, help=entry.help).get_short_help_str(limit)
    command = group.get_command(ctx, name)
    return command.get_short_help_str(limit) if command else ""


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="watcher")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config file (default: $WATCHER_CONFIG or ./config.toml).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Also log every HTTP request and the scheduler's steps."
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Log only problems, and print no run summary when all went well (for cron).",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, verbose: bool, quiet: bool) -> None:
    """Watch HMICFRS inspection pages and alert Slack when grades or findings change.

    Logs go to stderr, one line per page checked and per problem.

    \b
    Example:
        watcher --config config.toml check --force kent
    """
    if verbose and quiet:
        raise click.UsageError("--quiet and --verbose contradict each other: choose one")
    _configure_logging(verbose=verbose, quiet=quiet)
    ctx.obj = config_path


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    """Plain lines on stderr; through rich on a terminal, so a progress bar stays whole."""
    # Imported here: a command runs after this anyway, `--help` and `--version` never do.
    from watcher.cli.progress import stderr_console, stderr_is_terminal
    from watcher.notify import redact_every_log_record

    redact_every_log_record()  # every line, whichever logger: no Slack secret shown
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler: logging.Handler
    if stderr_is_terminal():
        from rich.logging import RichHandler

        handler = RichHandler(console=stderr_console(), show_path=False, markup=False)
        handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    else:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    # -v / -q also set our logger's level: basicConfig does nothing when logging was
    # already set up (by an embedding program or a test runner). The default inherits.
    logging.getLogger("watcher").setLevel(level if verbose or quiet else logging.NOTSET)
    for noisy in ("httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    for noisy in ("httpcore", "slack_sdk", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
