"""The site's chrome: which blocks are banners, breadcrumbs and cookie notices, not content.

A block of its own that reads as chrome ("Skip to content", "Print this page") is
chrome; so is a small container that a chrome line opens (a cookie notice, a banner).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Chrome that sits in a block of its own.
_CHROME_LINE = re.compile(
    r"(?:skip to (?:main )?content|(?:english|cymraeg)(?:\s*[|/]\s*(?:english|cymraeg))?"
    r"|print(?: this page)?|share(?: this page)?|back to top|menu|search|close"
    r"|(?:accept|reject)(?: all)?(?: cookies)?|cookie settings|hide this message"
    r"|download\b.{0,80}|(?:page )?last (?:modified|reviewed)\b.{0,60}"
    r"|page last updated\b.{0,60}|home\s*[>›»/|].{0,300}|you are here\b.{0,300}"
    r"|(?:our |this |the )?(?:web)?site will be unavailable\b.{0,300}"
    r"|(?:first )?published(?: on)?:?\s*(?:\d{1,2}(?:st|nd|rd|th)?\s+[a-z]+\s+\d{4}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}))",
    re.IGNORECASE,
)
# Chrome that opens a small container (banner, cookie notice, breadcrumb list).
_CHROME_OPENER = re.compile(
    r"(?:planned (?:website |site )?(?:downtime|maintenance)\b|we use (?:some )?(?:essential )?"
    r"cookies\b|(?:this (?:site|website) uses|cookies on)\b.{0,40}cookies|cookies on\b"
    r"|share this page\b|you are here\b|home$"
    r"|consultation(?: now open)?:|have your say\b|help us improve\b|this is a new (?:web)?site\b"
    r"|this is a new service\b)",
    re.IGNORECASE,
)
MAX_CHROME_LINE = 400  # longer blocks are never chrome lines
MAX_CHROME_BLOCKS = 8
_MAX_CHROME_CHARS = 1500


def is_chrome_block(text: str) -> bool:
    """Whether a block's text reads as chrome: a chrome line, or the opener of a container."""
    if len(text) > MAX_CHROME_LINE:
        return False
    return _CHROME_BLOCK.match(text) is not None


# Either kind of chrome in one pattern: one match per block instead of two.
_CHROME_BLOCK = re.compile(rf"(?:{_CHROME_LINE.pattern})\Z|{_CHROME_OPENER.pattern}", re.IGNORECASE)


def is_chrome_container(texts: Sequence[str]) -> bool:
    """Whether a container's block texts are chrome: few and short, opened by a chrome line."""
    if not texts or len(texts) > MAX_CHROME_BLOCKS:
        return False
    if sum(len(text) for text in texts) > _MAX_CHROME_CHARS:
        return False
    return _CHROME_OPENER.match(texts[0]) is not None
