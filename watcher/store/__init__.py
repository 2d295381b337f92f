"""Store: the state database, one SQLite file through sqlite-utils.

`Store` writes pages, bodies, assessments, changes, the outbox and runs; `schema` holds
the tables and their migrations; `queries` and `versions` are what the operator's
read-only commands ask of it.
"""

from watcher.store.queries import (
    FindingEvent,
    ForceGrades,
    ForceHistory,
    RunSummary,
    Status,
    UnitTimeline,
    open_readonly,
)
from watcher.store.schema import (
    StoreError,
    database_problem,
    open_database,
    scratch_database,
)
from watcher.store.state import PageState, PendingAlert, Store, body_hash
from watcher.store.versions import Comparison, GradeRow

__all__ = [
    "Comparison",
    "FindingEvent",
    "ForceGrades",
    "ForceHistory",
    "GradeRow",
    "PageState",
    "PendingAlert",
    "RunSummary",
    "Status",
    "Store",
    "StoreError",
    "UnitTimeline",
    "body_hash",
    "database_problem",
    "open_database",
    "open_readonly",
    "scratch_database",
]
