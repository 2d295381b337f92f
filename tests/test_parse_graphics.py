"""Graphics other than img and svg are read as a screen reader reads them: by their name."""

from __future__ import annotations

import pytest

from watcher.parse.blocks import BlockKind, html_blocks

G, P = BlockKind.GRAPHIC, BlockKind.PARAGRAPH
CASES = [
    (  # a named widget: its name, never its presentational tiles
        '<div role="img" aria-label="Good: Investigating crime.">'
        "<span>Good</span> <span>1</span></div>",
        [(G, "Good: Investigating crime.")],
    ),
    (  # hidden from screen readers: decoration
        '<div role="img" aria-hidden="true" aria-label="Good: Investigating crime."></div>',
        [],
    ),
    (  # the first role token is the role: this is presentation, read as text
        '<div role="presentation img" aria-label="ignored"><p>Kept text</p></div>',
        [(P, "Kept text")],
    ),
    (  # an unnamed widget is read by its content
        '<div role="img"><p>Adequate: Responding to the public.</p></div>',
        [(P, "Adequate: Responding to the public.")],
    ),
    (  # a named object: its name, not its fallback
        '<object data="s.svg" title="Inadequate: none."><p>Cannot show this.</p></object>',
        [(G, "Inadequate: none.")],
    ),
    (  # an unnamed object: its fallback content
        '<object data="s.svg"><img src="s.png" alt="Good: none."></object>',
        [(G, "Good: none.")],
    ),
    ('<embed src="s.svg" aria-label="Outstanding: none.">', [(G, "Outstanding: none.")]),
    ('<embed src="s.svg">', []),
    (  # a badge drawn by CSS, named only by its aria-label: its label
        '<ul><li>Investigating crime <span class="badge" aria-label="Adequate"></span></li></ul>',
        [(BlockKind.ITEM, "Investigating crime Adequate")],
    ),
    (  # an icon font's glyph inside a heading: the heading reads with it
        '<h3>Responding to the public <i class="icon-good" aria-label="Good"></i></h3>',
        [(BlockKind.HEADING, "Responding to the public Good")],
    ),
    (  # a labelled element with text of its own keeps its text; controls keep theirs
        '<section aria-label="Summary"><p>Our judgments</p></section>'
        '<a href="/share" aria-label="Share on X"></a><button aria-label="Close"></button>',
        [(P, "Our judgments")],
    ),
    (  # presentation takes no name; hidden is decoration
        '<div role="presentation" aria-label="Good"></div>'
        '<span aria-hidden="true" aria-label="Good"></span>',
        [],
    ),
    (  # an image deep inside a list item: the item reads with its alt; a plain one without
        '<ul><li><a href="/x"><span>Investigating crime</span> <img src="b.png" alt="Good">'
        "</a></li><li>Plain item</li></ul>",
        [(BlockKind.ITEM, "Investigating crime Good"), (BlockKind.ITEM, "Plain item")],
    ),
    (  # ... inside a table cell, and inside a heading
        "<table><tr><th>Area</th><th>Grade</th></tr><tr><td>Investigating crime</td>"
        '<td><span><img src="g.png" alt="Good"></span></td></tr></table>'
        '<h2><span>Responding to the public</span><span><img src="a.png" alt="Adequate">'
        "</span></h2><h2>No image</h2>",
        [
            (BlockKind.ROW, "Area Grade"),
            (BlockKind.ROW, "Investigating crime Good"),
            (BlockKind.HEADING, "Responding to the public Adequate"),
            (BlockKind.HEADING, "No image"),
        ],
    ),
    (  # a named widget inside a paragraph gets its own block, apart from the text
        '<p>Before <span role="img" aria-label="Good">★★★</span> after</p>',
        [(P, "Before"), (G, "Good"), (P, "after")],
    ),
]


@pytest.mark.parametrize(("markup", "expected"), CASES)
def test_a_graphic_reads_as_its_accessible_name(
    markup: str, expected: list[tuple[BlockKind, str]]
) -> None:
    blocks = html_blocks(f"<html><body><main>{markup}</main></body></html>".encode())
    assert [(b.kind, b.text) for b in blocks] == expected
