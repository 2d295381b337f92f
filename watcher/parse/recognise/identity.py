"""Which page this is: organisation, cycle and kind, from the address or else the text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from watcher.catalogue import (
    CYCLES,
    FORCES,
    FRS_TABLE_PATH,
    SERVICES,
    canonical_force,
    canonical_service,
    page_path,
    service_organisation,
)
from watcher.models import PageKind
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.publications import (
    Publication,
    cycle_named_in,
    publication_at,
    publication_titled,
)
from watcher.parse.recognise.vocabulary import PILLAR_LABELS

_FORCE_PAGE = re.compile(r"/peel-assessments/peel-(20\d\d)/([a-z0-9-]+)/")
_PILLAR_PAGE = re.compile(
    r"/peel-assessments/peel-(20\d\d)/([a-z0-9-]+)/"
    r"(effectiveness|efficiency|legitimacy|leadership|other-reports)/(?:detailed-findings/)?"
)
_REPORT = re.compile(r"/peel-reports/([a-z0-9-]+)-(20\d\d-\d\d)/")
_FRS_SERVICE = re.compile(
    r"/frs-assessment/(frs-20(?:18|21)|frs-2023-25)/([a-z0-9-]+)/"
    r"(?:(effectiveness|efficiency|people)/)?"
)
# How far into a page its identifying lines (title, "An inspection of ...") may sit.
_HEAD_BLOCKS = 20


@dataclass(frozen=True)
class PageIdentity:
    organisation: str
    cycle: str
    kind: PageKind
    pillar: str = ""  # a pillar page's pillar
    from_address: bool = False


UNKNOWN = PageIdentity("", "", PageKind.UNKNOWN)


def identify(url: str, blocks: Sequence[Block]) -> PageIdentity:
    """The page's identity from its address where it matches a known family, else its text."""
    page = _from_address(url) or _from_text(blocks) or UNKNOWN
    return _with_letter_details(page, blocks) if page.kind is PageKind.LETTER else page


def _with_letter_details(page: PageIdentity, blocks: Sequence[Block]) -> PageIdentity:
    """A letter's force, when its address names none, and its cycle, from its opening."""
    head = " ".join(b.text for b in blocks[:_HEAD_BLOCKS])
    force = page.organisation or next(iter(forces_named_in(head)), "")
    return replace(page, organisation=force, cycle=cycle_named_in(head))


def _publication(found: Publication | None) -> PageIdentity | None:
    """The Engage list, the overview table or a letter, with the force its address names."""
    if found is None:
        return None
    return PageIdentity(
        found.organisation, found.cycle, found.kind, from_address=bool(found.organisation)
    )


def _from_address(url: str) -> PageIdentity | None:
    try:
        path = page_path(url)
    except ValueError:
        return None
    if match := _PILLAR_PAGE.fullmatch(path):
        year, slug, pillar = match.groups()
        return _identity(slug, f"peel-{year}", PageKind.PILLAR_PAGE, pillar)
    if match := _FORCE_PAGE.fullmatch(path):
        year, slug = match.groups()
        return _identity(slug, f"peel-{year}", PageKind.FORCE_PAGE)
    if match := _REPORT.fullmatch(path):
        slug, years = match.groups()
        return _identity(slug, f"peel-{years}", PageKind.PEEL_REPORT)
    return _fire_identity(path) or _publication(publication_at(path))


def _fire_identity(path: str) -> PageIdentity | None:
    """A fire and rescue service page ("frs/kent"), or the 2023-25 all-services table."""
    if path == FRS_TABLE_PATH:
        return PageIdentity("", "frs-2023-25", PageKind.FRS_TABLE, from_address=True)
    match = _FRS_SERVICE.fullmatch(path)
    service = canonical_service(match.group(2)) if match else ""
    if match is None or service not in SERVICES:
        return None
    cycle, pillar = match.group(1), match.group(3) or ""
    organisation = service_organisation(service)
    return PageIdentity(organisation, cycle, PageKind.FRS_SERVICE, pillar, from_address=True)


def _identity(slug: str, cycle: str, kind: PageKind, pillar: str = "") -> PageIdentity | None:
    force = canonical_force(slug)
    if force not in FORCES or cycle not in CYCLES:
        return None
    return PageIdentity(force, cycle, kind, pillar, from_address=True)


