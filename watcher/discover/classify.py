"""What a listed item is and whom it is about: from its type label, title and address.

Kind: the type label first, then the title, then the address. Organisation: a
"Police Forces:" tag where the listing shows one, else the title, else the address;
fire and rescue services are found (and taken out of the text) before police forces,
so "Kent Fire and Rescue Service" is never Kent Police; a force is named with or
without "Police". An item naming nobody is national. Pure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from watcher.catalogue import FORCES, SERVICE_PREFIX, SERVICES


class PublicationKind(StrEnum):
    PEEL = "peel_report"
    ACCELERATED_CAUSE_OF_CONCERN = "accelerated_cause_of_concern"
    CLOSURE_LETTER = "closure_letter"
    REVISIT_LETTER = "revisit_letter"
    ENHANCED_MONITORING = "enhanced_monitoring_decision"
    DEFAULT_MONITORING = "return_to_default_monitoring"
    COMMISSIONER_LETTER = "commissioner_letter"
    CAUSE_OF_CONCERN = "cause_of_concern_letter"
    CUSTODY = "custody"
    CHILD_PROTECTION = "child_protection"
    FIRE = "fire_and_rescue_report"
    THEMATIC = "thematic"
    NEWS = "news_article"
    OTHER = "publication"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PublicationKind.PEEL: "PEEL report",
    PublicationKind.ACCELERATED_CAUSE_OF_CONCERN: "Accelerated cause of concern",
    PublicationKind.CLOSURE_LETTER: "Closure letter",
    PublicationKind.REVISIT_LETTER: "Revisit letter",
    PublicationKind.ENHANCED_MONITORING: "Enhanced monitoring decision",
    PublicationKind.DEFAULT_MONITORING: "Return to default monitoring",
    PublicationKind.COMMISSIONER_LETTER: "Letter to a commissioner",
    PublicationKind.CAUSE_OF_CONCERN: "Cause of concern letter",
    PublicationKind.CUSTODY: "Custody inspection",
    PublicationKind.CHILD_PROTECTION: "Child protection inspection",
    PublicationKind.FIRE: "Fire and rescue report",
    PublicationKind.THEMATIC: "Thematic report",
    PublicationKind.NEWS: "News article",
    PublicationKind.OTHER: "Publication",
}

# In order: the first rule whose words appear wins, so a "cause of concern revisit
# letter" is a revisit letter and a "closure of cause of concern letter" a closure.
_KIND_RULES: tuple[tuple[PublicationKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (PublicationKind.NEWS, r"\b(?:news article|press release|news|blog|speech|statement)\b"),
        (PublicationKind.CLOSURE_LETTER, r"\bclos(?:ure|ed|ing)\b"),
        (PublicationKind.ACCELERATED_CAUSE_OF_CONCERN, r"\baccelerated\b"),
        (PublicationKind.REVISIT_LETTER, r"\bre ?visit\b"),
        (PublicationKind.DEFAULT_MONITORING, r"\b(?:default|routine) (?:phase of )?monitoring\b"),
        (PublicationKind.ENHANCED_MONITORING, r"\b(?:enhanced monitoring|engage)\b"),
        (PublicationKind.CAUSE_OF_CONCERN, r"\bcauses? of concern\b"),
        (PublicationKind.COMMISSIONER_LETTER, r"\bcommissioners?\b"),
        (PublicationKind.CUSTODY, r"\bcustody\b"),
        (PublicationKind.CHILD_PROTECTION, r"\bchild protection\b"),
        (PublicationKind.PEEL, r"\bpeel\b"),
        (PublicationKind.FIRE, r"\b(?:fire and rescue|fire service|fire brigade|frs)\b"),
        (PublicationKind.THEMATIC, r"\b(?:thematic|national|joint inspection)\b"),
    )
)


@dataclass(frozen=True)
class Classified:
    """An item's kind and the organisations it is about (none: a national item)."""

    kind: PublicationKind
    organisations: tuple[str, ...]  # force slugs, "frs/<service>", or "other:<name>"

    @property
    def national(self) -> bool:
        return not self.organisations


def classify(label: str, title: str, path: str, tags: str = "") -> Classified:
    """The kind and organisations of one listed item."""
    texts = [_plain(label), _plain(title), _plain(path.replace("-", " ").replace("/", " "))]
    kind = _kind(texts)
    fire_first = kind is PublicationKind.FIRE or "/frs" in path or "fire" in path
    organisations = _from_tags(tags) if tags else None
    if organisations is None:
        organisations = _from_text(title, fire_only=fire_first and not _police_words(title))
    if not organisations and not tags:
        organisations = _from_path(path, fire=fire_first)
    if kind is PublicationKind.OTHER and not organisations:
        kind = PublicationKind.THEMATIC
    return Classified(kind, organisations)


def _kind(texts: list[str]) -> PublicationKind:
    for text in texts:
        # A generic label ("Publication", "Letter") says nothing: the title decides.
        for kind, pattern in _KIND_RULES:
            if pattern.search(text):
                return kind
    return PublicationKind.OTHER


