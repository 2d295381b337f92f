"""What a finished run says about the watcher's own health, beyond page failures.

A run that checked no page, or found every page absent where some had been read
before (a wrong `base_url`, a site moved), has watched nothing: it must not look
like a quiet day. Pure: takes the run's report and what was known before it.
"""

from __future__ import annotations

from collections.abc import Mapping

from watcher.check import PageOutcome, RunReport
from watcher.store import PageState


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 page", "2 pages": a count with its noun agreeing."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def published_before(states: Mapping[str, PageState]) -> int:
    """How many pages some earlier run read with content, at whatever address.

    Any address: a wrong `base_url` changes every page's address, so none of this
    run's pages has a history, yet the database shows the site was read before.
    """
    return sum(1 for state in states.values() if state.ever_ok)


def _not_found(outcome: PageOutcome) -> bool:
    """Absent (never published), or gone (404/410 where there was content: failed)."""
    if outcome.status == "absent":
        return True
    reason = outcome.reason or ""
    return outcome.status == "failed" and reason.startswith(("HTTP 404", "HTTP 410"))


def run_warnings(report: RunReport, published: int) -> list[str]:
    """Why this run, though it ran, watched nothing; [] when it did its job."""
    if report.stopped:
        return []  # asked to stop: fewer pages is expected, and says so elsewhere
    if not report.outcomes:
        return ["no page was checked: [watch] names no force, service or page to watch"]
    if published and all(_not_found(o) for o in report.outcomes):
        return [
            f"every page answered 'not found', though {plural(published, 'page')} had content "
            "in earlier runs: is [site] base_url right? (nothing was alerted as removed)"
        ]
    return []
