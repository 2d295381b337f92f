"""Listing pages in several markups of our own, for the discovery tests.

The site's real markup is not known, so each builder lays the same items out in a
different way (cards, a table, headings with the lines after them, a list), with the
site's menu and footer around them; `feed_page` advertises an RSS feed in its head.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime
from html import escape

MONTHS = [
    *("January", "February", "March", "April", "May", "June", "July"),
    *("August", "September", "October", "November", "December"),
]


@dataclass(frozen=True)
class Entry:
    """One listed publication: its address on the site, title, type label and date."""

    path: str
    title: str
    label: str = "Publication — Letter"
    published: date | None = None
    summary: str = "A summary of what the publication says, with Essex Police named in it."

    def day(self) -> str:
        d = self.published
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else ""


_CHROME_TOP = """<header><a href="/">HMICFRS</a><nav><ul>
<li><a href="/about-us/what-we-do/">About us</a></li>
<li><a href="/publications/">Publications</a></li>
<li><a href="/news/news-feed/">News</a></li>
<li><a href="/peel-reports/kent-2023-25/">Kent Police PEEL 2023–25 (menu link)</a></li>
</ul></nav></header>
<p>We use cookies to make this site work. <a href="/cookies/">Cookie settings</a></p>"""
_CHROME_BOTTOM = """<footer><a href="/accessibility/">Accessibility statement</a>
<a href="/publication-html/footer-promoted-report-about-kent-police/">Our latest report</a>
</footer>"""


def _page(main: str, *, head: str = "", next_href: str | None = None) -> bytes:
    nav = f'<p class="pager"><a href="{next_href}">Next page ›</a></p>' if next_href else ""
    return (
        f"<!doctype html><html><head><title>Publications</title>{head}</head><body>"
        f"{_CHROME_TOP}<main><h1>Publications</h1>{main}{nav}</main>{_CHROME_BOTTOM}"
        "</body></html>"
    ).encode()


def cards_page(entries: list[Entry], next_href: str | None = None) -> bytes:
    """Cards: a label line, a heading with the link, a summary, a <time>."""
    cards = "".join(
        f'<div class="c-card"><div class="c-card__meta">{escape(e.label)} —</div>'
        f'<h3 class="c-card__title"><a href="{e.path}">{escape(e.title)}</a></h3>'
        f"<p>{escape(e.summary)}</p>"
        + (f'<time datetime="{e.published.isoformat()}">{e.day()}</time>' if e.published else "")
        + "</div>"
        for e in entries
    )
    return _page(f'<div class="grid">{cards}</div>', next_href=next_href)


def table_page(entries: list[Entry], next_href: str | None = None) -> bytes:
    """A table: date, title link, type, one row each."""
    rows = "".join(
        f"<tr><td>{e.day()}</td><td><a href='{e.path}'>{escape(e.title)}</a></td>"
        f"<td>{escape(e.label)}</td></tr>"
        for e in entries
    )
    table = f"<table><tr><th>Date</th><th>Title</th><th>Type</th></tr>{rows}</table>"
    return _page(table, next_href=next_href)


def headings_page(entries: list[Entry], next_href: str | None = None) -> bytes:
    """Flat: a heading with a link, then loose lines (date, label, summary), no containers."""
    parts = "".join(
        f"<h2><a href='{e.path}'>{escape(e.title)}</a></h2>"
        f"<p>Published on: {e.day()}</p><p>{escape(e.label)}</p><p>{escape(e.summary)}</p>"
        for e in entries
    )
    return _page(f"<section>{parts}</section>", next_href=next_href)


def list_page(entries: list[Entry], next_href: str | None = None) -> bytes:
    """A list: a link (old /hmicfrs prefix), "label — date" in one line, a "Read more"."""
    items = "".join(
        f"<li><a href='/hmicfrs{e.path}'>"
        f"{escape(e.title)}</a> <span>{escape(e.label)} — {e.day()}</span>"
        f"<a href='/hmicfrs{e.path}'>Read more</a></li>"
        for e in entries
    )
    return _page(f"<ul>{items}</ul>", next_href=next_href)


def feed_page(feed_href: str) -> bytes:
    """A listing whose items are drawn by script: only its advertised feed lists them."""
    head = f'<link rel="alternate" type="application/rss+xml" title="Feed" href="{feed_href}">'
    return _page('<div id="app">Loading…</div><script>load()</script>', head=head)


def rss_feed(entries: list[Entry], site: str) -> bytes:
    """An RSS 2.0 feed of the entries, with links on `site`."""
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{site}{e.path}</link>"
        f"<category>{escape(e.label)}</category>"
        + (
            "<pubDate>"
            + format_datetime(datetime(*e.published.timetuple()[:3], 9, tzinfo=UTC))
            + "</pubDate>"
            if e.published
            else ""
        )
        + "</item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>HMICFRS</title><link>{site}/</link><description>x</description>{items}"
        "</channel></rss>"
    ).encode()


MARKUPS = {
    "cards": cards_page,
    "table": table_page,
    "headings": headings_page,
    "list": list_page,
}
