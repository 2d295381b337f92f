"""`watcher demo`: the command that plays the bundled archive back (see `watcher.demo`).

It builds what the demo needs (the terminal, Slack if configured, a fresh state
database) and hands them to `watcher.demo.replay_archive`; the story it tells is there.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console

from watcher.cli.base import CannotRun
from watcher.config import ConfigError, SlackSettings, load_config
from watcher.demo import NAMES, TITLE, DemoNotifier, load_archive, render_report, replay, summarise
from watcher.notify import ConsoleNotifier, Notifier, notifier_from_env
from watcher.store import Store, StoreError, open_database


@click.command()
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Keep the state database here (a new file) to explore afterwards; "
    "default: a temporary one.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the alerts and the grade timeline as one HTML page.",
)
@click.option(
    "--slack",
    "to_slack",
    is_flag=True,
    help="Also post the demo's alerts to Slack (SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL), "
    "each marked as demo data. Without it the environment's Slack settings are ignored.",
)
@click.option(
    "--channel",
    metavar="ID",
    help="With --slack: channel ID for SLACK_BOT_TOKEN (default: [slack] channel).",
)
@click.pass_context
def demo(
    ctx: click.Context,
    state_path: Path | None,
    html_path: Path | None,
    to_slack: bool,
    channel: str | None,
) -> None:
    """Replay five days of inspection pages offline and show the alerts, as Slack would.

    A local web server on 127.0.0.1 serves a bundled archive of illustrative pages
    (a few forces and one fire and rescue service, each in successive versions); the
    real check runs over it once per day with a fresh state database. Nothing goes
    to Slack unless you pass --slack (the alerts name real forces with made-up
    grades); then each message is marked as demo data.

    \b
    Examples:
        watcher demo
        watcher demo --html demo.html --state demo.db
        SLACK_BOT_TOKEN=xoxb-… watcher demo --slack --channel C0123ABC
    """
    root = ctx.find_root().params
    if html_path is not None and not html_path.parent.is_dir():
        # Found out before five days are played, not after.
        raise CannotRun(
            f"--html {html_path}: the folder {html_path.parent} does not exist; create it "
            "or write the report elsewhere"
        )
    console = Console(highlight=False)
    if channel and not to_slack:
        raise click.UsageError("--channel is for Slack: add --slack to post the demo there")
    slack = _slack(_slack_settings(root.get("config_path"), channel), console) if to_slack else None
    notifier = DemoNotifier(ConsoleNotifier(console), slack, lambda m: console.print(m))
    archive = load_archive()
    console.print(f"[bold]{TITLE}[/]\n[dim]{archive.note}[/]")
    if slack is not None:
        console.print(f"[dim]Alerts also go to Slack ({slack.name}), marked as demo data.[/]")
    with _quiet_log(not root.get("verbose")), _state(state_path) as store:
        result = replay(archive, store, notifier, console)
    summarise(console, archive, result)
    if html_path is not None:
        report = render_report(
            result.runs, names=NAMES, title=TITLE, note=archive.note, pages=len(archive.pages)
        )
        try:
            html_path.write_text(report, encoding="utf-8")
        except OSError as exc:
            raise CannotRun(f"--html {html_path}: cannot write it: {exc.strerror}") from None
        console.print(f"HTML report: {html_path}")
    if state_path is not None:
        console.print(f"State database: {state_path} (try: sqlite-utils tables {state_path})")
    failed = any(report.failed for report in result.reports)
    ctx.exit(1 if failed or notifier.slack_failures else 0)


def _slack_settings(config_path: Path | None, channel: str | None) -> SlackSettings:
    """[slack] from the config file, if there is one; `--channel` wins over its channel."""
    path = config_path or Path(os.environ.get("WATCHER_CONFIG") or "config.toml")
    settings = SlackSettings()
    if config_path is not None or path.is_file():
        try:
            settings = load_config(path).slack
        except ConfigError as exc:
            raise CannotRun(f"configuration: {exc}") from None
    return replace(settings, channel=channel) if channel else settings


def _slack(settings: SlackSettings, console: Console) -> Notifier | None:
    """Slack, when the environment configures it; None for the terminal alone."""
    try:
        notifier = notifier_from_env(os.environ, settings, console)
    except ConfigError as exc:
        raise CannotRun(f"{exc} (or pass --channel)") from None
    if isinstance(notifier, ConsoleNotifier):
        raise CannotRun(
            "--slack: set SLACK_BOT_TOKEN (with --channel or [slack] channel) or "
            "SLACK_WEBHOOK_URL in the environment, or leave out --slack"
        )
    return notifier


@contextmanager
def _quiet_log(quiet: bool) -> Iterator[None]:
    """No per-page log lines while the demo tells its own story (problems still show)."""
    logger = logging.getLogger("watcher")
    level = logger.level
    if quiet:
        logger.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _state(path: Path | None) -> Iterator[Store]:
    """A fresh state database: at `path` (which must not exist yet) or a temporary one."""
    if path is not None and path.exists():
        raise CannotRun(f"--state {path}: already exists; the demo needs a new file")
    with tempfile.TemporaryDirectory(prefix="watcher-demo-") as folder:
        try:
            db = open_database(path or Path(folder) / "watcher.db")
        except StoreError as exc:
            raise CannotRun(str(exc)) from None
        try:
            yield Store(db)
        finally:
            db.close()
