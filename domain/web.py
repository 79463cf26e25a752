"""What may become a link, a redirect or a colour on our pages: the one home of these rules.

A business (and, for `next`, anyone who sends a link) chooses these values; a browser reads them more loosely than
Python's URL parser does (it drops tabs and newlines, and reads a backslash as a slash), so each check refuses
anything a browser could read as another site or as script.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from domain.i18n import Text, lazy

URL_MAX_LENGTH = 2000

_HEX_COLOUR = re.compile(r'^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$')
_HOST = re.compile(r'^[A-Za-z0-9._~%!$&\'()*+,;=:@\[\]-]+$')


def is_hidden_character(char: str) -> bool:
    """Control characters, bidi overrides and zero-width characters change how text reads without being seen."""
    return unicodedata.category(char) in ('Cc', 'Cf', 'Co', 'Cs', 'Zl', 'Zp')


def _risky_in_url(char: str) -> bool:
    # What a browser drops or rewrites while parsing a URL (whitespace, controls, the backslash), what hides what a
    # link says (zero-width, bidi overrides), and what only markup needs.
    return char.isspace() or char == '\\' or is_hidden_character(char) or char in '<>"`'


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, or '/' for anything else (other hosts, schemes,
    protocol-relative `//host`, backslashes, encoded or hidden characters a browser would fold into `//`)."""
    if not target or len(target) > URL_MAX_LENGTH or not target.startswith('/') or target.startswith('//'):
        return '/'
    if any(_risky_in_url(c) for c in target):
        return '/'
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return '/'
    return target


def safe_url(value: str | None, *, allow_path: bool = False) -> str | None:
    """A link we may draw: an absolute http(s) URL with a host, or (with `allow_path`) a path on this site as
    `safe_next` allows it; None for anything else (javascript:, data:, other schemes, hidden characters)."""
    if not value:
        return None
    if allow_path and value.startswith('/'):
        return value if safe_next(value) == value else None
    if len(value) > URL_MAX_LENGTH or any(_risky_in_url(c) for c in value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (a malformed port raises here)
    except ValueError:
        return None
    if parts.scheme.lower() not in ('http', 'https') or not parts.hostname or not _HOST.match(parts.netloc):
        return None
    return value


def url_problem(value: str | None, *, label: str, allow_path: bool = False) -> Text | None:
    """A URL the business saves must be one `safe_url` would draw; the answer says what to fix."""
    if value is None or value == '':
        return None
    if safe_url(value, allow_path=allow_path) is None:
        if allow_path:
            return lazy('%(name)s must be a web address starting with https:// or http:// or a path on this site '
                        'starting with /.', name=label)
        return lazy('%(name)s must be a web address starting with https:// or http://.', name=label)
    return None


def safe_color(value: str | None) -> str | None:
    """A colour we may put in a style: a hex colour like #0f766e; None for anything else."""
    return value if value and _HEX_COLOUR.match(value) else None


def color_problem(value: str, *, label: str) -> Text | None:
    """A colour the business saves must be a hex colour."""
    return None if safe_color(value) else lazy('%(name)s must be a hex colour like #0f766e.', name=label)
