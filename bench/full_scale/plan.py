"""Which pages the synthetic site serves, and which of them the watcher is told to watch.

Police pages come from the product's own catalogue (`watcher.catalogue.expand`), so the
site holds exactly the URLs a `watcher check` asks for. Fire and rescue pages are given
to the watcher as extra `watch.pages` paths, which works whether or not the catalogue
has grown fire and rescue cycles yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bench.full_scale.templates import FIXTURE_FAMILIES, Organisation
from watcher import catalogue

DEFAULT_CYCLES = ("peel-2017", "peel-2018", "peel-2021-22", "peel-2023-25", "peel-2025-27")
ENGAGE_PATH = "/about-us/what-we-do/our-approach-to-monitoring-forces/police-forces-in-engage/"
FRS_TABLE_PATH = "/frs-assessment/frs-2023-25/service-assessment-data-table/"
FRS_SERVICE_PATH = "/frs-assessment/frs-2021/{service}/"
# Cycles announced but not published: the site answers 404, as the real one does.
UNPUBLISHED = frozenset({"peel-2025-27"})
_PILLAR = re.compile(r"/(effectiveness|efficiency|legitimacy|leadership)/$")
_SUFFIXES = (" Police Service", " Police", " Constabulary", " Fire and Rescue Service")

# Used only until `watcher.catalogue.SERVICES` exists (another change is adding it).
_FALLBACK_SERVICES = (
    "avon",
    "bedfordshire",
    "buckinghamshire",
    "cambridgeshire",
    "cheshire",
    "cleveland",
    "cornwall",
    "county-durham-and-darlington",
    "cumbria",
    "derbyshire",
    "devon-and-somerset",
    "dorset-and-wiltshire",
    "east-sussex",
    "essex",
    "gloucestershire",
    "greater-manchester",
    "hampshire-and-isle-of-wight",
    "hereford-and-worcester",
    "hertfordshire",
    "humberside",
    "isles-of-scilly",
    "kent",
    "lancashire",
    "leicestershire",
    "lincolnshire",
    "london",
    "merseyside",
    "norfolk",
    "north-yorkshire",
    "northamptonshire",
    "northumberland",
    "nottinghamshire",
    "oxfordshire",
    "royal-berkshire",
    "shropshire",
    "south-yorkshire",
    "staffordshire",
    "suffolk",
    "surrey",
    "tyne-and-wear",
    "warwickshire",
    "west-midlands",
    "west-sussex",
    "west-yorkshire",
)


@dataclass(frozen=True)
class Scale:
    """How much of the site to build: the full site by default."""

    forces: int | None = None  # the first N forces; None for all 43
    services: int | None = None  # the first N fire and rescue services; None for all 44
    cycles: tuple[str, ...] = DEFAULT_CYCLES
    extras: bool = True  # the Engage list and the fire and rescue 2023-25 table


@dataclass(frozen=True)
class PlannedPage:
    """One page of the site: where it lives, what kind it is, and who it is about."""

    path: str
    family: str  # a template family, or "absent" for a 404
    organisation: Organisation | None
    year: str = ""  # the cycle's year, as the page's title writes it
    index: int = 0  # the organisation's position: picks the fixture's markup


@dataclass(frozen=True)
class SitePlan:
    pages: tuple[PlannedPage, ...]
    forces: tuple[str, ...]  # the `watch.forces` slugs
    cycles: tuple[str, ...]
    extra_paths: tuple[str, ...]  # the `watch.pages` paths

    @property
    def published(self) -> tuple[PlannedPage, ...]:
        return tuple(p for p in self.pages if p.family != "absent")


def _short(name: str) -> str:
    return next((name.removesuffix(s) for s in _SUFFIXES if name.endswith(s)), name)


def force(slug: str) -> Organisation:
    name = catalogue.FORCES[slug]
    return Organisation(slug, name, _short(name))


def service(slug: str) -> Organisation:
    services: dict[str, str] = getattr(catalogue, "SERVICES", {})
    name = services.get(slug) or f"{slug.replace('-', ' ').title()} Fire and Rescue Service"
    return Organisation(slug, name, _short(name))


def service_slugs() -> list[str]:
    services: dict[str, str] = getattr(catalogue, "SERVICES", {})
    return list(services) or list(_FALLBACK_SERVICES)


def plan_site(scale: Scale = Scale()) -> SitePlan:
    """The pages to serve and the watcher settings that ask for exactly those pages."""
    force_slugs = list(catalogue.FORCES)[: scale.forces]
    service_list = service_slugs()[: scale.services]
    pages = [
        _police_page(page.url, page.organisation, page.cycle, force_slugs.index(page.organisation))
        for page in catalogue.expand("", force_slugs, scale.cycles)
    ]
    services = [service(slug) for slug in service_list]
    pages += [
        PlannedPage(FRS_SERVICE_PATH.format(service=s.slug), "frs-service", s, "2021/22", i)
        for i, s in enumerate(services)
    ]
    if scale.extras:
        pages.append(PlannedPage(FRS_TABLE_PATH, "frs-table", None))
        pages.append(PlannedPage(ENGAGE_PATH, "engage", None))
    extras = tuple(p.path for p in pages if p.family in ("frs-service", "frs-table", "engage"))
    return SitePlan(tuple(pages), tuple(force_slugs), scale.cycles, extras)


def _police_page(path: str, slug: str, cycle: str, index: int) -> PlannedPage:
    organisation = force(slug)
    year = catalogue.cycle_label(cycle).removeprefix("PEEL ")
    if cycle in UNPUBLISHED:
        return PlannedPage(path, "absent", organisation, year, index)
    if path.startswith("/peel-reports/"):
        family = "report-" + cycle.removeprefix("peel-")
        return PlannedPage(path, family, organisation, year, index)
    if pillar := _PILLAR.search(path):
        # A cycle's own pillar fixture where there is one ("pillar-2018-effectiveness").
        family = f"pillar-{year[:4]}-{pillar.group(1)}"
        family = family if family in FIXTURE_FAMILIES else f"pillar-{pillar.group(1)}"
        return PlannedPage(path, family, organisation, year[:4], index)
    family = "force-page-2018" if cycle == "peel-2018" else "force-page"
    return PlannedPage(path, family, organisation, year[:4], index)
