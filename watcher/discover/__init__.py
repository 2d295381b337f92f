"""Discover: new publications wherever the site lists them, before the pages are fetched.

`listing` reads a listing page's items from its text and links (`feed`: a feed its
head advertises), `classify` says what each is and whom it is about, `stage` runs the
stage of `watcher check` (fetch, compare with what is stored, page back after an
outage) and `alerts` turns what is new into stored items, watched pages and alerts.
"""

from watcher.discover.classify import Classified, PublicationKind, classify
from watcher.discover.listing import Listing, ListingItem, read_listing
from watcher.discover.stage import (
    MAX_PAGES,
    REINDEX_AFTER,
    Discovery,
    DiscoveryReport,
    SourceOutcome,
    run_discovery,
)

__all__ = [
    "MAX_PAGES",
    "REINDEX_AFTER",
    "Classified",
    "Discovery",
    "DiscoveryReport",
    "Listing",
    "ListingItem",
    "PublicationKind",
    "SourceOutcome",
    "classify",
    "read_listing",
    "run_discovery",
]
