"""Where a browser's session begins and ends, and how its open pages learn that it ended.

The browser holds NiceGUI's signed cookie with a browser id; the session token lives in the user storage kept for that
id on the server (`app.storage.user['session']`). So that nobody can plant a browser id before someone signs in and
then share their session (fixation), every sign-in moves the browser to a fresh id with empty storage. That takes an
HTTP response (a cookie cannot be set over the websocket), so a sign-in made in an event handler hands the session
over through `/auth/finish` with a single-use nonce that only the signing-in tab knows.

Sign-out is a POST: a link or an image on another site cannot end a session. It ends the session on the server,
empties this browser's user storage (the last booking too), drops the cookie and asks the browser to clear what the
site stored in it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, context, run, ui

from domain.settings import PanelSettings
from services import auth, events, panel
from services.context import get_db
from services.tenants import resolve_tenant
from ui.components.live import LiveSubscription
from ui.context import is_leaving, to_sign_in
from ui.i18n import BROWSER_CHOICE, choose_for, t
from ui.theme import frame, sign_out_button

SESSION = 'session'
# An admin's session token (ui/pages/admin): its own key, so the two kinds never stand in for each other.
ADMIN_SESSION = 'admin_session'
HANDOFF = 'sign_in_handoff'
SIGNED_IN_AT = 'signed_in_at'
HANDOFF_SECONDS = 120
LEAVE_GRACE = 0.3  # seconds


def current() -> str | None:
    """This browser's session token, if it has one (live or not: the services say)."""
    found = app.storage.user.get(SESSION)
    return found if isinstance(found, str) else None


def hand_over(session_id: str, target: str = '/', *, key: str = SESSION) -> None:
    """Finish a sign-in made in an event handler: the browser fetches /auth/finish, which gives it a fresh id
    holding the new session (under `key`: SESSION for a customer, ADMIN_SESSION for an admin), then goes on to
    `target` (a path on this site the caller already checked)."""
    nonce = secrets.token_urlsafe(32)
    app.storage.user[HANDOFF] = {'nonce': _digest(nonce), 'session': session_id, 'next': target,
                                 'key': key if key in (SESSION, ADMIN_SESSION) else SESSION,
                                 'expires': time.time() + HANDOFF_SECONDS}
    ui.navigate.to(f'/auth/finish?t={nonce}')


async def adopt(request: Request, session_id: str, *, key: str = SESSION) -> None:
    """Finish a sign-in inside an HTTP request: a fresh browser id whose storage holds only the new session (and the
    language this browser chose, if it chose one)."""
    language = app.storage.user.get(BROWSER_CHOICE)
    await _fresh_browser_id(request)
    app.storage.user[key] = session_id
    if isinstance(language, str):
        app.storage.user[BROWSER_CHOICE] = language
    # A fresh sign-in may change the account's email for a few minutes without the password (services.accounts).
    app.storage.user[SIGNED_IN_AT] = datetime.now(UTC).isoformat()


def watch(tenant_id: int, customer_id: int, session_id: str) -> None:
    """Send this page to the sign-in page as soon as its session ends anywhere (sign-out in another tab, a
    password change or reset, the account closed), and check again whenever the page reconnects."""
    client = context.client
    connects = 0

    async def check(_payload: object = None) -> None:
        customer = await run.io_bound(auth.current_customer, get_db(), tenant_id=tenant_id, session_id=session_id)
        if customer is None:
            # A moment's grace: when this very tab signed out or closed the account, its own answer moves it
            # (with the sign-out's cookie and storage clean-up) and this one is not needed.
            await asyncio.sleep(LEAVE_GRACE)
            if not is_leaving(client):
                to_sign_in(client)

    async def reconnected() -> None:
        nonlocal connects
        connects += 1
        if connects > 1:  # the page was built with a live session; a reconnect may come after it ended
            await check()

    LiveSubscription(events.sessions_topic(tenant_id, customer_id), check)
    client.on_connect(reconnected)


@app.get('/auth/finish')
async def finish_sign_in(request: Request, t: str = '') -> RedirectResponse:
    pending = app.storage.user.pop(HANDOFF, None)
    if not (isinstance(pending, dict) and t and hmac.compare_digest(str(pending.get('nonce', '')), _digest(t))
            and float(pending.get('expires', 0)) > time.time()):
        return RedirectResponse('/login', status_code=303)
    key = ADMIN_SESSION if pending.get('key') == ADMIN_SESSION else SESSION
    await adopt(request, str(pending['session']), key=key)
    return RedirectResponse(str(pending.get('next') or '/'), status_code=303)


# The page comes first: NiceGUI replaces every route of a path when it registers a page there.
@ui.page('/logout')
async def sign_out_page(request: Request) -> RedirectResponse | None:
    """A plain visit (a bookmark, a link from elsewhere) signs nobody out: it offers the button."""
    if not current():
        return RedirectResponse('/login', status_code=303)
    tenant = resolve_tenant(request.headers.get('host'))
    shell = await run.io_bound(panel.load_shell, get_db(), tenant_id=tenant.id, session_id=current())
    settings = shell.settings if shell else await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant.id)
    choose_for(request, settings or PanelSettings(), shell.customer if shell else None)  # None: the app stops
    with frame(tenant, title=t('Sign out')):
        with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3'):
            ui.label(t('Sign out?')).classes('text-h5').props('role=heading aria-level=1')
            ui.label(t('You will need your email and password, or a link, to come back.')).classes('k-muted')
            sign_out_button(classes='w-full', props='unelevated no-caps size=lg')
            ui.link(t('Back to my appointments'), '/').classes('self-center').mark('back-to-panel')
    return None


@app.post('/logout')
async def sign_out(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse('Sign out from the page itself.', status_code=403)
    session_id = current()
    if session_id:
        await run.io_bound(auth.sign_out, get_db(), session_id=session_id, now=datetime.now(UTC))
    app.storage.user.clear()  # the session, the last booking and anything else kept for this browser
    request.session.clear()  # the cookie goes too: the next visit gets a new browser id
    response = RedirectResponse('/login', status_code=303)
    # Only "storage" (this origin's local and session storage): "cookies" would clear every cookie of the whole
    # registrable domain, signing the visitor out of the business's other sites as well.
    response.headers['Clear-Site-Data'] = '"storage"'
    return response


async def _fresh_browser_id(request: Request) -> None:
    old = request.session.get('id')
    new = str(uuid.uuid4())
    request.session['id'] = new  # the signed cookie sent with this response carries the new id
    await app.storage._create_user_storage(new)  # noqa: SLF001  (NiceGUI makes it in its middleware otherwise)
    old_storage = app.storage._users.get(old) if old else None  # noqa: SLF001
    if old_storage is not None:
        old_storage.clear()  # whoever else holds the old id finds nothing


def _same_origin(request: Request) -> bool:
    """A browser names the page a POST comes from; refuse one from another site (cookies are SameSite=Lax too)."""
    origin = request.headers.get('origin') or request.headers.get('referer')
    if origin is None:
        return True  # not a browser, or one that names no origin: SameSite keeps the cookie off cross-site posts
    return urlsplit(origin).netloc == request.headers.get('host', '')


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()



def same_origin(request: Request) -> bool:
    """Whether a POST comes from a page of this site (the admin's sign-out asks it too)."""
    return _same_origin(request)
