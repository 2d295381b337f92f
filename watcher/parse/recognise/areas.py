"""The areas of policing a PEEL 2021+ report grades, and their stable unit slugs.

A report's labels are reworded within a cycle ("Managing offenders" for "Managing
offenders and suspects", "Developing a positive workplace" later "Building,
supporting and protecting the workforce"), and the 2025-27 framework asks numbered
questions ("1. How good is the force at leadership and force management?"). A unit's
slug must not move with the wording, or a reworded label would read as a grade gone
and another new: so each known wording maps to one slug. An unknown label gets the
slug of its own words, never a known area's by likeness (an unknown "Protecting
vulnerable children" is not "Protecting vulnerable people").
"""

from __future__ import annotations

import re
from functools import lru_cache

from watcher.parse.recognise.vocabulary import slugify

# Canonical slug -> the wordings seen (hmicfrs-pages.md §4), as `_words` writes them.
_VARIANTS: dict[str, tuple[str, ...]] = {
    "recording-data-about-crime": ("recording data about crime",),
    "treatment-of-the-public": ("treatment of the public",),
    "police-powers-and-public-treatment": (
        "police powers and public treatment",
        "treating the public fairly appropriately and respectfully",
        "treating the public fairly",
    ),
    "preventing-crime-and-anti-social-behaviour": ("preventing crime and antisocial behaviour",),
    "preventing-and-deterring-crime-and-anti-social-behaviour-and-reducing-vulnerability": (
        "preventing and deterring crime and antisocial behaviour and reducing vulnerability",
        "preventing and deterring crime antisocial behaviour and vulnerability",
        "preventing and deterring crime",
    ),
    "responding-to-the-public": ("responding to the public",),
    "investigating-crime": ("investigating crime",),
    "protecting-vulnerable-people": ("protecting vulnerable people",),
    "managing-offenders-and-suspects": ("managing offenders and suspects", "managing offenders"),
    "building-supporting-and-protecting-the-workforce": (
        "building supporting and protecting the workforce",
        "developing a positive workplace",
    ),
    "good-use-of-resources": ("good use of resources",),
    "leadership-and-force-management": ("leadership and force management",),
    "providing-a-service-to-victims-of-crime": ("providing a service to victims of crime",),
}
_SLUGS = {words: slug for slug, variants in _VARIANTS.items() for words in variants}
KNOWN_AREAS = frozenset(_VARIANTS)

# "1.", "2)", "Question 3:", "Core question 4 –" before a 2025-27 question.
_NUMBER = re.compile(r"^(?:(?:core )?question\s*)?\d{1,2}\s*[.):–—-]?\s+", re.IGNORECASE)
# "How good is the force at ...?", "How well does Kent Police ...?"
_QUESTION = re.compile(
    r"^how (?:good|well|effective|effectively) (?:is|does|do) (?:the (?:force|constabulary)"
    r"|[A-Z][\w&' -]{0,60}?(?:police|constabulary|service))(?: (?:at|in))? (?P<area>.+?)\??$",
    re.IGNORECASE,
)
# Headings that carry a grade word or sit among the areas but never are one.
_NOT_AREAS = re.compile(
    r"(?:our |the )?(?:overall )?(?:judg(?:e)?ments?|summary|conclusions?|introduction"
    r"|contents|overview|about (?:this|the) (?:report|inspection)|graded judg(?:e)?ments"
    r"|summary of (?:our )?(?:findings|judg(?:e)?ments)|(?:chief )?inspector'?s? "
    r"(?:summary|observations)|force in (?:numbers|context)|main findings)",
    re.IGNORECASE,
)


def _words(label: str) -> str:
    """A label's words, lower case, punctuation and "anti-social"'s hyphen gone."""
    text = label.lower().replace("anti-social", "antisocial").replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def core_label(label: str) -> str:
    """The area a label names: numbering and the 2025-27 question form taken off."""
    text = _NUMBER.sub("", label.strip(), count=1)
    match = _QUESTION.match(text)
    return match.group("area").strip() if match else text


@lru_cache(maxsize=4096)  # a page asks of each heading several times
def area_slug(label: str) -> str:
    """The stable unit slug of an area label: a known wording's, else its own."""
    core = core_label(label)
    return _SLUGS.get(_words(core)) or slugify(core) or slugify(label)


def is_known_area(label: str) -> bool:
    return _words(core_label(label)) in _SLUGS


@lru_cache(maxsize=4096)
def is_not_area(text: str) -> bool:
    """A heading such as "Our judgments" or "Overall summary": never a graded unit."""
    return _NOT_AREAS.fullmatch(_words(text).replace(" s ", "s ")) is not None
