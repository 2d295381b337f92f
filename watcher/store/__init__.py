"""Store: the state database, one SQLite file through sqlite-utils.

`Store` writes pages, bodies, assessments, changes, the outbox and runs; `schema` holds
the tables and their migrations; `queries` and `versions` are what the operator's
read-only commands ask of it.
"""

from typing import TYPE_CHECKING

from watcher.store.bodies import body_hash, pack_body
from watcher.store.outbox import PendingAlert
from watcher.store.schema import (
    StoreError,
    database_problem,
    open_database,
    scratch_database,
)
from watcher.store.state import PageState, Store

if TYPE_CHECKING:  # imported on first use (`__getattr__`): a check needs none of them
    from watcher.store.archived import ArchivedCapture
    from watcher.store.discovered import (
        DiscoveredPage,
        Discoveries,
        QueuedAlert,
        SeenItem,
        SourceState,
    )
    from watcher.store.exports import RunInfo, Snapshot, StoredChange, StoredReading, snapshot
    from watcher.store.queries import (
        FailingPage,
        FindingEvent,
        ForceGrades,
        ForceHistory,
        GradeStep,
        RunSummary,
        Status,
        UnitTimeline,
        UnreadablePage,
        open_readonly,
    )
    from watcher.store.versions import Comparison, GradeRow

# The read-only side (what the operator's commands, the outputs and discovery use),
# imported when first asked for: `watcher check` loads only what a run writes with.
_LAZY = {
    "archived": ("ArchivedCapture",),
    "discovered": ("DiscoveredPage", "Discoveries", "QueuedAlert", "SeenItem", "SourceState"),
    "exports": ("RunInfo", "Snapshot", "StoredChange", "StoredReading", "snapshot"),
    "queries": (
        "FailingPage",
        "FindingEvent",
        "ForceGrades",
        "ForceHistory",
        "GradeStep",
        "RunSummary",
        "Status",
        "UnitTimeline",
        "UnreadablePage",
        "open_readonly",
    ),
    "versions": ("Comparison", "GradeRow"),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "ArchivedCapture",
    "Comparison",
    "DiscoveredPage",
    "Discoveries",
    "FailingPage",
    "FindingEvent",
    "ForceGrades",
    "ForceHistory",
    "GradeRow",
    "GradeStep",
    "PageState",
    "PendingAlert",
    "QueuedAlert",
    "RunInfo",
    "RunSummary",
    "SeenItem",
    "Snapshot",
    "SourceState",
    "Status",
    "Store",
    "StoreError",
    "StoredChange",
    "StoredReading",
    "UnitTimeline",
    "UnreadablePage",
    "body_hash",
    "database_problem",
    "open_database",
    "open_readonly",
    "pack_body",
    "scratch_database",
    "snapshot",
]


def __getattr__(name: str) -> object:
    """A read-only value or query, imported from its module when first asked for."""
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(f"watcher.store.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
