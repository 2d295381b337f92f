"""A small process that starts the measured commands, so their peak RSS is their own.

Linux keeps a process's peak RSS across `exec`, and Python starts children with
`vfork`: a child of the benchmark (which holds 80 MB of page bodies) would report the
benchmark's peak as its own. Started from this process, whose own peak is a few MB,
a child's `ru_maxrss` is its true peak.

Protocol: one JSON request per line on stdin (`argv`, `env`, `log`), one JSON answer
per line on stdout (`wall`, `cpu`, `maxrss_kb`, `exit_code`). Kept to the standard
library's smallest modules on purpose.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any


def run(request: dict[str, Any]) -> dict[str, float]:
    """Start one command with stdout and stderr to its log; wait; report its rusage."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, request["log"], flags, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    argv = request["argv"]
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, request["env"], file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    return {
        "wall": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "maxrss_kb": usage.ru_maxrss,
        "exit_code": os.waitstatus_to_exitcode(status),
    }


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
