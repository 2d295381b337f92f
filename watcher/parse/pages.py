"""Parse: one fetched page's bytes into an `Assessment`. Pure: no I/O, clock or environment.

The page is reduced to text blocks with the site's chrome dropped (`watcher.blocks`),
identified from its address or else its text (`watcher.recognise.identity`), and read
by the recogniser for its era (`watcher.recognise`). What looks wrong on the page (a
pillar sentence printed twice, the wrong force named, a graded page with no grades) is
reported in `Assessment.anomalies`, never guessed around.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from watcher.catalogue import CYCLES, FORCES
from watcher.models import Assessment, PageKind
from watcher.parse.blocks import TRUNCATED, Block, BlockKind, PageBlocks, page_blocks
from watcher.parse.recognise.force_page import recognise_force_page
from watcher.parse.recognise.frs import FRS_PILLAR_LABELS, recognise_frs_service
from watcher.parse.recognise.frs_report import read_frs_report
from watcher.parse.recognise.frs_sentences import cross_check_sentences, silent_page_reason
from watcher.parse.recognise.frs_table import read_frs_table
from watcher.parse.recognise.identity import PageIdentity, forces_named_in, identify
from watcher.parse.recognise.letters import recognise_letter
from watcher.parse.recognise.multi import read_engage_page, read_overview_page
from watcher.parse.recognise.peel2014 import recognise_peel_2014
from watcher.parse.recognise.pillar_page import recognise_pillar_page
from watcher.parse.recognise.report import recognise_report
from watcher.parse.recognise.report_areas import recognise_area_report, uses_area_grades
from watcher.parse.recognise.vocabulary import GRADED_PILLARS, PILLAR_LABELS, Recognised

NO_GRADES = "no grades found on a graded page (maintenance or error page?)"
UNRECOGNISED = "unrecognised page: not a PEEL force page, pillar page or report"
NOBODY_LISTED = "all-force page lists no organisation"
_GRADED_KINDS = frozenset(
    (PageKind.FORCE_PAGE, PageKind.PILLAR_PAGE, PageKind.PEEL_REPORT, PageKind.FRS_SERVICE)
)
_MAX_TITLE = 200


def parse(body: bytes, url: str) -> Assessment:
    """Everything the page at `url` says about grades and findings; never raises.

    >>> parse(b"<h1>Not a PEEL page</h1>", "https://example.org/news/").kind
    <PageKind.UNKNOWN: 'unknown'>

    An all-force page gives its first organisation's assessment, or an UNKNOWN one
    with an anomaly when it lists none.
    """
    assessments = parse_all(body, url)
    if assessments:
        return assessments[0]
    return Assessment("", "", PageKind.UNKNOWN, url, anomalies=(NOBODY_LISTED,))


def _failed(url: str, error: Exception) -> Assessment:
    return Assessment("", "", PageKind.UNKNOWN, url, anomalies=(f"parser failed: {error!r}",))


def _parse(read: PageBlocks, page: PageIdentity, url: str) -> Assessment:
    blocks = read.blocks
    title = page_title(blocks, page)
    truncated = [TRUNCATED] if read.truncated else []
    if page.kind is PageKind.UNKNOWN:
        unknown = (UNRECOGNISED, *truncated)
        return Assessment("", "", PageKind.UNKNOWN, url, title, anomalies=unknown)
    recognised = _recognise(blocks, page)
    anomalies = [*truncated, *_wrong_force(blocks, page), *recognised.anomalies]
    if not recognised.judgements and _expects_grades(page):
        anomalies.append(NO_GRADES)
    assessment = Assessment(
        organisation=page.organisation,
        cycle=page.cycle,
        kind=page.kind,
        url=url,
        title=title,
        judgements=tuple(recognised.judgements),
        findings=tuple(recognised.findings),
        anomalies=tuple(anomalies),
        readings=tuple(recognised.readings),
        unreadable=recognised.unreadable,
    )
    return _fire_checked(blocks, page, assessment)


# Fire and rescue: the 2023-25 per-service reports, and the 2021/22 run-in sentences.
_FRS_REPORT_CYCLE = "frs-2023-25"


def _fire_checked(blocks: Sequence[Block], page: PageIdentity, read: Assessment) -> Assessment:
    """A fire page's readings and, where they do not hold together, why it is unreadable."""
    if page.kind is not PageKind.FRS_SERVICE:
        return read
    if page.cycle == _FRS_REPORT_CYCLE:
        report = read_frs_report(blocks)
        checked = replace(read, readings=report.readings, unreadable=report.unreadable)
    else:
        checked = cross_check_sentences(blocks, read)
    if checked.judgements or checked.unreadable:
        return checked
    return replace(checked, unreadable=silent_page_reason(blocks, page.organisation))


def _recognise(blocks: Sequence[Block], page: PageIdentity) -> Recognised:
    if page.kind is PageKind.LETTER:
        return recognise_letter(blocks)
    if page.kind is PageKind.PEEL_REPORT and uses_area_grades(page.cycle):
        return recognise_area_report(blocks)
    if page.kind is PageKind.FRS_SERVICE and page.cycle == _FRS_REPORT_CYCLE:
        return read_frs_report(blocks).recognised
    if page.kind is PageKind.FRS_SERVICE:
        return recognise_frs_service(blocks, page.pillar)
    if page.pillar == "other-reports":
        return Recognised()  # other inspections' reports, listed: nothing graded here
    if page.kind is PageKind.FORCE_PAGE and page.cycle == "peel-2014":
        return recognise_peel_2014(blocks)
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
    if not page.from_address or page.organisation not in FORCES:
        return []  # a fire and rescue page may well name its local police force
    named = forces_named_in(_introduction(blocks))
    if not named or page.organisation in named:
        return []
    return [f"page names {FORCES[slug]} but URL is for {page.organisation}" for slug in named]


def _introduction(blocks: Sequence[Block]) -> str:
    """The "An inspection of ..." or "... was inspected in tranche two" line, or else the
    first paragraph that is a sentence."""
    head = blocks[:_INTRO_BLOCKS]
    for block in head:
        lowered = block.text.lower()
        if lowered.startswith("an inspection of ") or " was inspected in tranche " in lowered:
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
    if page.kind in (PageKind.PILLAR_PAGE, PageKind.FRS_SERVICE):
        label = PILLAR_LABELS.get(page.pillar) or FRS_PILLAR_LABELS.get(page.pillar, "")
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
    try:
        read = page_blocks(body)
        page = identify(url, read.blocks)
        reader = _MULTI_READERS.get(page.kind)
        if reader is None:
            return [_parse(read, page, url)]
        return reader(read.blocks, url, page_title(read.blocks, page))
    except Exception as error:  # as `parse`: a malformed page is reported, never raised
        return [_failed(url, error)]


# Readers of the pages that hold one assessment per organisation: (blocks, url, page
# title) -> one assessment per organisation, in page order.
MultiReader = Callable[[Sequence[Block], str, str], list[Assessment]]
_MULTI_READERS: dict[PageKind, MultiReader] = {
    PageKind.FRS_TABLE: read_frs_table,
    PageKind.ENGAGE: read_engage_page,
    PageKind.OVERVIEW: read_overview_page,
}
