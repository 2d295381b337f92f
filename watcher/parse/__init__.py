"""Parse: a page's bytes into assessments. Pure.

HTML becomes ordered text blocks (`blocks`, with the page's cost bounded by `bounds`
and the site's chrome dropped by `chrome`); the recognisers in `recognise/`, one
module per page family, read those blocks, never CSS classes. `parse()` gives one
assessment; `parse_all()` one per organisation on an all-force page.
"""

from watcher.parse.blocks import TRUNCATED
from watcher.parse.pages import parse, parse_all

__all__ = ["TRUNCATED", "parse", "parse_all"]
