"""Store: the state database, one SQLite file through sqlite-utils.

`Store` writes pages, bodies, assessments, changes, the outbox and runs; `schema` holds
the tables and their migrations; `queries` and `versions` are what the operator's
read-only commands ask of it.
"""

from watcher.store.archived import ArchivedCapture
from watcher.store.queries import (
    FindingEvent,
    ForceGrades,
    ForceHistory,
    GradeStep,
    RunSummary,
    Status,
    UnitTimeline,
    open_readonly,
)
from watcher.store.schema import StoreError, open_database
from watcher.store.state import PageState, PendingAlert, Store, body_hash
from watcher.store.versions import Comparison, GradeRow

__all__ = [
    "ArchivedCapture",
    "Comparison",
    "FindingEvent",
    "ForceGrades",
    "ForceHistory",
    "GradeRow",
    "GradeStep",
    "PageState",
    "PendingAlert",
    "RunSummary",
    "Status",
    "Store",
    "StoreError",
    "UnitTimeline",
    "body_hash",
    "open_database",
    "open_readonly",
]
