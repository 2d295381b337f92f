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

# The 44 fire and rescue services of England: slug -> name as the pages print it.
# Best effort: slugs follow the site's pattern (the name without "Fire and Rescue
# Service", e.g. `/frs-assessment/frs-2018/gloucestershire/`); only gloucestershire,
# greater-manchester and shropshire were seen in a stored address, the others are
# unconfirmed. The Isle of Wight (2018/19 only) merged into Hampshire in 2021.
SERVICES: dict[str, str] = {
    "avon": "Avon Fire and Rescue Service",
    "bedfordshire": "Bedfordshire Fire and Rescue Service",
    "buckinghamshire": "Buckinghamshire Fire and Rescue Service",
    "cambridgeshire": "Cambridgeshire Fire and Rescue Service",
    "cheshire": "Cheshire Fire and Rescue Service",
    "cleveland": "Cleveland Fire Brigade",
    "cornwall": "Cornwall Fire and Rescue Service",
    "county-durham-and-darlington": "County Durham and Darlington Fire and Rescue Service",
    "cumbria": "Cumbria Fire and Rescue Service",
    "derbyshire": "Derbyshire Fire and Rescue Service",
    "devon-and-somerset": "Devon and Somerset Fire and Rescue Service",
    "dorset-and-wiltshire": "Dorset and Wiltshire Fire and Rescue Service",
    "east-sussex": "East Sussex Fire and Rescue Service",
    "essex": "Essex County Fire and Rescue Service",
    "gloucestershire": "Gloucestershire Fire and Rescue Service",
    "greater-manchester": "Greater Manchester Fire and Rescue Service",
    "hampshire-and-isle-of-wight": "Hampshire and Isle of Wight Fire and Rescue Service",
    "hereford-and-worcester": "Hereford and Worcester Fire and Rescue Service",
    "hertfordshire": "Hertfordshire Fire and Rescue Service",
    "humberside": "Humberside Fire and Rescue Service",
    "isles-of-scilly": "Isles of Scilly Fire and Rescue Service",
    "kent": "Kent Fire and Rescue Service",
    "lancashire": "Lancashire Fire and Rescue Service",
    "leicestershire": "Leicestershire Fire and Rescue Service",
    "lincolnshire": "Lincolnshire Fire and Rescue",
    "london": "London Fire Brigade",
    "merseyside": "Merseyside Fire and Rescue Service",
    "norfolk": "Norfolk Fire and Rescue Service",
    "north-yorkshire": "North Yorkshire Fire and Rescue Service",
    "northamptonshire": "Northamptonshire Fire and Rescue Service",
    "northumberland": "Northumberland Fire and Rescue Service",
    "nottinghamshire": "Nottinghamshire Fire and Rescue Service",
    "oxfordshire": "Oxfordshire Fire and Rescue Service",
    "royal-berkshire": "Royal Berkshire Fire and Rescue Service",
    "shropshire": "Shropshire Fire and Rescue Service",
    "south-yorkshire": "South Yorkshire Fire and Rescue",
    "staffordshire": "Staffordshire Fire and Rescue Service",
    "suffolk": "Suffolk Fire and Rescue Service",
    "surrey": "Surrey Fire and Rescue Service",
    "tyne-and-wear": "Tyne and Wear Fire and Rescue Service",
    "warwickshire": "Warwickshire Fire and Rescue Service",
    "west-midlands": "West Midlands Fire Service",
    "west-sussex": "West Sussex Fire and Rescue Service",
    "west-yorkshire": "West Yorkshire Fire and Rescue Service",
}

