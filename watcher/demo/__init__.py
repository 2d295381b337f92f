"""The demo: the whole job offline, replayed from a bundled archive of page versions.

`play` runs the real check once per replayed day and tells the story; `replay` serves
the archive (`archive/`) over local HTTP; `html_report` and `slack_html` draw its runs
as one self-contained HTML page. The `watcher demo` command itself is in `watcher.cli`.
"""

from watcher.demo.html_report import RunRecord, render_report
from watcher.demo.play import NAMES, TITLE, DemoNotifier, Replay, replay, summarise
from watcher.demo.replay import ReplaySite, load_archive

__all__ = [
    "NAMES",
    "TITLE",
    "DemoNotifier",
    "Replay",
    "ReplaySite",
    "RunRecord",
    "load_archive",
    "render_report",
    "replay",
    "summarise",
]
