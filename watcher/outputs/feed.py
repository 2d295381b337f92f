"""The Atom 1.0 feed of the alerts: one entry per organisation digest. Pure.

A digest is what one run found about one organisation, as Slack gets it. Its entry's id
is a UUID derived from the ids of the changes in it (themselves hashes of page, kind,
unit, before and after), so writing the feed again gives the same ids and a feed reader
sees each digest once. Page health (pages unreachable) is the operator's, not news.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from watcher.catalogue import organisation_name
from watcher.models import ChangeKind
from watcher.outputs.page import alert_label, change_summary
from watcher.store import StoredChange

ATOM = "http://www.w3.org/2005/Atom"
FEED_ID = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/hmicfrs-watcher"))
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HEALTH = (ChangeKind.PAGE_UNREACHABLE, ChangeKind.PAGE_REACHABLE)


@dataclass(frozen=True)
class Digest:
    """One organisation's alertable changes from one run."""

    run_id: int
    organisation: str
    changes: tuple[StoredChange, ...]

    @property
    def id(self) -> str:
        ids = ",".join(sorted(c.id for c in self.changes))
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_OID, "watcher-digest:" + ids))

    @property
    def updated(self) -> str:
        return max(rfc3339(c.detected_at) for c in self.changes)


def digests(changes: Sequence[StoredChange], limit: int = 100) -> list[Digest]:
    """The newest `limit` digests, newest first."""
    grouped: dict[tuple[int, str], list[StoredChange]] = {}
    for stored in changes:
        if stored.change.alerts and stored.change.kind not in _HEALTH:
            grouped.setdefault((stored.run_id, stored.change.organisation), []).append(stored)
    found = [Digest(run, org, tuple(group)) for (run, org), group in grouped.items()]
    found.sort(key=lambda d: (d.updated, d.run_id, d.organisation), reverse=True)
    return found[:limit]


def atom_feed(
    changes: Sequence[StoredChange],
    *,
    generated: datetime,
    limit: int = 100,
    scope: Sequence[str] = (),
) -> str:
    """The feed document (UTF-8 XML text). `scope`: the organisations a feed for only some
    is about (their names end its title, and it has an id of its own); () for all."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    found = digests(changes, limit)
    title = "HMICFRS inspection changes (watcher)"
    feed_id = FEED_ID
    if scope:
        names = sorted({organisation_name(org) or org for org in scope})
        title += ": " + ", ".join(names)
        feed_id = "urn:uuid:" + str(uuid.uuid5(uuid.UUID(FEED_ID[9:]), ",".join(sorted(scope))))
    _text(feed, "title", title)
    _text(feed, "id", feed_id)
    _text(feed, "updated", found[0].updated if found else rfc3339(generated.isoformat()))
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", "watcher")
    _text(feed, "generator", "hmicfrs-watcher")
    for digest in found:
        feed.append(_entry(digest))
    ET.indent(feed)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _entry(digest: Digest) -> ET.Element:
    entry = ET.Element(f"{{{ATOM}}}entry")
    name = organisation_name(digest.organisation) or digest.organisation
    count = len(digest.changes)
    _text(entry, "title", f"{name}: {count} change{'s' if count != 1 else ''}")
    _text(entry, "id", digest.id)
    _text(entry, "updated", digest.updated)
    for n, url in enumerate(dict.fromkeys(c.change.url for c in digest.changes)):
        # Atom allows one alternate link; the digest's other pages are related.
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="related" if n else "alternate", href=url)
    lines = [f"{alert_label(c.change)} — {change_summary(c.change)}" for c in digest.changes]
    _text(entry, "summary", "\n".join(lines))
    _text(entry, "content", "\n".join(lines)).set("type", "text")
    ET.SubElement(entry, f"{{{ATOM}}}category", term=digest.organisation, label=name)
    return entry


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _XML_INVALID.sub("\ufffd", text)  # a control character is not XML
    return element


def rfc3339(stamp: str) -> str:
    """A stored timestamp as Atom wants it: with its offset (UTC when it has none)."""
    moment = datetime.fromisoformat(stamp)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
