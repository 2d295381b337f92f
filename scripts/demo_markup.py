"""The site's markup for the demo archive: its chrome, and the few elements pages use.

The chrome (cookie notice, menus, a maintenance banner, breadcrumbs, "Last modified",
share links, footer) is what changes cosmetically from one day to the next; the watcher
must never alert on it. Page text passes through `html.escape`; `link()` is the one
way to put markup into a paragraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

DOWNTIME = (
    "Our website will be unavailable from 8pm on Friday 13 June until 8am on Saturday 14 June "
    "while we carry out essential maintenance."
)
MENU = ("Home", "About us", "Publications", "PEEL assessments", "Police forces", "News")
MENU_2025 = (*MENU[:4], "Fire and rescue services", *MENU[4:])


@dataclass(frozen=True)
class Chrome:
    """What surrounds a page's content: the same content can sit in different chrome."""

    modified: str  # "Last modified" date in the page's own words
    banner: str = ""  # a "Planned website downtime" notice, or none
    menu: tuple[str, ...] = MENU
    crumbs: tuple[str, ...] = ()


class Raw(str):
    """Markup already built (a link): passed through without escaping."""


def text(value: str) -> str:
    return value if isinstance(value, Raw) else escape(value, quote=False)


def link(label: str, href: str) -> Raw:
    return Raw(f'<a href="{escape(href)}">{escape(label, quote=False)}</a>')


def h(level: int, value: str) -> str:
    return f"<h{level}>{text(value)}</h{level}>"


def p(*sentences: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f"<p{attribute}>{' '.join(text(s) for s in sentences)}</p>"


def grade(value: str) -> str:
    """A grade badge: the grade word alone on its line."""
    return p(value, css="grade")


def ul(items: Iterable[str]) -> str:
    return "<ul>\n" + "\n".join(f"<li>{text(item)}</li>" for item in items) + "\n</ul>"


def findings(heading: str, items: Sequence[str], level: int = 4) -> str:
    """An "Areas for improvement" heading and its bullets; nothing when there are none."""
    return f"{h(level, heading)}\n{ul(items)}" if items else ""


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{text(cell)}</th>" for cell in header)
    body = "\n".join("<tr>" + "".join(f"<td>{text(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def page(title: str, content: Iterable[str], chrome: Chrome) -> str:
    """A whole page: the site's chrome around `content`."""
    parts = [
        _TOP.format(title=escape(title)),
        _menu(chrome.menu),
        "</header>",
        _banner(chrome.banner),
        _crumbs(chrome.crumbs),
        '<main id="main">',
        *(part for part in content if part),
        p(f"Last modified: {chrome.modified}", css="modified"),
        _SHARE,
        "</main>",
        _FOOTER,
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _menu(entries: Sequence[str]) -> str:
    items = "".join(f'<li><a href="/{_slug(e)}/">{escape(e)}</a></li>' for e in entries)
    return f'<nav class="menu"><ul>{items}</ul></nav>'


def _banner(notice: str) -> str:
    if not notice:
        return ""
    return f'<div class="notice"><h2>Planned website downtime</h2><p>{escape(notice)}</p></div>'


def _crumbs(crumbs: Sequence[str]) -> str:
    items = "".join(f'<li><a href="#">{escape(c)}</a></li>' for c in ("Home", *crumbs))
    return f'<nav class="breadcrumbs"><ol>{items}</ol></nav>'


def _slug(label: str) -> str:
    return "-".join(label.lower().split())


_TOP = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{title} - HMICFRS</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<a class="skip" href="#main">Skip to content</a>
<div class="cookie-banner"><p>We use cookies to collect information about how you use our \
website. We use this information to make the website work as well as possible.</p>
<button>Accept cookies</button> <a href="#">Cookie settings</a></div>
<header><a href="/">HM Inspectorate of Constabulary and Fire &amp; Rescue Services</a>"""
_SHARE = """<div class="share"><h3>Share this page</h3><ul><li><a href="#">Twitter</a></li>
<li><a href="#">Facebook</a></li><li><a href="#">LinkedIn</a></li>
<li><a href="#">Email</a></li></ul></div>"""
_FOOTER = """<footer>
<ul><li><a href="#">Accessibility</a></li><li><a href="#">Privacy notice</a></li>
<li><a href="#">Cookies</a></li><li><a href="#">Contact us</a></li></ul>
<p>© Crown copyright. All content is available under the Open Government Licence v3.0,
except where otherwise stated.</p>
</footer>
</body></html>"""
