"""What a discovery alert says: a new publication, the run's national ones, a re-index note.

Pure, in `render`'s style: every piece of page text escaped, our own links only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from watcher.catalogue import organisation_name
from watcher.models import Publication
from watcher.notify.message import (
    SECTION_TEXT_MAX,
    Message,
    clip,
    context_block,
    header_block,
    pack,
    section_block,
)
from watcher.notify.render import _link, escape_mrkdwn, format_date

NATIONAL_MAX_LINES = 25
_TITLE_MAX = 250


def _names(organisations: Sequence[str]) -> str:
    names = [organisation_name(o) for o in organisations]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _facts(publication: Publication) -> str:
    parts = [escape_mrkdwn(publication.kind)]
    if publication.published:
        parts.append(f"published {format_date(publication.published)}")
    parts.append(_link(publication.url, "Read it on the inspectorate's site"))
    return " · ".join(parts)


def render_publication(publication: Publication, seen_on: date) -> Message:
    """ "New publication about Kent Police: <title>", with its kind, date and link."""
    who = _names(publication.organisations)
    title = clip(publication.title, _TITLE_MAX)
    headline = f"New publication about {who}: {title}"
    link = _link(publication.url, escape_mrkdwn(title))
    text = f"*New publication about {escape_mrkdwn(who)}*\n{link}"
    blocks = (
        header_block(clip(f"New publication about {who}", 150)),
        section_block(text),
        section_block(_facts(publication)),
        context_block(
            f"Seen {format_date(seen_on)} · the watcher now checks this page too; its grades "
            "and causes of concern are alerted when they change"
        ),
    )
    return Message(text=escape_mrkdwn(headline), blocks=blocks)


def render_national(publications: Sequence[Publication], seen_on: date) -> Message:
    """The run's national publications (naming no force or service), in one message."""
    count = len(publications)
    lines = [
        f"• {_link(p.url, escape_mrkdwn(clip(p.title, _TITLE_MAX)))} · {_facts(p)}"
        for p in publications[:NATIONAL_MAX_LINES]
    ]
    if count > NATIONAL_MAX_LINES:
        lines.append(f"… and {count - NATIONAL_MAX_LINES} more")
    noun = "publication" if count == 1 else "publications"
    blocks = [header_block(f"National publications: {count} new")]
    blocks += [section_block(text) for text in pack(lines, SECTION_TEXT_MAX)]
    blocks.append(context_block(f"Seen {format_date(seen_on)} · about no one force or service"))
    first = clip(publications[0].title, _TITLE_MAX) if publications else ""
    fallback = escape_mrkdwn(f"National publications: {count} new {noun} ({first})")
    return Message(text=fallback, blocks=tuple(blocks))


def render_reindex(source: str, count: int, seen_on: date) -> Message:
    """The operator's one note when a listing shows many items never seen before."""
    text = (
        f"{escape_mrkdwn(source)} listed {count} items never seen before in one run: "
        "taken for a re-index or a redesign of the site, stored as the new baseline, "
        "and not alerted one by one"
    )
    blocks = (
        header_block("Watcher: a listing page changed wholesale"),
        section_block(text),
        context_block(f"Seen {format_date(seen_on)} · check the listing by hand if in doubt"),
    )
    fallback = escape_mrkdwn(f"Watcher: {source} listed {count} new items at once (re-index?)")
    return Message(text=fallback, blocks=blocks)
