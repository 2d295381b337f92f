"""Slack messages as the terminal shows them: Block Kit and mrkdwn drawn with rich."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.emoji import Emoji
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text

from watcher.notify.message import MRKDWN_INLINE, Message


def print_message(console: Console, message: Message) -> None:
    """One message as a readable rendering of its blocks, closed by a rule."""
    if not message.blocks:
        console.print(_mrkdwn(message.text))
    for block in message.blocks:
        console.print(_terminal_block(block))
    console.print(Rule(style="dim"))


def _terminal_block(block: Mapping[str, Any]) -> RenderableType:
    kind = block.get("type")
    if kind == "header":
        return Text(Emoji.replace(block["text"]["text"]), style="bold underline")
    if kind == "section":
        text = _mrkdwn(block.get("text", {}).get("text", ""))
        fields = [_mrkdwn(field.get("text", "")) for field in block.get("fields", [])]
        return Group(text, _fields(fields)) if fields else text
    if kind == "context":
        text = Text(style="dim")
        for number, element in enumerate(block.get("elements", [])):
            if number:
                text.append(" · ")
            text.append_text(_mrkdwn(element.get("text", "")))
        return text
    if kind == "divider":
        return Rule(style="dim")
    return Text(f"[{kind} block]", style="dim")


def _fields(fields: list[Text]) -> Table:
    """A section's fields two to a row, as Slack lays them out."""
    grid = Table.grid(padding=(0, 4))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    for start in range(0, len(fields), 2):
        grid.add_row(*fields[start : start + 2])
    return grid


_STYLES = {"bold": "bold", "strike": "strike red", "italic": "italic", "code": "reverse"}


def _mrkdwn(source: str) -> Text:
    """Slack mrkdwn as rich Text: styles applied, links as "label (url)", quotes barred."""
    text = Text()
    for number, line in enumerate(source.split("\n")):
        if number:
            text.append("\n")
        if line.startswith(">"):
            text.append("│ ", style="dim")
            line = line[1:].lstrip(" ")
        position = 0
        for match in MRKDWN_INLINE.finditer(line):
            text.append(_plain(line[position : match.start()]))
            _append_inline(text, match)
            position = match.end()
        text.append(_plain(line[position:]))
    return text


def _append_inline(text: Text, match: re.Match[str]) -> None:
    if match["target"]:
        target, label = _plain(match["target"]), match["label"]
        if target.startswith(("!", "@", "#")):
            text.append("@" + target.lstrip("!@#"), style="bold")
        elif label:  # the URL shown too: not every terminal makes a link clickable
            text.append(f"{_plain(label)} ({target})", style=Style(underline=True, link=target))
        else:
            text.append(target, style=Style(underline=True, link=target))
        return
    if match["emoji"]:
        text.append(Emoji.replace(match["emoji"]))
        return
    for group, style in _STYLES.items():
        if match[group]:
            text.append(_plain(match[group]), style=style)


def _plain(source: str) -> str:
    return Emoji.replace(source.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
