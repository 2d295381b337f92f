"""The catalogue: which forces and cycles exist, and which page URLs to watch.

Slugs, names and URL templates follow `hmicfrs-pages.md`. A page's identity is its
path with the old `/hmic` or `/hmicfrs` prefix removed; the host is configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# The 43 territorial forces of England and Wales: slug -> name as the pages print it.
FORCES: dict[str, str] = {
    "avon-and-somerset": "Avon and Somerset Police",
    "bedfordshire": "Bedfordshire Police",
    "cambridgeshire": "Cambridgeshire Constabulary",
    "cheshire": "Cheshire Constabulary",
    "city-of-london": "City of London Police",
    "cleveland": "Cleveland Police",
    "cumbria": "Cumbria Constabulary",
    "derbyshire": "Derbyshire Constabulary",
    "devon-and-cornwall": "Devon and Cornwall Police",
    "dorset": "Dorset Police",
    "durham": "Durham Constabulary",
    "dyfed-powys": "Dyfed-Powys Police",
    "essex": "Essex Police",
    "gloucestershire": "Gloucestershire Constabulary",
    "greater-manchester": "Greater Manchester Police",
    "gwent": "Gwent Police",
    "hampshire": "Hampshire and Isle of Wight Constabulary",
    "hertfordshire": "Hertfordshire Constabulary",
    "humberside": "Humberside Police",
    "kent": "Kent Police",
    "lancashire": "Lancashire Constabulary",
    "leicestershire": "Leicestershire Police",
    "lincolnshire": "Lincolnshire Police",
    "merseyside": "Merseyside Police",
    "metropolitan": "Metropolitan Police Service",
    "norfolk": "Norfolk Constabulary",
    "north-wales": "North Wales Police",
    "north-yorkshire": "North Yorkshire Police",
    "northamptonshire": "Northamptonshire Police",
    "northumbria": "Northumbria Police",
    "nottinghamshire": "Nottinghamshire Police",
    "south-wales": "South Wales Police",
    "south-yorkshire": "South Yorkshire Police",
    "staffordshire": "Staffordshire Police",
    "suffolk": "Suffolk Constabulary",
    "surrey": "Surrey Police",
    "sussex": "Sussex Police",
    "thames-valley": "Thames Valley Police",
    "warwickshire": "Warwickshire Police",
    "west-mercia": "West Mercia Police",
    "west-midlands": "West Midlands Police",
    "west-yorkshire": "West Yorkshire Police",
    "wiltshire": "Wiltshire Police",
}

# Slug renames: the force's canonical slug -> {cycle: slug used in that cycle's URLs}.
FORCE_ALIASES: dict[str, dict[str, str]] = {
    "hampshire": {
        "peel-2021-22": "hampshire-and-isle-of-wight",
        "peel-2023-25": "hampshire-and-isle-of-wight",
        "peel-2025-27": "hampshire-and-isle-of-wight",
    },
}


@dataclass(frozen=True)
class Cycle:
    key: str
    label: str
    paths: tuple[str, ...]  # templates with {force}


_PILLARS_2015 = ("effectiveness", "efficiency", "legitimacy", "leadership")


def _peel_legacy(year: str, pillars: Iterable[str]) -> tuple[str, ...]:
    base = f"/peel-assessments/peel-{year}/{{force}}/"
    return (base, *(f"{base}{pillar}/" for pillar in pillars))


CYCLES: dict[str, Cycle] = {
    c.key: c
    for c in (
        Cycle("peel-2014", "PEEL 2014", _peel_legacy("2014", ())),
        Cycle("peel-2015", "PEEL 2015", _peel_legacy("2015", _PILLARS_2015)),
        Cycle("peel-2016", "PEEL 2016", _peel_legacy("2016", _PILLARS_2015)),
        Cycle("peel-2017", "PEEL 2017", _peel_legacy("2017", _PILLARS_2015)),
        Cycle(
            "peel-2018",
            "PEEL 2018/19",
            _peel_legacy("2018", ("effectiveness", "efficiency", "legitimacy")),
        ),
        Cycle("peel-2021-22", "PEEL 2021/22", ("/peel-reports/{force}-2021-22/",)),
        Cycle("peel-2023-25", "PEEL 2023–25", ("/peel-reports/{force}-2023-25/",)),
        Cycle("peel-2025-27", "PEEL 2025–27", ("/peel-reports/{force}-2025-27/",)),
    )
}


def cycle_label(key: str) -> str:
    cycle = CYCLES.get(key)
    return cycle.label if cycle else key


def force_name(slug: str) -> str:
    return FORCES.get(slug, slug.replace("-", " ").title())


def force_slug_for(force: str, cycle: str) -> str:
    """The slug a force's pages use in a cycle (Hampshire was renamed in 2021)."""
    return FORCE_ALIASES.get(force, {}).get(cycle, force)


def canonical_force(slug: str) -> str:
    """The catalogue slug for a slug seen in a URL, aliases included."""
    for force, renames in FORCE_ALIASES.items():
        if slug in renames.values():
            return force
    return slug


_PREFIX = re.compile(r"^/(?:hmicfrs|hmic)(?=/)")


def page_path(url: str) -> str:
    """A page's identity: its path without the old site prefixes, `//` runs or empty `?`.

    A non-empty query is kept: the all-force overview is `...?view=table`.
    """
    parts = urlsplit(url)
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    path = _PREFIX.sub("", path)
    if not path.endswith("/"):
        path += "/"
    return f"{path}?{parts.query}" if parts.query else path


@dataclass(frozen=True)
class Page:
    """One page to watch."""

    url: str
    organisation: str  # force slug, or "" for pages about no single force
    cycle: str  # cycle key, or "" for extra pages


def expand(
    base_url: str,
    forces: Iterable[str] | None,
    cycles: Iterable[str],
    extra_pages: Iterable[str] = (),
) -> list[Page]:
    """Every page URL to watch, in a stable order: by force, then cycle, then path."""
    base = base_url.rstrip("/")
    pages: list[Page] = []
    seen: set[str] = set()
    for force in FORCES if forces is None else forces:
        for key in cycles:
            slug = force_slug_for(force, key)
            for template in CYCLES[key].paths:
                url = base + template.format(force=slug)
                if url not in seen:
                    seen.add(url)
                    pages.append(Page(url, force, key))
    for path in extra_pages:
        url = base + page_path(path)
        if url not in seen:
            seen.add(url)
            pages.append(Page(url, "", ""))
    return pages
