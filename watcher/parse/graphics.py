"""What a page's graphics say in text, read as a screen reader reads them.

The summary infographic of a 2021+ report has unknown markup. It may be an image with
alt text, an inline SVG, an SVG embedded with <object> or <embed>, or a styled widget
marked `role="img"` with an accessible name. Each is read for its text: an img's alt,
title and aria-label; an svg's aria-labels, <title>s, <desc>s and <text>s; a widget's
aria-label or title; an element with an aria-label and no text (a badge drawn by CSS),
its label. The widgets and badges are turned into plain images of that text before the
walk (`prepare_graphics`), so the walker knows two graphic tags only. A graphic marked
aria-hidden is decoration; a graphic with no text at all (an icon) goes.
"""

from __future__ import annotations

from typing import Any

from watcher.parse.text import LINE_BREAK, clean

Node = Any  # selectolax ships no type information

GRAPHIC_TAGS = frozenset(("svg", "img"))
_SVG_TEXT = frozenset(("title", "desc"))
# Embedded documents: read by their name; without one, by their fallback content.
_EMBEDS = frozenset(("object", "embed"))
# How far up from a graphic a <p> that holds it is looked for.
_GRAPHIC_IN_P = 4
# Controls and regions: their aria-label names what they do or hold, not what they say.
_NAMED_FOR_USE = frozenset(
    ("a", "button", "input", "select", "textarea", "label", "form", "option", "iframe")
)


def prepare_graphics(tree: Node) -> None:
    """Ready a parsed page's graphics for the walk: widgets become images of their
    text, decoration and icons go, and a graphic in a <p> is freed from it."""
    _widgets_to_images(tree)
    _labelled_badges_to_images(tree)
    _free_graphics(tree)


def graphic_lines(node: Node) -> list[str]:
    """What an img or svg says in text, a line each, in document order."""
    if node.attributes.get("aria-hidden") == "true":
        return []
    lines = _labels(node)
    if node.tag == "svg":
        for child in node.traverse():
            lines.extend(_svg_lines(child))
    return dedupe(lines)


def dedupe(lines: list[str]) -> list[str]:
    """Non-empty lines, each once (an aria-label often repeats the title)."""
    seen: dict[str, None] = {}
    for line in lines:
        text = clean(line.replace(LINE_BREAK, " "))
        if text:
            seen.setdefault(text, None)
    return list(seen)


def _labels(node: Node, names: tuple[str, ...] = ()) -> list[str]:
    names = names or (("alt", "title", "aria-label") if node.tag == "img" else ("aria-label",))
    return [line for name in names for line in (node.attributes.get(name) or "").splitlines()]


def _svg_lines(node: Node) -> list[str]:
    tag = node.tag
    if tag in _SVG_TEXT:
        return [node.text(deep=True)]
    if tag == "text":
        return [node.text(deep=True, separator=" ")]  # a label wrapped over <tspan>s
    return _labels(node) if tag != "svg" else []


def _widgets_to_images(tree: Node) -> None:
    """A `role="img"` widget, an <object> or an <embed> with a name becomes an <img>
    whose alt is that name: its own content is presentational (ARIA), as a fallback's
    is once the object has a name. An unnamed <object> is read by its fallback content;
    an unnamed widget by its content; an unnamed <embed> has nothing to read."""
    for node in tree.css('[role~="img"], object, embed'):
        tag = node.tag
        if tag in GRAPHIC_TAGS or (tag not in _EMBEDS and not _role_is_img(node)):
            continue
        if node.attributes.get("aria-hidden") == "true":
            node.decompose()
            continue
        lines = dedupe(_labels(node, ("aria-label", "title")))
        if lines:
            _become_image(tree, node, lines)
        elif tag == "object":
            node.unwrap()
        elif tag == "embed":
            node.decompose()


# A role="img" widget is read above; presentation and none take no name.
_NO_NAME_ROLES = (["img"], ["presentation"], ["none"])


def _labelled_badges_to_images(tree: Node) -> None:
    """An element with an aria-label and no text of its own (a badge drawn by CSS, an
    icon font's glyph) says its label: it becomes an image of it. One with text keeps
    its text (a labelled region, a list), and so do controls and decoration."""
    for node in tree.css("[aria-label]"):
        if node.tag in _NAMED_FOR_USE or node.tag in GRAPHIC_TAGS or node.tag in _EMBEDS:
            continue
        role = (node.attributes.get("role") or "").split()[:1]
        if node.attributes.get("aria-hidden") == "true" or role in _NO_NAME_ROLES:
            continue
        if node.text(deep=True).strip() or node.css_first("img, svg, object, embed"):
            continue
        if lines := dedupe(_labels(node, ("aria-label",))):
            _become_image(tree, node, lines)


def _become_image(tree: Node, node: Node, lines: list[str]) -> None:
    """`node` replaced by an <img> whose alt is its text, a line each."""
    image = tree.create_node("img")
    image.attrs["alt"] = "\n".join(lines)
    node.replace_with(image)


def _role_is_img(node: Node) -> bool:
    """The first role token names the role; later ones are fallbacks."""
    return (node.attributes.get("role") or "").split()[:1] == ["img"]


def _free_graphics(tree: Node) -> None:
    """A graphic with no text (an icon) goes; one in a <p> (the classic editor wraps
    images so) gets its own blocks: the <p> is unwrapped, as the walker reads a <p>'s
    text as one run and would run the graphic's lines into it."""
    for graphic in tree.css("svg, img"):
        if not graphic_lines(graphic):
            if graphic.tag == "svg":
                graphic.decompose()
            continue
        parent = graphic.parent
        for _ in range(_GRAPHIC_IN_P):
            if parent is None or parent.tag == "p":
                break
            parent = parent.parent
        if parent is not None and parent.tag == "p":
            parent.unwrap()
