"""Fetch: download the watched pages politely and say what came back.

One injected `httpx.Client`; conditional requests, retries, per-host politeness, the
hosts the config allows, a body cap, and `damage`, the check of whether a 200's body
can be trusted against the page's last good copy. Never raises for a bad page.
"""

import sys
import types


def _httpx_cli(*args: object, **kwargs: object) -> object:
    """httpx's command line, imported only if someone runs it in this process."""
    sys.modules.pop("httpx._main", None)
    from httpx._main import main

    return main(*args, **kwargs)


# httpx's package imports its command-line tool (`httpx._main`, and with it rich's
# syntax highlighting and pygments) whenever those are installed, on every import; the
# watcher never runs it. A stand-in, put in place only before httpx is first imported,
# keeps that off every start (~80 ms of CPU, `bench/startup.py`) and loads the real
# tool if it is ever called.
if "httpx" not in sys.modules:
    _stand_in = types.ModuleType("httpx._main")
    _stand_in.main = _httpx_cli  # type: ignore[attr-defined]
    sys.modules.setdefault("httpx._main", _stand_in)

from watcher.fetch.client import (  # noqa: E402  (after the stand-in)
    Fetcher,
    FetchOutcome,
    FetchResult,
    PageRequest,
    build_client,
)
from watcher.fetch.damage import damage  # noqa: E402

__all__ = ["FetchOutcome", "FetchResult", "Fetcher", "PageRequest", "build_client", "damage"]
