"""In Chromium: every screen works under the Content Security Policy with no violation, the panel refuses to be
framed by another site, and a sign-in link with a disguised `next` lands on the panel, not off-site."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import Page, expect

from e2e.conftest import ADA_EMAIL, ADA_PASSWORD, Server

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
"""


def watch_csp(page: Page) -> list[str]:
    """Every CSP complaint the browser makes: the violation events and the console's own messages."""
    seen: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on('console', lambda m: seen.append(m.text) if 'Content Security Policy' in m.text else None)
    page.on('pageerror', lambda e: seen.append(f'page error: {e}') if 'Content Security Policy' in str(e) else None)
    return seen


def violations(page: Page, seen: list[str]) -> list[str]:
    return seen + page.evaluate('window.__csp || []')


def test_every_screen_works_under_the_csp_with_no_violation(page: Page, server: Server) -> None:
    seen = watch_csp(page)
    page.goto(server.url + '/login?next=/')
    page.get_by_label('Email').fill(ADA_EMAIL)
    page.get_by_label('Password', exact=True).fill(ADA_PASSWORD)
    page.get_by_role('button', name='Sign in').click()
    expect(page.get_by_role('tab', name='Upcoming')).to_be_visible(timeout=15_000)
    assert violations(page, seen) == []

    page.get_by_role('article').first.get_by_role('button', name='Details').click()
    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_text('Duration')).to_be_visible()
    drawer.get_by_role('button', name='Close').click()
    page.get_by_role('tab', name='Past').click()
    expect(page.get_by_role('link', name='Rebook').first).to_be_visible()
    for section, proof in (('Profile', 'Your profile'), ('Security', 'Change your password'),
                           ('Packages', 'Schedule a session')):
        page.get_by_role('tab', name=section).click()
        expect(page.get_by_text(proof).first).to_be_visible()
    page.goto(server.url + '/book')
    expect(page.get_by_text('What would you like to book?')).to_be_visible()
    page.reload()  # a second, cached visit
    expect(page.get_by_text('What would you like to book?')).to_be_visible()
    assert violations(page, seen) == []


@contextmanager
def attacker_site(body: str) -> Iterator[str]:
    """Another site, on loopback like ours (so only our headers, not the browser's private-network rules, decide)."""
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            data = body.encode()
            self.send_response(200)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(('127.0.0.1', 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://localhost:{server.server_address[1]}/'
    finally:
        server.shutdown()
        server.server_close()


def test_another_site_cannot_frame_the_panel(page: Page, server: Server) -> None:
    bait = f'<h1>Win a prize</h1><iframe title="bait" src="{server.url}/login" width="600" height="400"></iframe>'
    with attacker_site(bait) as attacker:
        page.goto(attacker)
        expect(page.get_by_role('heading', name='Win a prize')).to_be_visible()
        page.wait_for_timeout(2000)
        framed = [f for f in page.frames if f is not page.main_frame]
        assert framed, 'the iframe element is there'
        for frame in framed:
            assert frame.locator('text=Sign in to your account').count() == 0  # nothing of ours was drawn in it
            assert not frame.url.startswith(server.url), frame.url  # Chromium refused to load it there


def test_a_disguised_next_lands_on_the_panel_after_signing_in(page: Page, server: Server) -> None:
    for disguised in ('/%5Cevil.example/', '/%09/evil.example/', '//evil.example/', 'https://evil.example/'):
        page.context.clear_cookies()
        page.goto(f'{server.url}/login?next={disguised}')
        page.get_by_label('Email').fill(ADA_EMAIL)
        page.get_by_label('Password', exact=True).fill(ADA_PASSWORD)
        page.get_by_role('button', name='Sign in').click()
        expect(page.get_by_role('tab', name='Upcoming')).to_be_visible(timeout=15_000)
        assert page.url == f'{server.url}/', (disguised, page.url)
        # Already signed in, the sign-in page sends the visitor on at once: still to the panel.
        page.goto(f'{server.url}/login?next={disguised}')
        expect(page.get_by_role('tab', name='Upcoming')).to_be_visible(timeout=15_000)
        assert page.url == f'{server.url}/', (disguised, page.url)
