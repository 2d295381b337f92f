"""Parse: one fetched page's bytes into an `Assessment`. Pure: no I/O, clock or environment.

The page is reduced to text blocks with the site's chrome dropped (`watcher.blocks`),
identified from its address or else its text (`watcher.recognise.identity`), and read
by the recogniser for its era (`watcher.recognise`). What looks wrong on the page (a
pillar sentence printed twice, the wrong force named, a graded page with no grades) is
reported in `Assessment.anomalies`, never guessed around.
"""

from __future__ import annotations

from collections.abc import Sequence

from watcher.blocks import Block, BlockKind, html_blocks
from watcher.catalogue import CYCLES, FORCES
from watcher.models import Assessment, PageKind
from watcher.recognise.force_page import recognise_force_page
from watcher.recognise.identity import PageIdentity, forces_named_in, identify
from watcher.recognise.pillar_page import recognise_pillar_page
from watcher.recognise.report import recognise_report
from watcher.recognise.vocabulary import GRADED_PILLARS, PILLAR_LABELS, Recognised

NO_GRADES = "no grades found on a graded page (maintenance or error page?)"
UNRECOGNISED = "unrecognised page: not a PEEL force page, pillar page or report"
_GRADED_KINDS = frozenset((PageKind.FORCE_PAGE, PageKind.PILLAR_PAGE, PageKind.PEEL_REPORT))
_MAX_TITLE = 200


def parse(body: bytes, url: str) -> Assessment:
    """Everything the page at `url` says about grades and findings; never raises.

    >>> parse(b"<h1>Not a PEEL page</h1>", "https://example.org/news/").kind
    <PageKind.UNKNOWN: 'unknown'>
    """
    try:
        return _parse(body, url)
    except Exception as error:  # a malformed page must not stop the run; report it
        return Assessment("", "", PageKind.UNKNOWN, url, anomalies=(f"parser failed: {error!r}",))


def _parse(body: bytes, url: str) -> Assessment:
    blocks = html_blocks(body)
    page = identify(url, blocks)
    title = page_title(blocks, page)
    if page.kind is PageKind.UNKNOWN:
        return Assessment("", "", PageKind.UNKNOWN, url, title, anomalies=(UNRECOGNISED,))
    recognised = _recognise(blocks, page)
    anomalies = [*_wrong_force(blocks, page), *recognised.anomalies]
    if not recognised.judgements and _expects_grades(page):
        anomalies.append(NO_GRADES)
    return Assessment(
        organisation=page.organisation,
        cycle=page.cycle,
        kind=page.kind,
        url=url,
        title=title,
        judgements=tuple(recognised.judgements),
        findings=tuple(recognised.findings),
        anomalies=tuple(anomalies),
    )


def _recognise(blocks: Sequence[Block], page: PageIdentity) -> Recognised:
    if page.kind is PageKind.PILLAR_PAGE:
        return recognise_pillar_page(blocks, page.pillar)
    if page.kind is PageKind.FORCE_PAGE:
        recognised = recognise_force_page(blocks)
        if recognised.judgements or page.cycle != "peel-2018":
            return recognised
    return recognise_report(blocks, _cycle_years(page.cycle))


def _cycle_years(cycle: str) -> str:
    """How a report writes its own cycle: "2018/19" for peel-2018."""
    return CYCLES[cycle].label.removeprefix("PEEL ") if cycle in CYCLES else ""


def _expects_grades(page: PageIdentity) -> bool:
    """Graded kinds expect a grade, except leadership pages (narrative, never graded)."""
    if page.kind is PageKind.PILLAR_PAGE:
        return page.pillar in GRADED_PILLARS
    return page.kind in _GRADED_KINDS


# How many blocks make up the introduction at most.
_INTRO_BLOCKS = 12
_INTRO_MIN_WORDS = 12


def _wrong_force(blocks: Sequence[Block], page: PageIdentity) -> list[str]:
    """An introduction that names another force than the address (a publisher mistake)."""
    if not page.from_address:
        return []
    named = forces_named_in(_introduction(blocks))
    if not named or page.organisation in named:
        return []
    return [f"page names {FORCES[slug]} but URL is for {page.organisation}" for slug in named]


def _introduction(blocks: Sequence[Block]) -> str:
    """The "An inspection of ..." line, or else the first paragraph that is a sentence."""
    head = blocks[:_INTRO_BLOCKS]
    for block in head:
        if block.text.lower().startswith("an inspection of "):
            return block.text
    return next(
        (
            b.text
            for b in head
            if b.kind is BlockKind.PARAGRAPH and len(b.text.split()) >= _INTRO_MIN_WORDS
        ),
        "",
    )


def page_title(blocks: Sequence[Block], page: PageIdentity) -> str:
    """The page's main title (its h1), with the pillar or the force it is about."""
    headings = [i for i, b in enumerate(blocks) if b.kind is BlockKind.HEADING]
    first = next((i for i in headings if blocks[i].level == 1), headings[0] if headings else 0)
    if not blocks:
        return ""
    title = blocks[first].text
    following = blocks[first + 1 : first + 3]
    if page.kind is PageKind.PILLAR_PAGE:
        label = PILLAR_LABELS.get(page.pillar, "")
        if label and label.lower() not in title.lower() and _mentions(following, label):
            title = f"{title} — {label}"
    if page.kind is PageKind.PEEL_REPORT:
        inspection = next(
            (b.text for b in blocks[:_INTRO_BLOCKS] if b.text.lower().startswith("an inspection")),
            "",
        )
        if inspection and inspection not in title:
            title = f"{title} — {inspection}"
    return title[:_MAX_TITLE]


def _mentions(blocks: Sequence[Block], label: str) -> bool:
    return any(b.text.lower() == label.lower() for b in blocks)


def parse_all(body: bytes, url: str) -> list[Assessment]:
    """Every assessment a page holds: one, or one per organisation on an all-force page."""
    return [parse(body, url)]