def _plain(text: str) -> str:
    """Lower case, typographic dashes and non-breaking hyphens as plain spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.sub(r"[\u2010-\u2015\u00ad\-–—:/,()]", " ", text).split())


def _police_words(text: str) -> bool:
    return bool(re.search(r"\b(?:police|constabulary|custody|crime commissioner)\b", text, re.I))


_ALL_FORCES = re.compile(r"\ball (?:local )?(?:police )?forces\b|\bnational\b", re.IGNORECASE)


def _from_tags(tags: str) -> tuple[str, ...] | None:
    """Organisations from a "Police Forces: …" line; None when it names none we know."""
    label, _, names = tags.partition(":")
    if _ALL_FORCES.search(names):
        return ()
    found = _from_text(names, fire_only="fire" in label.lower())
    return found or None


def _from_text(text: str, *, fire_only: bool, bare: bool = False) -> tuple[str, ...]:
    """Services first (taken out of the text), then forces by name, with or without "Police"."""
    text = (
        " "
        + " ".join(re.sub(r"[\u2010\u2011]", "-", unicodedata.normalize("NFKC", text)).split())
        + " "
    )
    found: list[str] = []
    for slug, pattern in _service_patterns(bare=bare or fire_only):
        text, hits = pattern.subn(" \x00 ", text)
        if hits:
            found.append(SERVICE_PREFIX + slug)
    if not fire_only:
        for slug, pattern in _force_patterns():
            text, hits = pattern.subn(" \x00 ", text)
            if hits:
                found.append(slug)
        for match in _OTHER_FORCE.finditer(text):
            name = (match.group(1) or match.group(2)).strip()
            if not set(name.lower().split()) <= _NOT_NAMES:
                found.append(f"other:{name.lower()}")
    return tuple(dict.fromkeys(found))


_NOT_NAMES = frozenset(
    (
        *("the", "all", "a", "an", "our", "every", "how", "why", "what", "local", "national"),
        *("chief", "hm", "inspector", "inspectorate", "his", "majesty's", "and", "of", "in"),
        *("on", "for", "to"),
    )
)


# A police force we do not watch (British Transport Police, Police Scotland): named,
# so the item is about someone, but never one of ours.
_OTHER_FORCE = re.compile(
    r"\b((?:[A-Z][a-z]+ ){1,3})(?:Police|Constabulary)\b(?! and Crime)"
    r"|\b(Police (?:Scotland|Service of Northern Ireland))\b"
)


def _core(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        name = name.removesuffix(suffix)
    return name


_SERVICE_SUFFIXES = (
    " Fire and Rescue Service",
    " Fire and Rescue",
    " Fire Brigade",
    " Fire Service",
)
_FORCE_SUFFIXES = (" Police Service", " Police", " Constabulary")
_FIRE_WORDS = (
    r"(?:County )?(?:Fire (?:and|&) Rescue(?: Service| Authority)?"
    r"|Fire Brigade|Fire Service|Fire Authority|FRS)"
)
_FORCE_WORDS = r"(?:Police(?: Service)?|Constabulary)"


@cache
def _service_patterns(*, bare: bool) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each service's name; `bare`: its place name alone also counts (a fire item)."""
    pairs = []
    for slug, name in SERVICES.items():
        core = re.escape(_core(name, _SERVICE_SUFFIXES).removesuffix(" County"))
        words = rf"(?:\s+{_FIRE_WORDS})?" if bare else rf"(?:'s)?\s+{_FIRE_WORDS}"
        pairs.append((len(core), slug, re.compile(rf"\b{core}{words}\b", re.IGNORECASE)))
    pairs.sort(key=lambda pair: pair[0], reverse=True)
    return tuple((slug, pattern) for _, slug, pattern in pairs)


_FORCE_EXTRA = {"hampshire": ("Hampshire",), "metropolitan": ("the Met", "Met Police")}


@cache
def _force_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each force's name, longest first, with or without "Police" / "Constabulary"."""
    pairs = []
    for slug, name in FORCES.items():
        for core in (_core(name, _FORCE_SUFFIXES), *_FORCE_EXTRA.get(slug, ())):
            pattern = rf"\b{re.escape(core)}(?:'s)?(?:\s+{_FORCE_WORDS})?\b"
            pairs.append((len(core), slug, re.compile(pattern, re.IGNORECASE)))
    pairs.sort(key=lambda pair: pair[0], reverse=True)
    return tuple((slug, pattern) for _, slug, pattern in pairs)


def _from_path(path: str, *, fire: bool) -> tuple[str, ...]:
    """Organisations from the address's slugs (`/peel-reports/kent-2023-25/`)."""
    known = SERVICES if fire else FORCES
    found = []
    for segment in path.strip("/").split("/"):
        for slug in sorted(known, key=len, reverse=True):
            if segment == slug or segment.startswith(slug + "-"):
                found.append(SERVICE_PREFIX + slug if fire else slug)
                break
    return tuple(dict.fromkeys(found))
