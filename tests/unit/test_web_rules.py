"""Links, redirects and colours a browser will follow: only our own paths and plain http(s) addresses pass."""

from __future__ import annotations

import pytest

from domain.web import color_problem, safe_color, safe_next, safe_url, url_problem
from tests.support.words import en


@pytest.mark.parametrize(('target', 'expected'), [
    # our own paths pass unchanged
    ('/', '/'),
    ('/appointments', '/appointments'),
    ('/book?service=3&staff=any', '/book?service=3&staff=any'),
    ('/packages#top', '/packages#top'),
    ('/%5Cevil.example/', '/%5Cevil.example/'),  # still encoded: the browser keeps it a path on this site
    # nothing, or not a path
    (None, '/'),
    ('', '/'),
    ('appointments', '/'),
    ('evil.example', '/'),
    # other hosts and schemes
    ('//evil.example', '/'),
    ('//evil.example/path', '/'),
    ('https://evil.example/', '/'),
    ('http://evil.example', '/'),
    ('javascript:alert(1)', '/'),
    ('JavaScript:alert(1)', '/'),
    ('data:text/html,<script>alert(1)</script>', '/'),
    ('/\\evil.example/', '/'),  # what /login?next=/%5Cevil.example/ decodes to: browsers read /\ as //
    ('\\\\evil.example', '/'),
    ('/\\/evil.example', '/'),
    ('\\/evil.example', '/'),
    ('/path\\more', '/'),
    # whitespace and controls a browser drops while parsing, turning /<tab>/ into //
    ('/\t/evil.example', '/'),
    ('/\n/evil.example', '/'),
    ('/\r\n/evil.example', '/'),
    ('/ /evil.example', '/'),
    ('/\x00/evil.example', '/'),
    (' //evil.example', '/'),
    ('/\u200b/evil.example', '/'),  # zero-width space
    ('/\u202e/evil.example', '/'),  # right-to-left override
    ('/x"><script>alert(1)</script>', '/'),
    ('/' + 'a' * 3000, '/'),
])
def test_after_signing_in_only_a_path_on_this_site_is_followed(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(('url', 'allow_path', 'expected'), [
    ('https://meet.example.com/lumen-consult', False, 'https://meet.example.com/lumen-consult'),
    ('http://example.com:8080/a?b=c#d', False, 'http://example.com:8080/a?b=c#d'),
    ('HTTPS://Example.com/', False, 'HTTPS://Example.com/'),
    ('/book', False, None),  # a meeting link must be a whole address
    ('/book', True, '/book'),
    ('/book?service=2', True, '/book?service=2'),
    ('//evil.example/book', True, None),
    ('/\\evil.example', True, None),
    ('javascript:alert(1)', False, None),
    ('javascript:alert(1)', True, None),
    (' javascript:alert(1)', True, None),
    ('java\tscript:alert(1)', False, None),
    ('JAVASCRIPT:alert(document.cookie)', False, None),
    ('data:image/svg+xml,<svg onload=alert(1)>', False, None),
    ('vbscript:msgbox(1)', False, None),
    ('ftp://files.example.com/logo.png', False, None),
    ('https://', False, None),
    ('https:///path', False, None),
    ('https://example.com:notaport/', False, None),
    ('https://exa mple.com/', False, None),
    ('https://example.com/"><img src=x onerror=alert(1)>', False, None),
    ('https://example.com/\u202egnp.exe', False, None),
    ('https://example.com/\nSet-Cookie:x', False, None),
    ('', False, None),
    (None, True, None),
])
def test_a_link_we_draw_is_http_or_https_or_our_own_path(url: str | None, allow_path: bool,
                                                          expected: str | None) -> None:
    assert safe_url(url, allow_path=allow_path) == expected


def test_a_refused_url_says_what_to_fix() -> None:
    assert url_problem('https://meet.example.com/x', label='The meeting link') is None
    assert url_problem('', label='The meeting link') is None  # no link at all is fine
    assert en(url_problem('javascript:alert(1)', label='The meeting link')) == (
        'The meeting link must be a web address starting with https:// or http://.')
    assert en(url_problem('//evil.example', label='booking_url', allow_path=True)) == (
        'booking_url must be a web address starting with https:// or http:// or a path on this site starting with /.')


@pytest.mark.parametrize(('value', 'expected'), [
    ('#0f766e', '#0f766e'),
    ('#FFF', '#FFF'),
    ('#0f766e80', '#0f766e80'),
    ('red', None),
    ('#0f766e; position: fixed; inset: 0', None),
    ('url(https://evil.example/x.png)', None),
    ('#12345', None),
    ('', None),
    (None, None),
])
def test_a_colour_in_a_style_is_a_hex_colour(value: str | None, expected: str | None) -> None:
    assert safe_color(value) == expected
    if value is not None:
        assert (color_problem(value, label='colour') is None) == (expected is not None)
