"""One run at a time: an exclusive lock on a file beside the state database."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class LockError(Exception):
    """Another watcher run holds the lock."""


class RunLock:
    """Held for the length of a run, so cron and a manual check never both send.

    The operating system releases the lock when the process dies, so a killed run
    never leaves a stale lock behind.
    """

    def __init__(self, state_path: Path) -> None:
        self.path = state_path.with_name(state_path.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockError(
                f"another watcher run is in progress (lock held on {self.path}); "
                "try again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def run_in_progress(state_path: Path) -> bool:
    """Whether a watcher run holds the lock right now (asked without waiting)."""
    try:
        with RunLock(state_path):
            return False
    except LockError:
        return True
