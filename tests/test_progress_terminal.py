"""Whether `watcher check` draws a bar and logs through rich: stderr a terminal, as rich
judges it, environment overrides included; off a terminal rich is never loaded."""

from __future__ import annotations

import io

import pytest

from watcher.cli import progress


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    progress.stderr_console.cache_clear()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_is_no_terminal_and_a_tty_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert progress.stderr_is_terminal() is False
    monkeypatch.setattr("sys.stderr", _Tty())
    assert progress.stderr_is_terminal() is True


def test_the_environment_overrides_as_it_does_for_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """FORCE_COLOR makes rich draw on a pipe: the bar's decision follows rich's."""
    monkeypatch.setattr("sys.stderr", io.StringIO())
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert progress.stderr_is_terminal() is True
    assert progress.stderr_console().is_terminal is True


def test_a_closed_stderr_is_no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr("sys.stderr", closed)
    assert progress.stderr_is_terminal() is False