# "An inspection of Kent Police" + "Police effectiveness, efficiency and legitimacy 2018/19"
_INSPECTION_OF = re.compile(r"an inspection of (.{3,60})", re.IGNORECASE)
_REPORT_YEAR = re.compile(
    r"(?:peel:? )?police effectiveness, efficiency and legitimacy (20\d\d[/–-]\d\d)", re.I
)
# 2021 onward: "PEEL 2023–25", "PEEL 2021/22: An inspection of Essex Police"
_PEEL_TITLE = re.compile(
    r"peel:? 20\d\d\s?[/–—‑-]\s?\d\d(?:\d\d)?(?:\s*[:–—‑-]\s*an inspection of (.{3,60}))?",
    re.IGNORECASE,
)
# "Kent PEEL 2017", "Kent 2015"
_TITLE_LINE = re.compile(r"(.{3,60}?) (?:peel )?(201[4-8])", re.IGNORECASE)
_CYCLE_BY_YEARS = {
    cycle.label.removeprefix("PEEL ").replace("–", "/"): key for key, cycle in CYCLES.items()
}


def _from_text(blocks: Sequence[Block]) -> PageIdentity | None:
    head = blocks[:_HEAD_BLOCKS]
    return (
        _report_from_text(head)
        or _peel_page_from_text(head)
        or _publication(publication_titled(head))
    )


def _report_from_text(head: Sequence[Block]) -> PageIdentity | None:
    force = cycle = None
    for block in head:
        if match := _INSPECTION_OF.fullmatch(block.text):
            force = force_named(match.group(1))
        elif match := _REPORT_YEAR.fullmatch(block.text):
            years = match.group(1).replace("–", "/").replace("-", "/")
            cycle = _CYCLE_BY_YEARS.get(years)
        elif block.kind is BlockKind.HEADING and (match := _PEEL_TITLE.fullmatch(block.text)):
            cycle = cycle_named_in(block.text) or cycle
            force = force_named(match.group(1) or "") or force
    if force and cycle:
        return PageIdentity(force, cycle, PageKind.PEEL_REPORT)
    return None


def _peel_page_from_text(head: Sequence[Block]) -> PageIdentity | None:
    """A 2014-2018 force or pillar page by its title line, "Kent PEEL 2017"."""
    for i, block in enumerate(head):
        match = _TITLE_LINE.fullmatch(block.text) if block.kind is BlockKind.HEADING else None
        force = force_named(match.group(1)) if match else None
        if match and force:
            cycle = f"peel-{match.group(2)}"
            pillar = _pillar_heading(head[i + 1]) if i + 1 < len(head) else None
            if pillar:
                return PageIdentity(force, cycle, PageKind.PILLAR_PAGE, pillar)
            return PageIdentity(force, cycle, PageKind.FORCE_PAGE)
    return None


def _pillar_heading(block: Block) -> str | None:
    text = block.text.lower()
    return next((p for p, label in PILLAR_LABELS.items() if label.lower() == text), None)


_SUFFIXES = (" police service", " police", " constabulary")


def _short_name(name: str) -> str:
    lowered = name.lower()
    return next((lowered.removesuffix(s) for s in _SUFFIXES if lowered.endswith(s)), lowered)


_BY_NAME: dict[str, str] = {}
for _slug, _name in FORCES.items():
    _BY_NAME[_name.lower()] = _slug
    _BY_NAME[_short_name(_name)] = _slug
_BY_NAME["hampshire"] = "hampshire"  # "Hampshire Constabulary" before the 2022 rename
_NAMES_IN_TEXT = re.compile(
    r"\b(?:the )?("
    + "|".join(
        re.escape(n)
        for n in sorted(
            {_short_name(n) for n in FORCES.values()} | {"hampshire"}, key=len, reverse=True
        )
    )
    + r")(?: police service| police| constabulary)\b",
    re.IGNORECASE,
)


def force_named(name: str) -> str | None:
    """The slug of a force named "Kent Police", "Kent" or "the Cumbria Constabulary"."""
    lowered = " ".join(name.lower().split()).removeprefix("the ")
    return _BY_NAME.get(lowered) or _BY_NAME.get(_short_name(lowered))


def forces_named_in(text: str) -> list[str]:
    """Slugs of the forces a text names in full ("Essex Police"), in order, once each."""
    found = (_BY_NAME[m.group(1).lower()] for m in _NAMES_IN_TEXT.finditer(text))
    return list(dict.fromkeys(found))
