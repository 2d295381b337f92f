"""What one page may cost to read: a hostile or broken page is cut to these bounds.

The bytes are cut before parsing (`bounded`); the walk in `blocks` stops at the element
and block counts and cuts a block's text. A page cut anywhere counts as truncated.
"""

from __future__ import annotations

import re

# What one page may cost, so that a hostile or broken page is read in bounded time and
# memory: the site's largest pages (2018/19 reports) are well under a tenth of these.
_MAX_HTML_BYTES = 3_000_000
MAX_ELEMENTS = 60_000  # elements walked
MAX_BLOCKS = 20_000
MAX_TEXT = 20_000  # characters kept of one block
# An attribute value this long (an inline image, say) carries no text: on a page over
# the byte budget it is emptied first, so that it does not use the budget up.
_LONG_ATTRIBUTE = re.compile(rb"""=\s*(?:"[^"<>]{20000,}"|'[^'<>]{20000,}')""")
# The HTML parser's work grows with the square of the nesting of block elements (each
# one looks down the stack of open elements): a page nested deeper than this is cut
# where it gets too deep. A page with fewer tags than _FEW_TAGS is not looked at (it
# costs a millisecond on a large page): nested all the way, it parses in under a second.
_MAX_NESTING = 500
_FEW_TAGS = 15_000
# The parsed tree's memory grows with the number of elements: a page is cut at about
# this many tags (a 2018/19 report has some 3,000).
_MAX_TAGS = 200_000
_NESTING_TAG = re.compile(
    rb"<(/?)(?:address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset"
    rb"|figcaption|figure|footer|header|hgroup|listing|main|menu|nav|ol|pre|search|section"
    rb"|summary|ul)\b",
    re.IGNORECASE,
)


def bounded(body: bytes) -> tuple[bytes, bool]:
    """The part of the page that is read, and whether that is less than the whole page."""
    if len(body) > _MAX_HTML_BYTES:
        body = _LONG_ATTRIBUTE.sub(b'=""', body)
    cut = min(len(body), _MAX_HTML_BYTES)
    tags = body.count(b"<", 0, cut)
    if tags > _MAX_TAGS:
        cut = cut * _MAX_TAGS // tags  # about where the _MAX_TAGS-th tag is
    if tags > _FEW_TAGS:
        cut = _nesting_cut(body, cut)
    return body[:cut], cut < len(body)


def _nesting_cut(body: bytes, end: int) -> int:
    """Where, before `end`, block elements nest deeper than _MAX_NESTING; else `end`."""
    depth = 0
    for match in _NESTING_TAG.finditer(body, 0, end):
        depth += -1 if match.group(1) else 1
        if depth > _MAX_NESTING:
            return match.start()
    return end