# The regions forces are grouped in (`[[slack.routes]] regions`, `watcher forces`). The
# shared notes on the site give no regional list, so these are the ten regions the police
# service of England and Wales is organised in for regional collaboration (the NPCC
# regions of the regional organised crime units); each fire and rescue service takes
# the region its area lies in. Slug -> name.
REGIONS: dict[str, str] = {
    "north-east": "North East",
    "north-west": "North West",
    "yorkshire-and-the-humber": "Yorkshire and the Humber",
    "east-midlands": "East Midlands",
    "west-midlands": "West Midlands",
    "eastern": "Eastern",
    "london": "London",
    "south-east": "South East",
    "south-west": "South West",
    "wales": "Wales",
}
_REGION_MEMBERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # region: (forces, fire and rescue services)
    "north-east": (
        ("cleveland", "durham", "northumbria"),
        ("cleveland", "county-durham-and-darlington", "northumberland", "tyne-and-wear"),
    ),
    "north-west": (
        ("cheshire", "cumbria", "greater-manchester", "lancashire", "merseyside"),
        ("cheshire", "cumbria", "greater-manchester", "lancashire", "merseyside"),
    ),
    "yorkshire-and-the-humber": (
        ("humberside", "north-yorkshire", "south-yorkshire", "west-yorkshire"),
        ("humberside", "north-yorkshire", "south-yorkshire", "west-yorkshire"),
    ),
    "east-midlands": (
        ("derbyshire", "leicestershire", "lincolnshire", "northamptonshire", "nottinghamshire"),
        ("derbyshire", "leicestershire", "lincolnshire", "northamptonshire", "nottinghamshire"),
    ),
    "west-midlands": (
        ("staffordshire", "warwickshire", "west-mercia", "west-midlands"),
        ("hereford-and-worcester", "shropshire", "staffordshire", "warwickshire", "west-midlands"),
    ),
    "eastern": (
        ("bedfordshire", "cambridgeshire", "essex", "hertfordshire", "norfolk", "suffolk"),
        ("bedfordshire", "cambridgeshire", "essex", "hertfordshire", "norfolk", "suffolk"),
    ),
    "london": (("metropolitan", "city-of-london"), ("london",)),
    "south-east": (
        ("hampshire", "kent", "surrey", "sussex", "thames-valley"),
        (
            "buckinghamshire",
            "east-sussex",
            "hampshire-and-isle-of-wight",
            "kent",
            "oxfordshire",
            "royal-berkshire",
            "surrey",
            "west-sussex",
        ),
    ),
    "south-west": (
        ("avon-and-somerset", "devon-and-cornwall", "dorset", "gloucestershire", "wiltshire"),
        (
            "avon",
            "cornwall",
            "devon-and-somerset",
            "dorset-and-wiltshire",
            "gloucestershire",
            "isles-of-scilly",
        ),
    ),
    "wales": (("dyfed-powys", "gwent", "north-wales", "south-wales"), ()),
}
FORCE_REGIONS: dict[str, str] = {
    force: region for region, (forces, _) in _REGION_MEMBERS.items() for force in forces
}
SERVICE_REGIONS: dict[str, str] = {
    service: region for region, (_, services) in _REGION_MEMBERS.items() for service in services
}

# Slug renames: the service's canonical slug -> {cycle: slug used in that cycle's URLs}.
# Unconfirmed: Hampshire's 2018/19 pages were those of the pre-merger service.
SERVICE_ALIASES: dict[str, dict[str, str]] = {
    "hampshire-and-isle-of-wight": {"frs-2018": "hampshire"},
}

# A service's organisation slug is "frs/<service slug>" ("frs/kent"), so that a fire
# and rescue service never shares an organisation (history, digests) with the police
# force of the same name ("kent").
SERVICE_PREFIX = "frs/"


@dataclass(frozen=True)
class Cycle:
    key: str
    label: str
    paths: tuple[str, ...]  # templates with {force}, or {service} for a fire cycle
    fire: bool = False  # a fire and rescue cycle: expanded by `expand_services`


_PILLARS_2015 = ("effectiveness", "efficiency", "legitimacy", "leadership")


def _peel_legacy(year: str, pillars: Iterable[str]) -> tuple[str, ...]:
    base = f"/peel-assessments/peel-{year}/{{force}}/"
    return (base, *(f"{base}{pillar}/" for pillar in pillars))


