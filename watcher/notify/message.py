"""A Slack message and its Block Kit layout: sections paged within Slack's limits.

Pure. What an alert says is `render`'s business; here mrkdwn sections are laid out
over messages (blocks per message, characters per section and per message), and a
message Slack refused as too long is cut in two. Nothing is ever dropped.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

# Slack's hard limits for Block Kit messages.
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
MAX_BLOCKS = 50
# Our own cap on the text of one message. Slack's total limit is undocumented and far
# higher; a digest past this is easier to read, and safer to send, as several messages.
MESSAGE_TEXT_BUDGET = 10_000
# Room kept free in every section for a "(continued)" group heading added on a split.
_HEADING_ROOM = 200
_ENTRY_MAX = SECTION_TEXT_MAX - _HEADING_ROOM

# The inline markup of Slack mrkdwn our messages use: links, emoji, bold, strike,
# italic, code. For drawing a message elsewhere (terminal, HTML).
MRKDWN_INLINE = re.compile(
    r"<(?P<target>[^<>|]+)(?:\|(?P<label>[^<>]*))?>"
    r"|(?P<emoji>:[a-z0-9_+\-]+:)"
    r"|\*(?P<bold>[^*\n]+)\*"
    r"|~(?P<strike>[^~\n]+)~"
    r"|_(?P<italic>[^_\n]+)_"
    r"|`(?P<code>[^`\n]+)`"
)


@dataclass(frozen=True)
class Message:
    """One Slack message: the notification/fallback text and its Block Kit blocks."""

    text: str
    blocks: tuple[dict[str, Any], ...] = ()
    # Slack message metadata (bot token only): which outbox rows this message carries,
    # so a run after a crash can read Slack back instead of posting twice. Not stored.
    metadata: dict[str, Any] | None = field(default=None, compare=False)
    # A reply in the thread of this message ts (a `thread = true` route), and whether
    # the reply is also shown in the channel. Set at delivery, never stored.
    thread_ts: str | None = field(default=None, compare=False)
    reply_broadcast: bool = field(default=False, compare=False)
    # The destination threads by report: a message that opens its report's thread but
    # goes out in parts sends the later parts as replies in that thread.
    in_thread: bool = field(default=False, compare=False)

    def continued_under(self, ts: str | None) -> Message:
        """A later part of this message, after its first part was posted as `ts`."""
        if self.in_thread and self.thread_ts is None and ts:
            return replace(self, thread_ts=ts, reply_broadcast=False)
        return self

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in the outbox."""
        return {"text": self.text, "blocks": copy.deepcopy(list(self.blocks))}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(text=data["text"], blocks=tuple(copy.deepcopy(data.get("blocks", []))))


@dataclass(frozen=True)
class Group:
    """A run of sections shown together, closed by one context line."""

    heading: str  # mrkdwn line opening the group, "" for none
    sections: tuple[str, ...]  # mrkdwn, each short enough to take the heading
    context: str  # mrkdwn


def number_parts(title: str, summary: str, pages: list[list[dict[str, Any]]]) -> list[Message]:
    """Pages of blocks as messages under one header, numbered "(1/3)" when there are several."""
    total = len(pages)
    messages = []
    for number, blocks in enumerate(pages, start=1):
        suffix = f" ({number}/{total})" if total > 1 else ""
        header = header_block(clip(title, HEADER_MAX - len(suffix)) + suffix)
        messages.append(Message(text=summary + suffix, blocks=(header, *blocks)))
    return messages


# ---------------------------------------------------------------- pagination


def split_entry(entry: str, limit: int = _ENTRY_MAX) -> list[str]:
    """An entry too long for one section, cut at line or word ends into quoted pieces."""
    limit = max(limit, 8)  # room for a quote mark and a word, so every cut makes progress
    pieces = []
    while len(entry) > limit:
        cut = entry.rfind("\n", 0, limit)
        if cut > limit // 2:  # a line end, unless it would leave a title on its own
            head, rest = entry[:cut], entry[cut + 1 :]
        else:
            cut = _word_cut(entry, limit)
            head, rest = entry[:cut], entry[cut:].lstrip(" ")
            line = head[head.rfind("\n") + 1 :]
            if line.startswith(">"):
                rest = "> " + rest  # the quote goes on in the next section
        pieces.append(head)
        entry = rest
    return [*pieces, entry]


def _word_cut(text: str, limit: int) -> int:
    cut = text.rfind(" ", 0, limit)
    line_start = text.rfind("\n", 0, max(cut, 0)) + 1
    if cut > line_start + 1:  # a space between words, not the one in a "> " quote mark
        return cut
    # One enormous word: cut anywhere, but never inside an `&amp;`-style escape.
    amp = text.rfind("&", max(0, limit - 5), limit)
    return amp if amp > 0 and ";" not in text[amp:limit] else limit


