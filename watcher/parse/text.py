"""Block text: the line-break stand-in and the whitespace clean-up every block goes through."""

from __future__ import annotations

import re

from watcher.parse.bounds import MAX_TEXT

# Stands in for <br> in text; the HTML parser never leaves a NUL in text.
LINE_BREAK = "\x00"

# Zero-width characters and soft hyphens.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u00ad\ufeff]")


def clean(text: str) -> str:
    """Text with whitespace runs as single spaces and invisible characters gone."""
    text = text[: 4 * MAX_TEXT]  # bounds the work; the walker cuts a block to MAX_TEXT
    # Fast path: printable text has no whitespace but " " and no invisible characters.
    if "  " not in text and text.isprintable():
        return text.strip(" ")
    return " ".join(_INVISIBLE.sub("", text).split())
