"""The HTML tags the walk tells apart, and two questions asked of any element."""

from __future__ import annotations

from typing import Any

Node = Any  # selectolax ships no type information

HEADINGS = {f"h{n}": n for n in range(1, 7)}
INLINE_TAGS = frozenset(
    (
        "-text",
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "kbd",
        "label",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
        "del",
        "ins",
        "input",
    )
)
LISTS = frozenset(("ul", "ol"))
ROW_GROUPS = frozenset(("thead", "tbody", "tfoot"))
CELLS = frozenset(("td", "th"))


def children(node: Node, *tags: str) -> list[Node]:
    found = []
    child = node.child
    while child is not None:
        if child.tag in tags:
            found.append(child)
        child = child.next
    return found


def has_blocks(node: Node) -> bool:
    """Whether any child is a block element (a cell or item holding paragraphs or lists)."""
    child = node.child
    while child is not None:
        if child.tag not in INLINE_TAGS:
            return True
        child = child.next
    return False
