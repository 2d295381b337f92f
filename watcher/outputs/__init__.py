"""Outputs: what the state database knows, for people and their tools.

The dashboard (`dashboard`: one self-contained HTML page through Jinja2 templates with
autoescaping, `page`, shared with the demo's report), the open-data tables (`tables`:
judgements, findings, changes as CSV or JSON) and the Atom feed of the alerts (`feed`).
Pure: a `store.Snapshot` in, text out; the commands in `cli` read and write the files.
"""

from watcher.outputs.dashboard import Dashboard, build, render_dashboard
from watcher.outputs.feed import atom_feed, digests
from watcher.outputs.page import Cell, alert_label, count_alerts, grade_css, render
from watcher.outputs.tables import Table, tables, to_csv, to_json

__all__ = [
    "Cell",
    "Dashboard",
    "Table",
    "alert_label",
    "atom_feed",
    "build",
    "count_alerts",
    "digests",
    "grade_css",
    "render",
    "render_dashboard",
    "tables",
    "to_csv",
    "to_json",
]
