"""HTML to an ordered list of text blocks, with the site's chrome dropped.

The recognisers read these blocks and their text, never the markup: the site's classes
and ids are unknown and change between redesigns. A block is a heading (with its
level), a paragraph, a list item (with its depth) or a table row (with its cells).
What a page may cost to read is in `bounds`; what counts as chrome, in `chrome`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from selectolax.lexbor import LexborHTMLParser

from watcher.parse.bounds import MAX_BLOCKS, MAX_ELEMENTS, MAX_TEXT, bounded
from watcher.parse.chrome import (
    MAX_CHROME_BLOCKS,
    MAX_CHROME_LINE,
    is_chrome_block,
    is_chrome_container,
)
from watcher.parse.decoding import decode_page
from watcher.parse.graphics import GRAPHIC_TAGS, dedupe, graphic_lines, prepare_graphics
from watcher.parse.tables import is_column_table, is_layout_cell
from watcher.parse.tags import CELLS, HEADINGS, INLINE_TAGS, LISTS, ROW_GROUPS, children, has_blocks
from watcher.parse.text import LINE_BREAK, clean

Node = Any  # selectolax ships no type information


class BlockKind(StrEnum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    ITEM = "item"
    ROW = "row"
    GRAPHIC = "graphic"  # text a graphic carries: svg text/title/aria-label, img alt


# Level given to a paragraph that is wholly bold: a heading of unknown rank.
EMPHASIS_LEVEL = 7


class Block(NamedTuple):
    """One unit of page text: `level` is the heading level or the list depth.

    A row's `cells` are each on one line; where a cell holds line breaks (`<br>`),
    `cell_lines` has every cell's lines, in the same order (else it is empty).
    """

    kind: BlockKind
    text: str
    level: int = 0
    cells: tuple[str, ...] = ()
    cell_lines: tuple[tuple[str, ...], ...] = ()


# Removed with their content before the walk: scripts, menus, forms.
_DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "form",
    "button",
    "select",
    "iframe",
    "textarea",
)
# Site header, footer and sidebars: dropped, except inside the content (an article's
# own header holds the h1; an aside there is a callout, an area for improvement in a box).
_SITE_TAGS = frozenset(("header", "footer", "aside"))
_CONTENT_TAGS = frozenset(("main", "article"))
_BOLD_TAGS = frozenset(("strong", "b"))
# Deeper than this, a subtree is read as plain text (guards the recursion limit).
_MAX_DEPTH = 200


def html_blocks(body: bytes) -> list[Block]:
    """The page's content blocks in reading order, chrome removed."""
    return page_blocks(body).blocks


TRUNCATED = "page too large/complex: truncated"


class PageBlocks(NamedTuple):
    """A page's blocks, and whether the page was read only in part (it was too large)."""

    blocks: list[Block]
    truncated: bool


def page_blocks(body: bytes) -> PageBlocks:
    """The page's content blocks in reading order, chrome removed, within the bounds."""
    body, truncated = bounded(body)
    tree = LexborHTMLParser(decode_page(body))
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return PageBlocks([], truncated)
    _keep_toggle_labels(tree)
    tree.strip_tags(list(_DROPPED_TAGS))
    prepare_graphics(tree)
    for line_break in tree.css("br"):
        line_break.replace_with(LINE_BREAK)
    walker = _Walker(image_holders=_image_holders(tree))
    walker.container(root, in_content=False, depth=0)
    content = [b for b, chrome in zip(walker.blocks, walker.chrome, strict=True) if not chrome]
    return PageBlocks(_bullets_to_items(content), truncated or walker.truncated)


def _image_holders(tree: Node) -> set[int]:
    """Every element that has an <img> inside, by `mem_id` (the lexbor node's address):
    one pass over the page's images, where asking each item and heading for an <img>
    (a CSS query, ~2 µs) cost more than reading its text."""
    holders: set[int] = set()
    for image in tree.css("img"):
        node = image.parent
        while node is not None and node.mem_id not in holders:
            holders.add(node.mem_id)
            node = node.parent
    return holders


