"""Store: the state database, one SQLite file through sqlite-utils.

`Store` writes pages, bodies, assessments, changes, the outbox and runs; `schema` holds
the tables and their migrations; `queries` and `versions` are what the operator's
read-only commands ask of it.
"""

from watcher.store.archived import ArchivedCapture
from watcher.store.discovered import (
    DiscoveredPage,
    Discoveries,
    QueuedAlert,
    SeenItem,
    SourceState,
)
from watcher.store.exports import RunInfo, Snapshot, StoredChange, StoredReading, snapshot
from watcher.store.outbox import PendingAlert
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
from watcher.store.schema import (
    StoreError,
    database_problem,
    open_database,
    scratch_database,
)
from watcher.store.state import PageState, Store, body_hash
from watcher.store.versions import Comparison, GradeRow

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
    "scratch_database",
    "snapshot",
]