def pack(entries: Sequence[str], limit: int = _ENTRY_MAX) -> list[str]:
    """Entries joined into as few section texts as fit, in order, never split."""
    sections: list[str] = []
    previous = ""
    for entry in entries:
        # One-line entries (grades) stack; a quoted finding gets a blank line around it.
        gap = "\n\n" if "\n" in entry or "\n" in previous else "\n"
        if sections and len(sections[-1]) + len(gap) + len(entry) <= limit:
            sections[-1] += gap + entry
        else:
            sections.append(entry)
        previous = entry
    return sections


class _Pager:
    """Lays groups out over messages within the block and size limits."""

    def __init__(self) -> None:
        self.pages: list[list[dict[str, Any]]] = []
        self.blocks: list[dict[str, Any]] = []
        self.size = 0

    def add(self, group: Group) -> None:
        heading: str | None = group.heading
        for body in group.sections:
            text = f"{heading}\n{body}" if heading else body
            if self._full(len(text) + len(group.context)):
                if heading is None:  # the group goes on over the page: close this part
                    self._append(context_block(group.context), len(group.context))
                    if group.heading:
                        text = f"{group.heading} (continued)\n{body}"
                self._turn_page()
            self._append(section_block(text), len(text))
            heading = None
        self._append(context_block(group.context), len(group.context))

    def finish(self) -> list[list[dict[str, Any]]]:
        if self.blocks:
            self._turn_page()
        return self.pages

    def _full(self, cost: int) -> bool:
        # Header, this section and the group's context must still fit.
        too_many = len(self.blocks) + 3 > MAX_BLOCKS
        return bool(self.blocks) and (too_many or self.size + cost > MESSAGE_TEXT_BUDGET)

    def _append(self, block: dict[str, Any], size: int) -> None:
        self.blocks.append(block)
        self.size += size

    def _turn_page(self) -> None:
        self.pages.append(self.blocks)
        self.blocks, self.size = [], 0


def paginate(groups: Sequence[Group]) -> list[list[dict[str, Any]]]:
    """Groups laid out in order over as few pages of blocks as the limits allow."""
    pager = _Pager()
    for group in groups:
        pager.add(group)
    return pager.finish()


# ---------------------------------------------------------------- splitting on refusal


def split_message(message: Message) -> tuple[Message, Message] | None:
    """A message Slack refused as too long, in two halves; None when it cannot be cut.

    The second half gets a "(continued)" copy of the header. Nothing is dropped.
    """
    head: tuple[dict[str, Any], ...] = ()
    body = message.blocks
    if body and body[0].get("type") == "header":
        head, body = body[:1], body[1:]
    if len(body) >= 2:
        middle = len(body) // 2
        first, second = body[:middle], body[middle:]
    elif len(body) == 1 and (halves := _halve_section(body[0])):
        first, second = (halves[0],), (halves[1],)
    elif not body and (text_halves := _halve_text(message.text)):
        return (
            replace(message, text=text_halves[0], blocks=()),
            replace(message, text=text_halves[1], blocks=()),
        )
    else:
        return None
    continued = tuple(header_block(_continued(b["text"]["text"], HEADER_MAX)) for b in head)
    return (
        replace(message, blocks=(*head, *first)),
        replace(message, text=_continued(message.text, 3000), blocks=(*continued, *second)),
    )


def _continued(text: str, limit: int) -> str:
    return clip(text, limit - len(" (continued)")) + " (continued)"


def _halve_section(block: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    text = block.get("text", {}).get("text", "") if block.get("type") == "section" else ""
    halves = _halve_text(text) if not block.get("fields") else None
    return (section_block(halves[0]), section_block(halves[1])) if halves else None


def _halve_text(text: str) -> tuple[str, str] | None:
    pieces = split_entry(text, (len(text) + 1) // 2)
    if len(pieces) < 2:
        return None
    return pieces[0], "\n".join(pieces[1:])


# ---------------------------------------------------------------- blocks


def header_block(text: str) -> dict[str, Any]:
    """A header block, clipped to Slack's limit."""
    # plain_text is never parsed for mentions or links, so it needs no escaping.
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(text, HEADER_MAX), "emoji": True},
    }


def section_block(text: str) -> dict[str, Any]:
    """A section block of mrkdwn."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context_block(text: str) -> dict[str, Any]:
    """A context block (the small grey line) of mrkdwn."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def clip(text: str, limit: int) -> str:
    """Text cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
