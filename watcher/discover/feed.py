"""A feed's bytes (RSS or Atom, as the fetcher downloaded them) into listing items. Pure.

Used only when a listing page's `<head>` advertises a feed; `feedparser` is given the
bytes, never a URL, so it never reaches the network itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from watcher.catalogue import page_path
from watcher.discover.listing import ListingItem


def read_feed(body: bytes, url: str, hosts: frozenset[str]) -> tuple[ListingItem, ...]:
    """The feed's entries that link to a page on the site, as listing items."""
    import feedparser  # here, not at the top: ~30 ms that a run without a feed never needs

    parsed: Any = feedparser.parse(body)
    hosts = hosts | {urlsplit(url).hostname or ""}
    items: dict[str, ListingItem] = {}
    for entry in parsed.entries:
        item = _item(entry, url, hosts)
        if item and item.path not in items:
            items[item.path] = item
    return tuple(items.values())


def _item(entry: Any, url: str, hosts: frozenset[str]) -> ListingItem | None:
    link = urljoin(url, str(entry.get("link") or ""))
    title = " ".join(str(entry.get("title") or "").split())
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or parts.hostname not in hosts or not title:
        return None
    labels = [str(tag.get("term") or "") for tag in entry.get("tags") or []]
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    published = date(when.tm_year, when.tm_mon, when.tm_mday) if when else None
    path = page_path(parts._replace(query="", fragment="").geturl())
    return ListingItem(path, link, title, ", ".join(t for t in labels if t), published)
