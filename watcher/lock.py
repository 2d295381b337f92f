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
            os.ftruncate(self._fd, 0)  # no pid left behind to be mistaken for a holder
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def run_in_progress(state_path: Path) -> bool:
    """Whether a watcher run holds the lock right now, asked without taking it.

    Taking the lock, even for an instant, would make a run starting at that instant
    exit 2; so the kernel's lock table is read instead (Linux), or else the pid the
    holder wrote into the lock file is asked whether it lives.
    """
    path = state_path.with_name(state_path.name + ".lock")
    try:
        info = path.stat()
    except OSError:
        return False  # no lock file: no run has ever held it
    held = _held_per_kernel(info)
    return held if held is not None else _holder_alive(path)


def _held_per_kernel(info: os.stat_result) -> bool | None:
    """Whether /proc/locks lists a lock on this file; None where it cannot be read."""
    try:
        table = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    wanted = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    return any(wanted in line.split() for line in table.splitlines())


def _holder_alive(path: Path) -> bool:
    try:
        pid = int(path.read_text(encoding="ascii").strip() or "0")
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True
