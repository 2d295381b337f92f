"""Fetch: download the watched pages politely and say what came back.

One injected `httpx.Client`; conditional requests, retries, per-host politeness, the
hosts the config allows, a body cap, and `damage`, the check of whether a 200's body
can be trusted against the page's last good copy. Never raises for a bad page.
"""

from watcher.fetch.client import Fetcher, FetchOutcome, FetchResult, PageRequest, build_client
from watcher.fetch.damage import damage

__all__ = ["FetchOutcome", "FetchResult", "Fetcher", "PageRequest", "build_client", "damage"]
