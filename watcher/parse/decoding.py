"""A page's bytes as text: UTF-8, or the encoding the page itself declares.

The site is UTF-8, and a body that is valid UTF-8 is read as such. A page that is not
may declare another encoding in a `<meta>` in its first 1,024 bytes (where a browser
looks for one); it is read in that encoding, so a legacy page's curly quotes and dashes
are its own text and not replacement characters that would change if the page were
re-saved. The declaration is read from the body, not from the response's headers, so a
stored body is read again exactly as it was read the first time. An undeclared body
that is not UTF-8 is read as UTF-8 with replacement characters; `fetch.damage` refuses
such a body when the page's last good copy was UTF-8.
"""

from __future__ import annotations

import codecs
import re

# Where a browser's pre-scan looks for a declaration (WHATWG "prescan a byte stream").
_PRESCAN_BYTES = 1024
_DECLARED = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# The labels browsers read as windows-1252, a superset of each (WHATWG Encoding).
_AS_WINDOWS_1252 = frozenset(("iso8859-1", "latin-1", "ascii", "cp1252"))
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_page(body: bytes) -> str:
    """The page's text.

    >>> decode_page('<meta charset="windows-1252"><p>the force’s'.encode("cp1252"))[-11:]
    'the force’s'
    >>> decode_page(b"<p>caf\\xe9").endswith("\\N{REPLACEMENT CHARACTER}")  # undeclared
    True
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = declared_encoding(body)
    return body.decode(encoding or "utf-8", errors="replace")


def declared_encoding(body: bytes) -> str | None:
    """The codec a page's `<meta>` declares, if Python knows it and it is not UTF-8."""
    match = _DECLARED.search(body, 0, _PRESCAN_BYTES)
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    if name.startswith("utf-16"):
        return None  # a UTF-16 page has a BOM; a declaration read as ASCII is false
    if name.startswith("utf-8"):
        return None
    return "cp1252" if name in _AS_WINDOWS_1252 else name
