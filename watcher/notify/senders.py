"""What every sender shares: the `Notifier` protocol, a `Delivery`, and the terminal.

`send()` never raises for Slack or network trouble. It returns a `Delivery` that says
what went wrong, so the caller leaves the alert pending and the next run sends it.
The Slack senders are in `slack` (imported only when Slack is configured, by `choose`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from watcher.config import ConfigError
from watcher.notify.message import Message

if TYPE_CHECKING:
    from rich.console import Console

# Seconds for one Slack request. Short, so a stop (SIGTERM) waits at most this long for
# the message in flight; Slack answers in well under a second. A post that times out
# after Slack took it is found by the read-back (bot token) or repeated once (webhook).
SLACK_TIMEOUT = 5.0


class SlackConfigError(ConfigError, ValueError):
    """Slack is half configured; the message names the setting to fix."""


@dataclass(frozen=True)
class Delivery:
    """What happened to one message.

    `fatal` marks a configuration problem retrying cannot fix; `error` says what to fix.
    """

    ok: bool
    ts: str | None = None
    error: str | None = None
    fatal: bool = False


class Notifier(Protocol):
    name: str

    def send(self, message: Message) -> Delivery: ...


# ---------------------------------------------------------------- terminal


class ConsoleNotifier:
    """Prints messages as a readable rendering of their blocks; always succeeds."""

    name = "console"

    def __init__(self, console: Console | None = None) -> None:
        """`console`: where to print; None for stdout, set up at the first message."""
        self._console = console

    def send(self, message: Message) -> Delivery:
        # Imported here: rich and the rendering load only when there is an alert to show.
        from watcher.notify.console import print_message

        if self._console is None:
            from rich.console import Console

            self._console = Console()
        print_message(self._console, message)
        return Delivery(ok=True)
