"""The fire and rescue 2023-25 all-services table: one assessment per service.

The page `/frs-assessment/frs-2023-25/service-assessment-data-table/` lists every
service with its eleven questions ("Understanding the risk of fire and other
emergencies", ...) and a five-point grade each; there are no pillar grades. A service
is named by a heading, paragraph or caption before its rows, or by a cell of the row
itself. Each question's unit is the slug of its label, as printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from watcher.catalogue import SERVICES, service_organisation
from watcher.models import Assessment, Judgement, PageKind
from watcher.parse.blocks import Block, BlockKind
from watcher.parse.recognise.vocabulary import grade_of, slugify

FRS_TABLE_QUESTIONS = 11
_CYCLE = "frs-2023-25"
# As for the other all-organisation pages: a page that cannot be read as the table is one
# UNKNOWN assessment, counted as unreadable, never as every service losing its grades.
UNREADABLE = "not readable as the frs_table page (maintenance or error page?)"
_SUFFIX = re.compile(r"\s+(?:fire and rescue(?: service| authority)?|fire brigade|fire service)$")


def _plain(name: str) -> str:
    return " ".join(name.lower().replace("&", "and").split())


def _short(name: str) -> str:
    """The name without its suffix: "Essex County Fire and Rescue Service" -> "essex county"."""
    return _SUFFIX.sub("", _plain(name))


_BY_NAME: dict[str, str] = {}
for _slug, _name in SERVICES.items():
    _BY_NAME[_short(_name)] = _slug
    _BY_NAME[_slug.replace("-", " ")] = _slug


def service_named(text: str) -> str | None:
    """The catalogue slug of a service named "Kent Fire and Rescue Service" (or "Kent")."""
    short = _short(text)
    return _BY_NAME.get(short) or _BY_NAME.get(short.removesuffix(" county"))


@lru_cache(maxsize=4096)  # the same labels and names recur on every service's table
def _names_a_service(text: str) -> bool:
    """A service's name, in the catalogue or not ("Isle of Wight Fire and Rescue Service")."""
    if len(text) > 90 or not text[:1].isupper():
        return False
    return service_named(text) is not None or _short(text) != _plain(text)


@dataclass
class _Service:
    name: str
    slug: str | None  # None: not in the catalogue
    judgements: list[Judgement] = field(default_factory=list)


def read_frs_table(blocks: Sequence[Block], url: str, title: str) -> list[Assessment]:
    """One assessment per service on the table, in page order."""
    services = _services(blocks)
    if not services:
        return [Assessment("", "", PageKind.UNKNOWN, url, title, anomalies=(UNREADABLE,))]
    return [_assessment(service, url, title) for service in services]


def _services(blocks: Sequence[Block]) -> list[_Service]:
    """The services in page order, each with the graded rows under its name."""
    found: list[_Service] = []
    current: _Service | None = None
    for block in blocks:
        cells = [c for c in block.cells if c] if block.kind is BlockKind.ROW else [block.text]
        named = next((c for c in cells if _names_a_service(c)), None)
        if named and (current is None or current.name != named):
            current = _Service(named, service_named(named))
            found.append(current)
        if current is not None and block.kind is BlockKind.ROW:
            _add_row(current, [c for c in cells if c != named])
    return [service for service in found if service.judgements]


def _add_row(service: _Service, cells: list[str]) -> None:
    """A question row: its label (the first cell that is not a grade) and its grade."""
    grade = next((g for g in map(grade_of, cells) if g), None)
    label = next((c for c in cells if grade_of(c) is None), None)
    if grade is not None and label:
        service.judgements.append(Judgement(slugify(label), label, grade))


def _assessment(service: _Service, url: str, title: str) -> Assessment:
    anomalies = []
    if service.slug is None:
        anomalies.append(f"service not in the catalogue: {service.name}")
    units = [j.unit for j in service.judgements]
    repeated = [
        f"question {unit} listed {units.count(unit)} times"
        for unit in dict.fromkeys(u for u in units if units.count(u) > 1)
    ]
    anomalies.extend(repeated)
    if len(set(units)) != FRS_TABLE_QUESTIONS:
        anomalies.append(f"{len(set(units))} questions, expected {FRS_TABLE_QUESTIONS}")
    slug = service.slug or slugify(_short(service.name))
    return Assessment(
        organisation=service_organisation(slug),
        cycle=_CYCLE,
        kind=PageKind.FRS_TABLE,
        url=url,
        title=f"{title} — {service.name}" if title else service.name,
        judgements=tuple(service.judgements),
        anomalies=tuple(anomalies),
        # A question listed twice is most likely the next service's rows under this
        # name (the other's name in markup the page lost): none of them is trusted.
        unreadable=_repeated_reason(repeated),
    )


def _repeated_reason(repeated: list[str]) -> str | None:
    if not repeated:
        return None
    return "; ".join(repeated) + " (rows that cannot be tied to one service)"
