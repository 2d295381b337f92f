"""A listing page's bytes into items: a link to a page on the site, its title, date, label.

Read from the text and the links, never from CSS classes (the site's markup is not
known and changes with redesigns). Each item is the smallest element around one
content link that holds no other content link: a card, a list item, a table row, or
a heading with the lines that follow it. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from watcher.catalogue import page_path
from watcher.parse import decode_page

Node = Any  # selectolax ships no type information

# Site chrome: never items, whatever links it holds.
_CHROME = "nav, header, footer, aside, form, script, style, noscript, template"
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Links that lead to more listings, not to a publication.
_NOT_ITEM = re.compile(
    r"/(?:page/\d+|tag|category|cat|author|feed|search|wp-content|wp-admin|wp-json)(?:/|$)"
)
_FILES = re.compile(r"\.(?:pdf|docx?|xlsx?|csv|zip|jpe?g|png|gif|svg|xml|rss)$", re.IGNORECASE)
_NEXT = re.compile(r"^(?:next(?: page)?|older(?: posts| entries| items)?|more)\s*[›»→>]*$", re.I)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for m in names
}
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DASHES = "—–‒―‑-"
# A type label: a few words ending in a dash ("Publication — Letter, Revisit —").
_LABEL = re.compile(rf"^\s*([A-Z][\w ,/&'()]{{1,60}}?)\s*[{re.escape(_DASHES)}:|]\s*")
_TAGS = re.compile(r"^\s*(?:Police forces?|Fire and rescue services?)\s*:\s*\S", re.IGNORECASE)
_PUBLISHED = re.compile(r"\b(?:published|updated|date)(?: on)?\s*:?", re.IGNORECASE)
_GENERIC = re.compile(r"^(?:read more|more|view|continue reading|download|find out more)\b", re.I)


@dataclass(frozen=True)
class ListingItem:
    """One publication as a listing shows it; `path` is its identity (`page_path`)."""

    path: str
    url: str
    title: str
    label: str = ""  # the type label ("Publication — Letter, Revisit"), when shown
    published: date | None = None
    tags: str = ""  # a "Police Forces: …" line, when the listing shows one


@dataclass(frozen=True)
class Listing:
    """What a listing page holds: its items, its next page, the feed its head names."""

    items: tuple[ListingItem, ...]
    next_url: str | None = None
    feed_url: str | None = None


def read_listing(body: bytes, url: str, hosts: frozenset[str]) -> Listing:
    """The items of a listing page at `url`; links count only to `hosts` (and `url`'s)."""
    tree = LexborHTMLParser(decode_page(body))
    feed_url = _feed_link(tree, url)
    next_url = _next_link(tree, url)
    for node in tree.css(_CHROME):
        node.decompose()
    root = tree.css_first("main") or tree.body
    if root is None:
        return Listing((), next_url, feed_url)
    hosts = hosts | {urlsplit(url).hostname or ""}
    links = _content_links(root, url, hosts)
    owners = {path for path, _ in links}
    items: dict[str, ListingItem] = {}
    for path, link in links:
        if path not in items and (item := _item(link, path, url, owners)):
            items[path] = item
    return Listing(tuple(items.values()), next_url, feed_url)


def _feed_link(tree: Any, url: str) -> str | None:
    for link in tree.css("head link[href]"):
        rel = (link.attributes.get("rel") or "").lower().split()
        kind = (link.attributes.get("type") or "").lower()
        if "alternate" in rel and kind in _FEED_TYPES:
            return urljoin(url, str(link.attributes["href"]))
    return None


def _next_link(tree: Any, url: str) -> str | None:
    for link in tree.css("link[href], a[href]"):
        rel = (link.attributes.get("rel") or "").lower().split()
        text = " ".join(link.text(deep=True).split()) if link.tag == "a" else ""
        label = link.attributes.get("aria-label") or ""
        if "next" in rel or _NEXT.match(text) or _NEXT.match(label):
            target = urljoin(url, str(link.attributes["href"]))
            if target != url:
                return target
    return None


def _content_links(root: Node, url: str, hosts: frozenset[str]) -> list[tuple[str, Node]]:
    """(identity, link) for each link to a content page on the site, in page order."""
    here = page_path(url)
    found = []
    for link in root.css("a[href]"):
        target = urljoin(url, link.attributes.get("href") or "")
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or parts.hostname not in hosts:
            continue
        path = page_path(parts._replace(query="", fragment="").geturl())
        if path == here or path.count("/") < 3 or _NOT_ITEM.search(path) or _FILES.search(path):
            continue  # the listing itself, a section front, more listings, a file
        text = " ".join(link.text(deep=True).split())
        if _NEXT.match(text) or "next" in (link.attributes.get("rel") or "").lower():
            continue
        found.append((path, link))
    return found


def _item(link: Node, path: str, url: str, owners: set[str]) -> ListingItem | None:
    """The item around one link: its container's text read for title, date and label."""
    box = _container(link, path, owners)
    texts = _texts(box)
    if box.tag in _HEADINGS or box is link or len(texts) <= 1:
        texts = [*_label_before(box), *texts, *_following(box, owners)]
    title = _title(link, box)
    if len(title) < 8:
        return None  # "Read more" with no heading to name it: not an item we can name
    rest = [t for t in texts if t != title and title not in t]
    label = next((found for t in rest if (found := _label(t))), "")
    tags = next((t for t in rest if _TAGS.match(t)), "")
    published = _time_attribute(box) or next((d for t in rest if (d := find_date(t))), None)
    full = urljoin(url, link.attributes.get("href") or "")
    return ListingItem(path, full, title, label, published, tags)


def _container(link: Node, path: str, owners: set[str]) -> Node:
    """The largest ancestor of `link` whose links all lead to the same item."""
    box = link
    while (parent := box.parent) is not None and parent.tag not in ("body", "main", "html"):
        if _owned_paths(parent, owners) != {path}:
            break
        box = parent
    return box


def _owned_paths(node: Node, owners: set[str]) -> set[str]:
    """The items a node links to (by identity), whatever host or prefix each link has."""
    paths = set()
    for link in node.css("a[href]"):
        href = link.attributes.get("href") or ""
        if href and (path := page_path(urlsplit(href).path or "/")) in owners:
            paths.add(path)
    return paths


def _texts(node: Node) -> list[str]:
    """The text segments of a node, one per text-bearing element, in order."""
    segments = [" ".join(t.split()) for t in node.text(deep=True, separator="\n").split("\n")]
    return [s for s in segments if s]


def _following(box: Node, owners: set[str]) -> list[str]:
    """Lines after a bare heading or link, up to the next heading or item."""
    texts: list[str] = []
    sibling = box.next
    while sibling is not None and len(texts) < 6:
        if sibling.tag in _HEADINGS or (sibling.tag != "-text" and _owned_paths(sibling, owners)):
            break
        if sibling.tag == "-text":
            texts += [" ".join(sibling.text().split())] if sibling.text().strip() else []
        else:
            texts += _texts(sibling)
        sibling = sibling.next
    return texts


def _label_before(box: Node) -> list[str]:
    """A short type label just before a heading ("News article —"), if there is one."""
    sibling = box.prev
    while sibling is not None and sibling.tag == "-text" and not sibling.text().strip():
        sibling = sibling.prev
    if sibling is None or sibling.tag in _HEADINGS or sibling.css_first("a[href]") is not None:
        return []
    text = " ".join(sibling.text(deep=True).split())
    return [text] if _label(text) and len(text) <= 80 else []


def _title(link: Node, box: Node) -> str:
    text = " ".join(link.text(deep=True).split())
    if text and not _GENERIC.match(text):
        return text
    heading = next((h for h in box.css("h1, h2, h3, h4, h5, h6")), None)
    return " ".join(heading.text(deep=True).split()) if heading is not None else text


def _label(text: str) -> str:
    """A type label ("Publication — Letter, Revisit —", a table's "Letter" cell), or "".

    Short segments only: a summary sentence is never a label. Dates are taken out
    first, so "News article — 3 November 2026" gives "News article".
    """
    bare = _PUBLISHED.sub(" ", _ISO.sub(" ", _DAY_MONTH_YEAR.sub(" ", text)))
    bare = " ".join(bare.split()).strip(_DASHES + " :|·,")
    words = len(bare.split())
    if not bare or _GENERIC.match(bare) or not bare[0].isalpha() or _TAGS.match(bare):
        return ""
    if (words <= 10 and _LABEL.match(text)) or words <= 5:
        return bare
    return ""


def _time_attribute(box: Node) -> date | None:
    for node in box.css("time[datetime]"):
        if found := find_date(node.attributes.get("datetime") or ""):
            return found
    return None


def find_date(text: str) -> date | None:
    """The first date in a text: `3 November 2026`, `3rd Nov 2026` or `2026-11-03`."""
    if match := _ISO.search(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = _MONTHS.get(match[2].lower())
        if month and (found := _date(int(match[3]), month, int(match[1]))):
            return found
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