_FRS_PILLARS = ("effectiveness", "efficiency", "people")
# One page for every service: the 2023-25 grades are published as a single table.
FRS_TABLE_PATH = "/frs-assessment/frs-2023-25/service-assessment-data-table/"
# ... and each service's own 2023-25 report (its eleven question grades).
FRS_REPORT_PATH = "/frs-assessment/frs-2023-25/{service}/"


def _frs_service(year: str) -> tuple[str, ...]:
    base = f"/frs-assessment/frs-{year}/{{service}}/"
    return (base, *(f"{base}{pillar}/" for pillar in _FRS_PILLARS))


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
        Cycle("frs-2018", "Fire and rescue 2018/19", _frs_service("2018"), fire=True),
        Cycle("frs-2021", "Fire and rescue 2021/22", _frs_service("2021"), fire=True),
        Cycle(
            "frs-2023-25",
            "Fire and rescue 2023–25",
            (FRS_TABLE_PATH, FRS_REPORT_PATH),
            fire=True,
        ),
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
    """Every page URL to watch, in a stable order: by force, then cycle, then path.

    Fire and rescue cycles are skipped here: `expand_services` expands them.
    """
    base = base_url.rstrip("/")
    pages: list[Page] = []
    seen: set[str] = set()
    cycles = [key for key in cycles if not CYCLES[key].fire]
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


def service_organisation(service: str) -> str:
    """The organisation slug of a fire and rescue service: "kent" -> "frs/kent"."""
    return SERVICE_PREFIX + service


def service_slug_for(service: str, cycle: str) -> str:
    """The slug a service's pages use in a cycle."""
    return SERVICE_ALIASES.get(service, {}).get(cycle, service)


def canonical_service(slug: str) -> str:
    """The catalogue slug for a service slug seen in a URL, aliases included."""
    for service, renames in SERVICE_ALIASES.items():
        if slug in renames.values():
            return service
    return slug


def organisation_slug(text: str) -> str | None:
    """The force's slug, or the service's `frs/<slug>`, that an operator typed (any case,
    a renamed force's old or new slug), or None when it names neither."""
    slug = text.strip().lower()
    if slug.startswith(SERVICE_PREFIX):
        service = canonical_service(slug.removeprefix(SERVICE_PREFIX))
        return SERVICE_PREFIX + service if service in SERVICES else None
    force = canonical_force(slug)
    return force if force in FORCES else None


def organisation_slugs() -> list[str]:
    """Every slug `organisation_slug` accepts as it gives them back: forces, `frs/` services."""
    return [*FORCES, *(SERVICE_PREFIX + service for service in SERVICES)]


def organisation_name(organisation: str) -> str:
    """A force's or a service's name: "kent" -> "Kent Police", "frs/kent" -> "Kent Fire ..."."""
    if organisation.startswith(SERVICE_PREFIX):
        service = organisation.removeprefix(SERVICE_PREFIX)
        return SERVICES.get(service, service.replace("-", " ").title())
    return force_name(organisation)


def expand_services(
    base_url: str, services: Iterable[str] | None, cycles: Iterable[str]
) -> list[Page]:
    """Every fire and rescue page to watch: by service, then cycle, then path.

    Police cycles are skipped. A page for every service (the 2023-25 table) is listed
    once, with no organisation.
    """
    base = base_url.rstrip("/")
    fire = [key for key in cycles if CYCLES[key].fire]
    pages: list[Page] = []
    seen: set[str] = set()
    for service in SERVICES if services is None else services:
        for key in fire:
            slug = service_slug_for(service, key)
            for template in CYCLES[key].paths:
                url = base + template.format(service=slug)
                shared = "{service}" not in template
                if url not in seen:
                    seen.add(url)
                    pages.append(Page(url, "" if shared else service_organisation(service), key))
    return pages


def region_of(organisation: str) -> str | None:
    """A force's or a service's region slug (`REGIONS`); None for anything else."""
    if organisation.startswith(SERVICE_PREFIX):
        return SERVICE_REGIONS.get(canonical_service(organisation.removeprefix(SERVICE_PREFIX)))
    return FORCE_REGIONS.get(canonical_force(organisation))
