"""Parse: a page's bytes into assessments. Pure.

HTML becomes ordered text blocks (`blocks`, with the page's cost bounded by `bounds`
and the site's chrome dropped by `chrome`); the recognisers in `recognise/`, one
module per page family, read those blocks, never CSS classes. `parse()` gives one
assessment; `parse_all()` one per organisation on an all-force page. `decode_page`
turns a page's bytes into its text (UTF-8, or the legacy encoding the page declares).
"""

from watcher.parse.blocks import TRUNCATED
from watcher.parse.decoding import decode_page
from watcher.parse.pages import parse, parse_all
from watcher.parse.recognise.identity import force_named, forces_named_in
from watcher.parse.version import parser_fingerprint

__all__ = [
    "TRUNCATED",
    "decode_page",
    "force_named",
    "forces_named_in",
    "parse",
    "parse_all",
    "parser_fingerprint",
]
