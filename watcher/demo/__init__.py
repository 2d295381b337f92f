"""The demo: the whole job offline, replayed from a bundled archive of page versions.

`command` is `watcher demo`; `replay` serves the archive (`archive/`) over local HTTP;
`html_report` and `slack_html` draw its runs as one self-contained HTML page.
"""

from watcher.demo.command import demo
from watcher.demo.html_report import RunRecord, render_report
from watcher.demo.replay import ReplaySite, load_archive

__all__ = ["ReplaySite", "RunRecord", "demo", "load_archive", "render_report"]
