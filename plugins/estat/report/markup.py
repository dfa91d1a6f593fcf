"""HTML and SVG markup for the quality report, escaped by construction.

Text given to :func:`tag` as a plain ``str`` is always escaped; only :class:`Markup` (what
:func:`tag` and :func:`join` return) passes through as it is. So a value from the
warehouse, a file name or a refusal reason, can never become markup, whatever it holds.
Attributes are written in the order given, so the same call gives the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Iterable


class Markup(str):
    """A piece of markup that is already escaped."""

    __slots__ = ()


# Elements written without a closing tag.
_VOID = frozenset({"br", "meta", "hr", "img", "col"})


def escape(text: object) -> Markup:
    """``text`` as markup: itself when it already is, otherwise escaped (quotes included)."""
    if isinstance(text, Markup):
        return text
    return Markup(html.escape(str(text), quote=True))


def join(parts: Iterable[Markup | str | int | None], separator: str = "") -> Markup:
    """The parts one after the other, each escaped unless it is markup; None is left out."""
    return Markup(escape(separator).join(escape(part) for part in parts if part is not None))


def tag(name: str, /, *children: Markup | str | int | None, **attributes: object) -> Markup:
    """An element: ``tag("td", "5", class_="number")`` gives ``<td class="number">5</td>``.

    An attribute's trailing underscore is dropped (``class_``), other underscores become
    hyphens (``data_key`` is ``data-key``, ``aria_label`` is ``aria-label``). An attribute
    whose value is None or False is left out; True writes it without a value.
    """
    written = []
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        attribute = key.removesuffix("_").replace("_", "-")
        if value is True:
            written.append(f" {attribute}")
        else:
            written.append(f' {attribute}="{escape(value)}"')
    opening = f"<{name}{''.join(written)}>"
    if name in _VOID:
        return Markup(opening)
    return Markup(f"{opening}{join(children)}</{name}>")
