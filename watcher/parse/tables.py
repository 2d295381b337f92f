"""Which tables are not rows of data: a table laying out the page, or one whose groups
are its columns (a grade and the areas listed under it)."""

from __future__ import annotations

from watcher.parse.tags import HEADINGS, LISTS, Node, children, has_blocks
from watcher.parse.text import LINE_BREAK

_LAYOUT_CHILDREN = frozenset(("table", "ul", "ol", *HEADINGS))


def is_layout_cell(cell: Node) -> bool:
    """A cell holding headings, lists, tables or several paragraphs lays out the page."""
    paragraphs = 0
    child = cell.child
    while child is not None:
        if child.tag in _LAYOUT_CHILDREN:
            return True
        paragraphs += child.tag == "p"
        child = child.next
    return paragraphs > 1


# Body rows of a table read column by column: its groups are in its columns, so it has
# one row under its header, or a few.
_MAX_COLUMN_ROWS = 3


def is_column_table(cells_by_row: list[list[Node]]) -> bool:
    """A table whose first row names its columns and whose cells list several lines
    each (a list, paragraphs, line breaks) in two columns or more: each column is a
    group (a grade and its areas, say), so it is read column by column. Read row by
    row, every header would come before every list, and the lists would all seem to
    belong to the last header."""
    header, *body = cells_by_row
    width = len(header)
    if width < 2 or not 0 < len(body) <= _MAX_COLUMN_ROWS:
        return False  # a table of many rows (forces, services) is read row by row
    if any(has_blocks(c) or _lines_in(c) > 1 for c in header):
        return False  # a header names its column in a line (in th cells or td)
    if any(len(cells) != width for cells in body):
        return False  # spanned cells: columns cannot be followed
    columns_listing = set()
    for cells in body:
        for column, cell in enumerate(cells):
            if _holds_layout(cell):
                return False
            if _lines_in(cell) > 1:
                columns_listing.add(column)
    return len(columns_listing) >= 2


def _holds_layout(cell: Node) -> bool:
    child = cell.child
    while child is not None:
        if child.tag == "table" or child.tag in HEADINGS:
            return True
        child = child.next
    return False


def _lines_in(cell: Node) -> int:
    """About how many lines a cell holds: its list items, paragraphs and line breaks."""
    text: str = cell.text(deep=True)
    lines = 1 + text.count(LINE_BREAK)
    child = cell.child
    while child is not None:
        if child.tag in LISTS:
            lines += len(children(child, "li"))
        elif child.tag == "p":
            lines += 1
        child = child.next
    return lines
