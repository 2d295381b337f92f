"""What every `watcher` command shares: exit codes, the cannot-run error, config, clock.

Exit codes: 0 ran; 1 ran but some pages or alerts failed; 2 could not run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from watcher.config import Config, ConfigError, load_config

EXIT_OK, EXIT_PARTIAL, EXIT_CANNOT_RUN = 0, 1, 2


def utc_now() -> datetime:
    """The commands' clock: now, in UTC."""
    return datetime.now(UTC)


class CannotRun(click.ClickException):
    """The command could not run at all (configuration, lock, database)."""

    exit_code = EXIT_CANNOT_RUN


def command_config(ctx: click.Context) -> Config:
    """The config named by `--config` (or the default), or why the command cannot run."""
    try:
        return load_config(ctx.obj)
    except ConfigError as exc:
        raise CannotRun(f"configuration: {exc}") from None
