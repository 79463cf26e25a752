"""Component CSS, sent once per page: `ui.add_css` appends to the page's head (and runs a script in the browser) on
every call, so a drawer that adds its CSS each time it opens would grow the page a little with every opening."""

from __future__ import annotations

import weakref

from nicegui import context, ui

# Which pages have which component CSS already (held weakly: a page that is gone drops out by itself).
_SENT: weakref.WeakKeyDictionary[object, set[str]] = weakref.WeakKeyDictionary()


def add_css_once(css: str) -> None:
    """Add `css` to the current page unless it has it already."""
    sent = _SENT.setdefault(context.client, set())
    if css not in sent:
        sent.add(css)
        ui.add_css(css)
