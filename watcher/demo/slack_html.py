"""Slack messages as HTML, looking as Slack shows them: for the demo's report.

Pure. Slack mrkdwn (bold, strike, italic, code, links, emoji codes, quoted lines) and
the Block Kit blocks the watcher sends (header, section with fields, context, divider)
become escaped HTML; anything a page wrote stays text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from rich.emoji import Emoji

from watcher.notify import MRKDWN_INLINE, Message

_TAGS = {"bold": "strong", "strike": "del", "italic": "em", "code": "code"}


def mrkdwn_html(source: str) -> str:
    """Slack mrkdwn as HTML: styles, links, emoji, and quoted lines as one blockquote."""
    out: list[str] = []
    quote: list[str] = []
    for line in source.split("\n"):
        if line.startswith(">"):
            quote.append(_inline(line[1:].lstrip(" ")))
            continue
        if quote:
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote = []
        out.append(_inline(line) + "<br>")
    if quote:
        out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
    return "".join(out).removesuffix("<br>")


def _inline(line: str) -> str:
    parts, position = [], 0
    for match in MRKDWN_INLINE.finditer(line):
        parts.append(_text(line[position : match.start()]))
        parts.append(_styled(match))
        position = match.end()
    parts.append(_text(line[position:]))
    return "".join(parts)


def _styled(match: re.Match[str]) -> str:
    if match["target"]:
        target = _unescape(match["target"])
        label = _text(match["label"]) if match["label"] else html.escape(target)
        return f'<a href="{html.escape(target)}">{label}</a>'
    if match["emoji"]:
        return html.escape(Emoji.replace(match["emoji"]))
    group = next(g for g in _TAGS if match[g])
    return f"<{_TAGS[group]}>{_text(match[group])}</{_TAGS[group]}>"


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(text: str) -> str:
    return html.escape(Emoji.replace(_unescape(text)), quote=False)


def message_html(message: Message) -> str:
    """One Slack message as a card: header, sections (with fields), context lines."""
    parts = []
    for block in message.blocks or ({"type": "section", "text": {"text": message.text}},):
        kind = block.get("type")
        if kind == "header":
            parts.append(f"<h4>{_text(block['text']['text'])}</h4>")
        elif kind == "section":
            parts.append(_section_html(block))
        elif kind == "context":
            texts = [e.get("text", "") for e in block.get("elements", [])]
            parts.append(f'<p class="context">{" · ".join(map(mrkdwn_html, texts))}</p>')
        elif kind == "divider":
            parts.append("<hr>")
    return '<div class="message">' + "".join(parts) + "</div>"


def _section_html(block: Mapping[str, object]) -> str:
    text = block.get("text")
    body = mrkdwn_html(text.get("text", "")) if isinstance(text, dict) else ""
    fields = block.get("fields")
    cells = [mrkdwn_html(f.get("text", "")) for f in fields] if isinstance(fields, list) else []
    grid = "".join(f"<div>{cell}</div>" for cell in cells)
    return f'<div class="section">{body}{f"<div class=fields>{grid}</div>" if grid else ""}</div>'
