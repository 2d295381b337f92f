"""Page bodies for the synthetic site: a base version, a changed one and a cosmetic one.

A body is its family's template about one organisation, dressed in the site's chrome
(a WordPress head with inline styles and scripts, a mega menu of every force and
service, a footer) and padded with narrative from the seeds to a size drawn between
100 and 200 KB, fixed per path so every run serves the same bytes.

- `changed`: a real change a reader must hear about: a grade moves and, where the page
  has areas for improvement, a new one appears.
- `cosmetic`: what changes on every page without changing what it says: the downtime
  banner's dates, the "last modified" dates, a new menu item, the cookie text and the
  theme's asset version.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from html import escape

from bench.full_scale import templates
from bench.full_scale.plan import PlannedPage, SitePlan, force, service, service_slugs
from watcher import catalogue

MIN_BYTES = 100_000
MAX_BYTES = 200_000
ASSET_VERSION = "6.4.2"


def target_size(path: str) -> int:
    """The size a page's body is padded to: between 100 and 200 KB, fixed per path."""
    digest = int.from_bytes(hashlib.sha256(path.encode()).digest()[:4], "big")
    return MIN_BYTES + digest % (MAX_BYTES - MIN_BYTES)


def build_bodies(plan: SitePlan) -> dict[str, bytes]:
    """The base version of every published page, by path."""
    return {page.path: base_body(page) for page in plan.published}


def base_body(page: PlannedPage) -> bytes:
    """A page's base version: template, chrome and padding."""
    return dress(page_html(page), page.path).encode()


def page_html(page: PlannedPage) -> str:
    """The page's template about its organisation, before chrome and padding."""
    organisation = page.organisation
    if templates.has_fixture(page.family):
        return templates.from_fixture(page.family, organisation, page.index, page.year)
    builders: dict[str, Callable[[], str]] = {
        "report-2021-22": lambda: templates.report_2021(_required(page), page.year),
        "report-2023-25": lambda: templates.report_2021(_required(page), page.year),
        "pillar-leadership": lambda: templates.leadership_page(_required(page), page.year),
        "frs-service": lambda: templates.frs_service_page(_required(page), page.year),
        "frs-table": lambda: templates.frs_table_page(_all_services()),
        "engage": lambda: templates.engage_page([force(s) for s in ("cleveland", "gwent")]),
    }
    return builders[page.family]()


def _required(page: PlannedPage) -> templates.Organisation:
    assert page.organisation is not None, page.path
    return page.organisation


def _all_services() -> list[templates.Organisation]:
    return [service(slug) for slug in service_slugs()]


def dress(html: str, path: str) -> str:
    """Wrap a template in the site's full chrome and pad its content to its target size."""
    html = _insert_before(html, "</head>", HEAD_EXTRAS, at_start=True)
    html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + MEGA_MENU, html, count=1)
    footer = SITE_FOOTER
    room = target_size(path) - len(html.encode()) - len(footer.encode())
    return _insert_before(html, "</body>", _padding(path, room) + footer, at_start=False)


def _insert_before(html: str, marker: str, text: str, *, at_start: bool) -> str:
    where = html.rfind(marker)
    if where < 0:
        return text + html if at_start else html + text
    return html[:where] + text + html[where:]


def _padding(path: str, room: int) -> str:
    """Detailed findings in the seeds' neutral narrative, about `room` bytes of them."""
    if room <= 0:
        return ""
    paragraphs = templates.narrative_paragraphs()
    chooser = random.Random(path)
    parts = ['<section class="detailed-findings">\n<h2>Detailed findings</h2>\n']
    size = len(parts[0])
    while size < room:
        part = f"<p>{escape(chooser.choice(paragraphs))}</p>\n"
        parts.append(part)
        size += len(part.encode())
    parts.append("</section>\n")
    return "".join(parts)


# -- chrome ----------------------------------------------------------------------------


def _stylesheet() -> str:
    rules = "\n".join(
        f".wp-block-group-{n}{{margin:0 0 {n % 5}rem;padding:{n % 3}rem;color:#0b0c0c}}"
        for n in range(320)
    )
    return f"<style id='global-styles-inline-css'>\n{rules}\n</style>\n"


