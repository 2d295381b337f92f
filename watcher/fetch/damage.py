"""Whether a 200's body can be trusted, judged against the page's last good copy. Pure.

A page cut short still parses, into fewer findings and grades, and text decoded from
broken bytes reads as reworded findings: either would alert what never happened. Such
a body counts as "unknown this time". The checks are relative to the last good copy,
so a page that never had a closing tag, or never was UTF-8, is not held to one.
"""

from __future__ import annotations

import re

# How far from the end of a page its closing tag may sit (trailing comments, scripts).
_END_WINDOW = 16 * 1024
_END_OF_DOCUMENT = re.compile(rb"</html\s*>", re.IGNORECASE)


def damage(body: bytes, last_good: bytes | None) -> str | None:
    """Why `body` cannot be trusted, or None when it can (or there is nothing to judge by).

    >>> damage(b"<html><p>half a pa", b"<html><p>a page</p></html>")
    'truncated page: it stops before </html> (the last good copy did not)'
    """
    if last_good is None:
        return None
    if _ends_document(last_good) and not _ends_document(body):
        return "truncated page: it stops before </html> (the last good copy did not)"
    if _is_utf8(last_good) and not _is_utf8(body):
        return "damaged page: not valid UTF-8 (the last good copy was)"
    return None


def _ends_document(body: bytes) -> bool:
    return _END_OF_DOCUMENT.search(body, max(0, len(body) - _END_WINDOW)) is not None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
