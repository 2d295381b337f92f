"""What a new reading of a page is compared with: the stored reading, or the stored body
behind it read again by this version's parser.

A stored reading is what the watcher's version of the day made of the page. When the
parser has changed since (an area's slug, a summary layout it can now read, a finding
it now splits in two), comparing that reading with today's would report the parser's
change as the inspectorate's: grades "missing" from the page, "first" grades, findings
"reworded". So when the comparison would say anything at all, the body the stored
reading came from is read again, and if that reading is sound it is the one compared
with: like with like. With the same parser the second reading is the first one over,
and the changes are the same; a page with nothing to say costs no second reading.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from watcher.models import Assessment
from watcher.store import Store

log = logging.getLogger(__name__)


@dataclass
class Rereader:
    """One page's stored bodies read again, each at most once in a run."""

    url: str
    store: Store
    multi: bool
    _readings: dict[int, list[Assessment] | None] = field(default_factory=dict)

    def basis(self, reading_id: int, subject: str, stored: Assessment) -> Assessment:
        """The reading to compare with: the stored body read again if an earlier
        version made the stored reading and the new reading is sound, else the stored
        reading."""
        from watcher.parse import parser_fingerprint

        if self.store.reading_parser(reading_id) == parser_fingerprint():
            return stored  # this version's own reading: reading it again changes nothing
        if reading_id not in self._readings:
            self._readings[reading_id] = self._read_again(reading_id)
        again = next(
            (
                a
                for a in self._readings[reading_id] or ()
                if (a.organisation if self.multi else "") == subject
            ),
            None,
        )
        if again is None or again.kind != stored.kind or (stored.is_graded and not again.is_graded):
            return stored
        if again.content_hash() != stored.content_hash():
            log.info(
                "%s: compared with its stored page read again by this version (reading %d"
                " was made by an earlier one and reads differently now)",
                self.url,
                reading_id,
            )
        return again

    def _read_again(self, reading_id: int) -> list[Assessment] | None:
        from watcher.parse import TRUNCATED, parse_all

        body = self.store.reading_body(reading_id)
        if body is None:
            return None
        readings = parse_all(body, self.url)
        if any(a.unreadable or TRUNCATED in a.anomalies for a in readings):
            return None  # the old page is not sound by today's rules: keep what was stored
        return readings
