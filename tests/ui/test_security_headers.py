"""Every kind of response carries the security headers: pages, redirects, static files, webhooks, 404s."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from nicegui import __version__ as nicegui_version
from nicegui.testing import User

from tests.support.seed import seed_world


def assert_protected(response: httpx.Response, *, https: bool = False) -> None:
    where = f'{response.request.method} {response.request.url.path} ({response.status_code})'
    headers = response.headers
    csp = headers.get('content-security-policy', '')
    assert "frame-ancestors 'none'" in csp, where
    for directive in ("object-src 'none'", "base-uri 'self'", "form-action 'self'", "default-src 'self'"):
        assert directive in csp, (where, directive)
    assert headers.get('x-frame-options') == 'DENY', where
    assert headers.get('x-content-type-options') == 'nosniff', where
    assert headers.get('referrer-policy') == 'strict-origin-when-cross-origin', where
    if https:
        assert headers.get('strict-transport-security', '').startswith('max-age=31536000'), where
    else:
        assert 'strict-transport-security' not in headers, where  # over plain http it would only confuse


async def every_kind_of_response(user: User) -> list[httpx.Response]:
    client = user.http_client
    responses = [
        await client.get('/login'),  # a page
        await client.get('/'),  # the sign-in gate's redirect
        await client.get('/login?next=/profile'),
        await client.get('/no-such-page'),  # the gate's redirect (only a signed-in visitor learns it is not there)
        await client.get(f'/_nicegui/{nicegui_version}/static/no-such-file.js'),  # 404
        await client.get(f'/_nicegui/{nicegui_version}/static/nicegui.css'),  # a static file
        await client.post('/webhooks/stripe', content=b'{}', headers={'stripe-signature': 'forged'}),  # refused
        await client.get('/healthz'),
    ]
    kinds = [r.status_code for r in responses]
    assert 200 in kinds and 303 in kinds and 404 in kinds and any(code >= 400 and code != 404 for code in kinds)
    return responses


async def test_pages_redirects_static_files_webhooks_and_404s_carry_the_headers(user: User, db) -> None:
    seed_world(db)
    for response in await every_kind_of_response(user):
        assert_protected(response)


@pytest.fixture
def https_public_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from services.config import reset_config

    monkeypatch.setenv('KAIROS_PUBLIC_URL', 'https://book.example.com')
    reset_config()
    yield
    reset_config()


async def test_behind_https_every_response_also_asks_for_https_only(https_public_url: None, user: User,
                                                                    db) -> None:
    seed_world(db)
    for response in await every_kind_of_response(user):
        assert_protected(response, https=True)