# A button that opens or labels a panel (an accordion's service name, a disclosure
# toggle) names the content under it: its text is kept. Other buttons (Print, Search,
# Accept cookies) are controls and are dropped with the other form elements.
_TOGGLE_ATTRIBUTES = ("aria-controls", "aria-expanded", "data-toggle", "data-bs-toggle")
_TOGGLE_CLASS = re.compile(r"accordion|toggle|collapse|disclosure|expand", re.IGNORECASE)


def _keep_toggle_labels(tree: Node) -> None:
    """Unwrap the buttons that label content, so their text stays and their tag goes."""
    for button in tree.css("button"):
        attributes = button.attributes
        toggles = any(attributes.get(name) is not None for name in _TOGGLE_ATTRIBUTES)
        parent = button.parent
        in_heading = parent is not None and parent.tag in HEADINGS
        if toggles or in_heading or _TOGGLE_CLASS.search(attributes.get("class") or ""):
            button.unwrap()


@dataclass
class _Walker:
    """Turns the DOM into blocks, marking chrome; a small container opened by chrome
    (a banner's heading, a cookie notice, a breadcrumb's "Home") is chrome throughout."""

    # The elements with an <img> inside, by `mem_id`: their text takes in its alt.
    image_holders: set[int] = field(default_factory=set)
    blocks: list[Block] = field(default_factory=list)
    chrome: list[bool] = field(default_factory=list)
    walked: int = 0  # elements and blocks walked, against MAX_ELEMENTS
    stopped: bool = False  # the walk reached a bound and ended there
    truncated: bool = False  # something was left out: the walk stopped, or text was cut

    def container(self, node: Node, in_content: bool, depth: int) -> None:
        start = len(self.blocks)
        run: list[str] = []
        child = node.child
        while child is not None and not self.stopped:
            tag = child.tag
            if tag == "-text":
                text = child.text_content or ""
                if run or not text.isspace():  # not the layout's line breaks between blocks
                    run.append(text)
            elif tag in GRAPHIC_TAGS:
                if run:
                    self._paragraphs(run)
                    run = []
                self.graphic(graphic_lines(child))
            elif tag in INLINE_TAGS:
                _gather(child, run, skip_lists=False, depth=depth)
            else:
                if run:
                    self._paragraphs(run)
                    run = []
                if tag == "p" and depth < _MAX_DEPTH:  # the commonest block: `element`'s work
                    self.walked += 1
                    if self.walked > MAX_ELEMENTS:
                        self._stop()
                    else:
                        self._paragraph_element(child)
                else:
                    self.element(child, tag, in_content, depth + 1)
            child = child.next
        self._paragraphs(run)
        self._drop_if_chrome(start)

    def element(self, node: Node, tag: str, in_content: bool, depth: int) -> None:
        self.walked += 1
        if self.walked > MAX_ELEMENTS:
            self._stop()
        if self.stopped or not tag or tag[0] == "-" or (tag in _SITE_TAGS and not in_content):
            return  # past a bound; comments, doctype; the site's own header and footer
        if depth > _MAX_DEPTH:
            self._paragraphs([node.text(deep=True)])
        elif tag in HEADINGS:
            self._add(Block(BlockKind.HEADING, self._one_line(node), HEADINGS[tag]))
        elif tag == "p":
            self._paragraph_element(node)
        elif tag in LISTS:
            self.bullets(node, 1, depth)
        elif tag == "table":
            self.table(node, in_content, depth)
        elif tag in GRAPHIC_TAGS:
            self.graphic(graphic_lines(node))
        elif tag == "figcaption":
            self.graphic(_caption_lines(node))
        else:
            self.container(node, in_content or tag in _CONTENT_TAGS, depth)

    def _paragraph_element(self, node: Node) -> None:
        # The HTML parser closes a <p> at any block element, so its text is all inline.
        text: str = node.text(deep=True)
        first = node.child
        # Text first, and not blank where it starts: not a bold line (the common case).
        plain = text[:1].strip() and first is not None and first.tag == "-text"
        if not plain and _is_wholly_bold(node):
            self._add(Block(BlockKind.HEADING, self._one_line(node), EMPHASIS_LEVEL))
            return
        if LINE_BREAK not in text:
            self._add_paragraph(clean(text))
            return
        start = len(self.blocks)
        self._paragraphs([text])
        self._drop_if_chrome(start)

    def bullets(self, node: Node, list_depth: int, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self._paragraphs([node.text(deep=True)])
            return
        start = len(self.blocks)
        for item in children(node, "li"):
            if self.stopped:
                break
            self._add(Block(BlockKind.ITEM, self._own_text(item), list_depth))
            for nested in children(item, *LISTS):
                self.bullets(nested, list_depth + 1, depth + 1)
        self._drop_if_chrome(start)

    def table(self, node: Node, in_content: bool, depth: int) -> None:
        rows = list(children(node, "tr"))
        for group in children(node, *ROW_GROUPS):
            rows.extend(children(group, "tr"))
        if len(rows) > MAX_BLOCKS:
            del rows[MAX_BLOCKS:]
            self.truncated = True
        for caption in children(node, "caption"):
            self._paragraphs([self._one_line(caption)])
        cells_by_row = [children(row, *CELLS) for row in rows]
        if is_column_table(cells_by_row):
            # Read down each column: its header, then what the cells under it list.
            columns = [list(column) for column in zip(*cells_by_row, strict=True)]
            self._cells(columns, in_content, depth)
        elif any(is_layout_cell(cell) for nodes in cells_by_row for cell in nodes):
            self._cells(cells_by_row, in_content, depth)  # a table laying out the page
        else:
            self._rows(cells_by_row)

    def _cells(self, groups: list[list[Node]], in_content: bool, depth: int) -> None:
        """Cells read as containers, group after group (rows, or columns)."""
        for nodes in groups:
            for cell in nodes:
                self.container(cell, in_content, depth + 1)

    def _rows(self, cells_by_row: list[list[Node]]) -> None:
        for row_cells in cells_by_row:
            if self.stopped:
                break
            cells = tuple(self._one_line(cell) for cell in row_cells)
            text = " ".join(cell for cell in cells if cell)
            lines = _cell_lines(row_cells)
            self._add(Block(BlockKind.ROW, text, 0, cells, lines))

    def graphic(self, lines: list[str]) -> None:
        """A graphic's text, a line a block, kept apart from the page's own text."""
        start = len(self.blocks)
        for line in lines:
            self._add(Block(BlockKind.GRAPHIC, clean(line)))
        self._drop_if_chrome(start)

    def _paragraphs(self, run: list[str]) -> None:
        text = "".join(run)
        if text and not text.isspace():
            for line in text.split(LINE_BREAK):
                self._add(Block(BlockKind.PARAGRAPH, clean(line)))

    def _add(self, block: Block) -> None:
        if len(block.text) > MAX_TEXT:
            self.truncated = True
            block = block._replace(text=block.text[:MAX_TEXT])
        if len(self.blocks) >= MAX_BLOCKS:
            self._stop()
        elif block.text:
            self.blocks.append(block)
            self.chrome.append(is_chrome_block(block.text))

    def _add_paragraph(self, text: str) -> None:
        """`_add` of a paragraph, cut short for the commonest block."""
        if len(text) > MAX_TEXT or len(self.blocks) >= MAX_BLOCKS:
            self._add(Block(BlockKind.PARAGRAPH, text))
        elif text:
            self.blocks.append(Block(BlockKind.PARAGRAPH, text))
            self.chrome.append(len(text) <= MAX_CHROME_LINE and is_chrome_block(text))

    def _one_line(self, node: Node) -> str:
        """A heading's or cell's text on one line, a graphic's text (a badge's alt) included."""
        if not has_blocks(node) and node.mem_id not in self.image_holders:
            return clean(node.text(deep=True).replace(LINE_BREAK, " "))
        parts: list[str] = []
        _gather(node, parts, skip_lists=False, depth=0)
        return clean("".join(parts).replace(LINE_BREAK, " "))

    def _own_text(self, item: Node) -> str:
        """A list item's text without its nested lists, a graphic's text included."""
        if not has_blocks(item) and item.mem_id not in self.image_holders:
            return clean(item.text(deep=True).replace(LINE_BREAK, " "))
        parts: list[str] = []
        child = item.child
        while child is not None:
            _gather(child, parts, skip_lists=True, depth=0)
            child = child.next
        return clean("".join(parts).replace(LINE_BREAK, " "))

    def _stop(self) -> None:
        """A bound is reached: the walk ends here and the page counts as truncated."""
        self.stopped = self.truncated = True

    def _drop_if_chrome(self, start: int) -> None:
        # Marked, not deleted: an enclosing container still sees its chrome opener.
        if len(self.blocks) - start > MAX_CHROME_BLOCKS:
            return  # too big to be chrome: no need to copy its blocks to look
        if is_chrome_container([block.text for block in self.blocks[start:]]):
            self.chrome[start:] = [True] * (len(self.blocks) - start)


def _gather(node: Node, parts: list[str], skip_lists: bool, depth: int) -> None:
    """Append a subtree's text to `parts`, with a line break at each block's edges."""
    tag = node.tag
    if tag == "-text":
        parts.append(node.text_content or "")
        return
    if not tag or tag[0] == "-" or (skip_lists and tag in LISTS):
        return
    if depth > _MAX_DEPTH:
        parts.append(node.text(deep=True))
        return
    if tag in GRAPHIC_TAGS:  # a graphic inside a link or a span: its text, a line each
        parts.extend(f"{LINE_BREAK}{line}{LINE_BREAK}" for line in graphic_lines(node))
        return
    is_block = tag not in INLINE_TAGS
    if is_block:
        parts.append(LINE_BREAK)
    child = node.child
    while child is not None:
        _gather(child, parts, skip_lists, depth + 1)
        child = child.next
    if is_block:
        parts.append(LINE_BREAK)


def _caption_lines(node: Node) -> list[str]:
    """A figure's caption, read as its graphic's text: a line per block it holds."""
    if node.attributes.get("aria-hidden") == "true":
        return []
    parts: list[str] = []
    _gather(node, parts, skip_lists=False, depth=0)
    return dedupe("".join(parts).split(LINE_BREAK))


def _cell_lines(cells: list[Node]) -> tuple[tuple[str, ...], ...]:
    """Each cell's lines, where some cell breaks its text into lines; else ()."""
    texts = [cell.text(deep=True) for cell in cells]
    if not any(LINE_BREAK in text for text in texts):
        return ()
    return tuple(
        tuple(line for part in text.split(LINE_BREAK) if (line := clean(part))) for text in texts
    )


def _is_wholly_bold(node: Node) -> bool:
    """A paragraph whose only content is one strong/b element: a heading in disguise."""
    bold = None
    child = node.child
    while child is not None:
        if child.tag == "-text":
            if (child.text_content or "").strip():
                return False
        elif child.tag in _BOLD_TAGS and bold is None:
            bold = child
        else:
            return False
        child = child.next
    return bold is not None and bool(bold.text(deep=True).strip())


# A paragraph that starts with a bullet is a list item: "•" level 1, "–" level 2.
_BULLET_MARKS = "•·▪◦‣∙○●■□–—-"
_BULLET = re.compile(rf"([{re.escape(_BULLET_MARKS)}])\s+(.+)")


def _bullets_to_items(blocks: list[Block]) -> list[Block]:
    """Paragraphs written as bullets become list items; a second bullet mark nests."""
    out: list[Block] = []
    first_mark = ""
    for block in blocks:
        # The mark first: most paragraphs are not bullets, and need no match to say so.
        text = block.text
        bulleted = text[:1] in _BULLET_MARKS and block.kind is BlockKind.PARAGRAPH
        match = _BULLET.fullmatch(text) if bulleted else None
        if match is None:
            first_mark = ""
            out.append(block)
            continue
        mark, text = match.groups()
        first_mark = first_mark or mark
        out.append(Block(BlockKind.ITEM, text, 1 if mark == first_mark else 2))
    return out
