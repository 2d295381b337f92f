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
    # Fast path: text with no whitespace but single spaces and no invisible characters.
    if "  " not in text and (_plain_ascii(text) if text.isascii() else text.isprintable()):
        return text.strip(" ")
    return " ".join(_INVISIBLE.sub("", text).split())


def _plain_ascii(text: str) -> bool:
    """Whether ASCII text has no whitespace but " " (what `str.split` splits on).

    Nine scans for one character each cost about half of `isprintable`'s one scan,
    which looks every character up in the Unicode tables; most paragraphs are ASCII.
    """
    return (
        "\n" not in text
        and "\t" not in text
        and "\r" not in text
        and "\x0b" not in text
        and "\x0c" not in text
        and "\x1c" not in text
        and "\x1d" not in text
        and "\x1e" not in text
        and "\x1f" not in text
    )
