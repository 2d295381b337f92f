"""A client that only downloads: what the site, the machine and httpx allow at best.

    python -m bench.full_scale.bare URL_FILE CONCURRENCY

GETs every URL in the file (one a line) with CONCURRENCY threads sharing one httpx
client, reads each body and does nothing else. Its wall time is the harness floor: the
politeness floor plus what the server, the loopback and a busy machine add, with none
of the watcher's work. The benchmark reports the watcher's wall against both floors.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx


def main() -> None:
    urls = Path(sys.argv[1]).read_text(encoding="utf-8").split()
    with (
        httpx.Client(timeout=30) as client,
        ThreadPoolExecutor(int(sys.argv[2])) as pool,
    ):
        sizes = pool.map(lambda url: len(client.get(url).content), urls)
        print(f"{len(urls)} pages, {sum(sizes)} bytes")


if __name__ == "__main__":
    main()
