"""CPU per request of the fetcher over each transport: httpx's own, and `WireTransport`.

    python bench/http_client.py              # --pages 400 --rounds 3 --latency 50

The benchmark's site (`bench/full_scale/site.py`) serves `--pages` pages of 150 KB; a
`Fetcher` with four threads (the default `http.max_concurrency`) fetches them all,
first without validators (every answer a 200 with its body), then with them (every
answer a 304), over each transport in turn, `--rounds` times. The figure is the
fetching threads' own CPU time (`time.thread_time`) per request, min and median over
the rounds. Both transports sit under the same `httpx.Client`, so the difference is
the transport's alone. A third row is the floor: `http.client` by itself, with none of
httpx or the fetcher around it. Target: `WireTransport` costs less than httpx's own transport
for both kinds of answer (its only reason to exist).
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.full_scale.site import serve
from watcher.config import HttpSettings
from watcher.fetch import Fetcher, PageRequest
from watcher.fetch.wire import WireTransport

BODY = b"<html><body>" + b"<p>Inspection narrative.</p>" * 5_400 + b"</body></html>"


def fetcher(transport: httpx.BaseTransport, settings: HttpSettings) -> Fetcher:
    client = httpx.Client(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        transport=transport,
    )
    return Fetcher(client, settings, ["127.0.0.1"])


def cpu_per_request(
    fetch: Fetcher | BareStdlib, requests: list[PageRequest], threads: int
) -> float:
    """Mean CPU ms of one `fetch`, in the thread that ran it."""
    spent: list[float] = []
    lock = threading.Lock()

    def one(request: PageRequest) -> None:
        started = time.thread_time()
        fetch.fetch(request)
        with lock:
            spent.append(time.thread_time() - started)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, requests))
    return sum(spent) / len(spent) * 1e3


class BareStdlib:
    """The floor: `http.client` alone, a kept-alive connection per thread, no httpx, no
    Fetcher (no politeness, retries, caps or validators kept): what any Python client
    pays for the exchange itself."""

    def __init__(self, host: str, port: int) -> None:
        self._address = (host, port)
        self._local = threading.local()

    def fetch(self, request: PageRequest) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = http.client.HTTPConnection(*self._address)
        headers = {"If-None-Match": request.etag} if request.etag else {}
        connection.request("GET", urlsplit(request.url).path, headers=headers)
        connection.getresponse().read()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python bench/http_client.py")
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=50, help="ms per request")
    args = parser.parse_args()
    settings = HttpSettings(delay=0.0, max_concurrency=4)
    paths = [f"/page-{n}/" for n in range(args.pages)]
    with serve(args.latency / 1000) as site:
        site.publish(dict.fromkeys(paths, BODY))
        urls = [site.base_url.rstrip("/") + path for path in paths]
        transports = {
            "httpx (httpcore)": lambda: httpx.HTTPTransport(verify=False),
            "WireTransport": lambda: WireTransport("http"),
        }
        fetchers: dict[str, Fetcher | BareStdlib] = {
            name: fetcher(build(), settings) for name, build in transports.items()
        }
        address = urlsplit(site.base_url)
        fetchers["http.client alone (floor)"] = BareStdlib(
            address.hostname or "", address.port or 80
        )
        first = [fetcher(WireTransport("http"), settings).fetch(PageRequest(url)) for url in urls]
        conditional = [
            PageRequest(r.url, etag=r.etag, last_modified=r.last_modified) for r in first
        ]
        plain = [PageRequest(url) for url in urls]
        figures: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for name, fetch in fetchers.items():
                for kind, requests in (("200", plain), ("304", conditional)):
                    cost = cpu_per_request(fetch, requests, settings.max_concurrency)
                    figures.setdefault((name, kind), []).append(cost)
    print(f"{args.pages} pages of {len(BODY) // 1000} KB, {args.latency:g} ms latency, 4 threads")
    print("| transport | answer | CPU ms/request, min | median |")
    print("|---|---|---:|---:|")
    for (name, kind), costs in figures.items():
        print(f"| {name} | {kind} | {min(costs):.2f} | {statistics.median(costs):.2f} |")
    # The transport is there only to cost less than httpx's own: if not, it should go.
    for kind in ("200", "304"):
        ratio = statistics.median(figures["WireTransport", kind]) / statistics.median(
            figures["httpx (httpcore)", kind]
        )
        verdict = "met" if ratio < 1.0 else "MISSED"
        print(f"target: WireTransport below httpx's own, {kind}s: {ratio:.2f}x, {verdict}")


if __name__ == "__main__":
    main()
