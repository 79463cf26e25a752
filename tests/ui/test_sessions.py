"""Sessions in the browser: an ended session's open tabs leave, sign-in gives the browser a fresh identity, and only
a POST from our own page signs out (and forgets what the browser kept)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from nicegui import app
from nicegui.testing import User

from services import accounts, auth, notify, ratelimit
from tests.support.seed import seed_world
from tests.ui.conftest import signed_in
from tests.ui.test_book import choose_first_time

STRONG = 'violet-harbour-71-tandem'


def _cookie(client: httpx.AsyncClient) -> str:
    values = [c.value for c in client.cookies.jar if c.name == 'session']
    assert len(values) == 1 and values[0]
    return str(values[0])


def _live_sessions(db, world) -> int:
    import sqlalchemy as sa

    from storage import tables as t

    with db.read() as s:
        return s.scalar(sa.select(sa.func.count()).select_from(t.AuthSession).where(
            t.AuthSession.customer_id == world.ada, t.AuthSession.revoked_at.is_(None)))


async def test_a_tab_whose_session_ended_elsewhere_goes_to_sign_in_and_can_do_nothing(user: User, db) -> None:
    """Ada's laptop shows the panel; on her phone she changes the password. Within a second the laptop's tab is on
    the sign-in page."""
    world = seed_world(db)
    ratelimit.reset_limiter()
    await signed_in(user)
    await user.should_see(marker='appointments', retries=50)
    now = datetime.now(UTC)
    phone = auth.sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password='kairos-demo', now=now)
    accounts.change_password(db, tenant_id=world.tenant_id, customer_id=world.ada, current='kairos-demo', new=STRONG,
                             confirm=STRONG, keep_session_id=phone.session_id, now=now)
    await user.should_see(marker='sign-in', retries=10)  # 10 x 0.1 s
    assert user.back_history[-1] == '/login?next=/'
    assert _live_sessions(db, world) == 1  # the phone's
    notify.wait_for_notifications()


async def test_a_browser_id_planted_before_sign_in_does_not_share_the_session(user: User, db) -> None:
    """Mallory gets a cookie from the site and plants it in Ada's browser. Ada signs in. Mallory's copy of the cookie
    opens no panel: sign-in gave Ada's browser a new identity."""
    seed_world(db)
    ratelimit.reset_limiter()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://test') as mallory:
        await mallory.get('/login')
        planted = _cookie(mallory)
        for cookie in mallory.cookies.jar:
            user.http_client.cookies.jar.set_cookie(cookie)
        assert _cookie(user.http_client) == planted
        await signed_in(user)
        assert _cookie(user.http_client) != planted
        answer = await mallory.get('/', follow_redirects=False)
        assert answer.status_code == 303 and answer.headers['location'].startswith('/login')
        assert (await user.http_client.get('/', follow_redirects=False)).status_code == 200


async def test_a_link_to_logout_signs_nobody_out(user: User, db) -> None:
    """An <img src="/logout"> on another site, or a link, used to end the session."""
    world = seed_world(db)
    ratelimit.reset_limiter()
    await signed_in(user)
    answer = await user.http_client.get('/logout', follow_redirects=False)
    assert answer.status_code == 200  # a page that offers the button, nothing more
    cross_site = await user.http_client.post('/logout', headers={'origin': 'https://evil.example'},
                                             follow_redirects=False)
    assert cross_site.status_code == 403
    assert _live_sessions(db, world) == 1
    assert (await user.http_client.get('/', follow_redirects=False)).status_code == 200


async def test_signing_out_ends_the_session_and_forgets_the_last_booking(user: User, db) -> None:
    """Ada books on the studio's shared tablet, then signs out. The next person finds neither her panel nor her
    booking at /book/done."""
    world = seed_world(db)
    ratelimit.reset_limiter()
    await signed_in(user)
    await user.open(f'/book?service={world.services["cut"]}')
    await choose_first_time(user)
    user.find(marker='book-confirm').click()
    await user.should_see('You are booked', retries=50)

    answer = await user.http_client.post('/logout', headers={'origin': 'http://test'}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers['location'] == '/login'
    assert answer.headers['clear-site-data'] == '"storage"'
    assert 'session=null' in answer.headers['set-cookie'] and 'expires=Thu, 01 Jan 1970' in answer.headers['set-cookie']
    assert _live_sessions(db, world) == 0

    await user.open('/book/done')
    await user.should_see('There is no booking to show here yet.')
    await user.should_not_see('You are booked')
    assert (await user.http_client.get('/', follow_redirects=False)).status_code == 303
    notify.wait_for_notifications()