def _scripts() -> str:
    consent = ",".join(f'"purpose{n}":{{"id":{n},"default":false}}' for n in range(120))
    return (
        f'<link rel="stylesheet" href="/wp-content/themes/hmicfrs/style.css?ver={ASSET_VERSION}">\n'
        f'<script src="/wp-includes/js/jquery/jquery.min.js?ver={ASSET_VERSION}"></script>\n'
        f"<script>window.cookieConsent = {{{consent}}};</script>\n"
    )


HEAD_EXTRAS = _stylesheet() + _scripts()


def _menu_links(title: str, links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{href}">{escape(label)}</a></li>\n' for href, label in links)
    return f"<li><span>{escape(title)}</span><ul>\n{items}</ul></li>\n"


def _mega_menu() -> str:
    forces = [(f"/police-forces/{s}/", n) for s, n in catalogue.FORCES.items()]
    services = [(f"/fire-and-rescue-services/{s}/", service(s).name) for s in service_slugs()]
    about = [(f"/about-us/{n}/", f"About us section {n}") for n in range(1, 25)]
    return (
        '<nav class="mega-menu" aria-label="Main menu"><ul>\n'
        + _menu_links("Police forces", forces)
        + _menu_links("Fire and rescue services", services)
        + _menu_links("About us", about)
        + "</ul></nav>\n"
    )


def _site_footer() -> str:
    links = "".join(
        f'<li><a href="/publications/page/{n}/">Publications {n}</a></li>' for n in range(60)
    )
    return (
        f'<footer class="site-footer"><ul>{links}</ul>\n'
        "<p>Page last modified: 3 April 2024</p>\n"
        "<p>© Crown copyright 2024. All content is available under the Open Government "
        "Licence v3.0, except where otherwise stated.</p></footer>\n"
        f'<script src="/wp-content/themes/hmicfrs/app.js?ver={ASSET_VERSION}"></script>\n'
    )


MEGA_MENU = _mega_menu()
SITE_FOOTER = _site_footer()

# -- variants --------------------------------------------------------------------------

_COSMETIC: tuple[tuple[str, str], ...] = (
    (
        "from 8pm on Friday 14 June until 8am on Saturday 15 June",
        "from 6pm on Friday 5 July until 10am on Saturday 6 July",
    ),
    (
        "We use cookies to collect information about how you use our website.",
        "We use cookies to make our website work and to understand how you use it.",
    ),
    (
        '<li><a href="/news/">News</a></li>',
        '<li><a href="/news/">News</a></li>'
        '<li><a href="/fire-and-rescue/">Fire and rescue</a></li>',
    ),
    (f"?ver={ASSET_VERSION}", "?ver=6.5.3"),
)
_MODIFIED = re.compile(r"((?:Page )?[Ll]ast (?:modified|updated): )\d{1,2} \w+ \d{4}")


def cosmetic(body: bytes) -> bytes:
    """The same page with only its chrome changed: banner, dates, menu, cookies, assets."""
    html = body.decode()
    for old, new in _COSMETIC:
        html = html.replace(old, new)
    return _MODIFIED.sub(r"\g<1>9 July 2024", html).encode()


_NEXT_GRADE = {
    "outstanding": "good",
    "good": "requires improvement",
    "adequate": "good",
    "requires improvement": "good",
    "inadequate": "requires improvement",
    "to be graded": "good",
}
_GRADES = "Outstanding|Good|Adequate|Requires improvement|Inadequate|To be graded"
_BADGE = re.compile(rf"(>\s*)({_GRADES})(\s*<)", re.IGNORECASE)
_SENTENCE = re.compile(
    rf"(the extent to which [^<]{{10,250}}?\s(?:is:?\s)?)({_GRADES})(\.)", re.IGNORECASE
)
_FIRST_FINDING = "<li>The force should"
NEW_FINDING = (
    "The force should make sure that its officers record the reasons for every stop and "
    "search they carry out, and that supervisors review those records."
)


def changed(body: bytes) -> bytes:
    """The page after a real change: a grade moves, and a new area for improvement."""
    html = body.decode()
    for pattern in (_SENTENCE, _BADGE):
        html = pattern.sub(_next_grade, html, count=1)
    new_item = f"<li>{NEW_FINDING}</li>\n"
    html = html.replace(_FIRST_FINDING, new_item + _FIRST_FINDING, 1)
    return html.encode()


def _next_grade(match: re.Match[str]) -> str:
    before, grade, after = match.groups()
    new = _NEXT_GRADE[grade.lower()]
    return before + (new.capitalize() if grade[0].isupper() else new) + after
