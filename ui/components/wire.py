"""What an element's props carry to the browser, kept cheap for NiceGUI to put into the page.

NiceGUI writes every element of a page into one JSON string and HTML-escapes it with `str.translate`, which is quick
over plain ASCII and ~18x slower over a string with a single other character in it (measured: 0.1 ms against 1.9 ms
for 30 KB). A page in Portuguese, German or Arabic has such characters in its words, so an element whose props carry
a lot of data (the Appointments section's cards) or any words sends them as ASCII JSON in a string prop, with the
characters HTML would have to escape written as JSON escapes, and the browser reads it back with JSON.parse.
"""

from __future__ import annotations

import json
from typing import Any

_HTML_SPECIALS = (('&', '\\u0026'), ('<', '\\u003c'), ('>', '\\u003e'), ('`', '\\u0060'), ('$', '\\u0024'))


def ascii_json(value: Any) -> str:
    """`value` as compact ASCII JSON with no character the page's HTML would have to escape."""
    text = json.dumps(value, separators=(',', ':'))
    for char, escape in _HTML_SPECIALS:
        if char in text:
            text = text.replace(char, escape)
    return text
