"""What a backfill found, per page family: the parser's score on real markup. Pure.

`BackfillReport.to_dict()` is the `--report FILE` JSON: per family, how many captures
were read fully, read with anomalies, or unreadable, and the address of every
unreadable one (with the reason), so a maintainer can turn them into fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from watcher.archive.read import ANOMALIES, FULL, UNREADABLE


@dataclass(frozen=True)
class Unreadable:
    """A capture the parser could not read reliably."""

    capture_url: str
    page_url: str
    reason: str


@dataclass
class FamilyCount:
    """One page family's captures by outcome."""

    full: int = 0
    anomalies: int = 0
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.full + self.anomalies + len(self.unreadable)


@dataclass
class BackfillReport:
    """A backfill's figures: per family, plus what it could not fetch or look up this time."""

    dry_run: bool = False
    families: dict[str, FamilyCount] = field(default_factory=dict)
    stored: int = 0  # readings written to the history in this run
    new_captures: int = 0  # captures downloaded and read in this run
    # Pages whose capture list, and captures whose download, failed this time:
    # (address, reason). Nothing is recorded for them; the next backfill tries again.
    lookup_failures: list[tuple[str, str]] = field(default_factory=list)
    download_failures: list[tuple[str, str]] = field(default_factory=list)

    def count(self, family: str, outcome: str, unreadable: Unreadable | None = None) -> None:
        tally = self.families.setdefault(family, FamilyCount())
        if outcome == FULL:
            tally.full += 1
        elif outcome == ANOMALIES:
            tally.anomalies += 1
        elif outcome == UNREADABLE and unreadable is not None:
            tally.unreadable.append(unreadable)

    @property
    def exit_code(self) -> int:
        """1 when something could not be fetched this time (run again later), else 0."""
        return 1 if self.lookup_failures or self.download_failures else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "families": {
                name: {
                    FULL: tally.full,
                    ANOMALIES: tally.anomalies,
                    UNREADABLE: len(tally.unreadable),
                    "unreadable_captures": [
                        {"capture": u.capture_url, "page": u.page_url, "reason": u.reason}
                        for u in tally.unreadable
                    ],
                }
                for name, tally in sorted(self.families.items())
            },
            "readings_stored": self.stored,
            "captures_read": self.new_captures,
            "lookup_failures": [{"address": a, "reason": r} for a, r in self.lookup_failures],
            "download_failures": [{"capture": a, "reason": r} for a, r in self.download_failures],
        }
