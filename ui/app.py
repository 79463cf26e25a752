"""Routes, the sign-in gate and start-up. `setup()` registers everything; `run()` serves it."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, ui
from nicegui.storage import Storage
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from services import i18n
from services.config import get_config
from services.tenants import UnknownTenant
from ui import ops, robots, speedups, webhooks
from ui.body_limit import BodyLimit
from ui.headers import SecurityHeaders
from ui.pages import avatar, book, book_confirm, login, logo, panel, receipts, reminder, session, signin_flows
from ui.pages.admin import pages as admin_pages
from ui.pages.admin import shell as admin_shell
from ui.theme import install_css

# Each of these registers its routes when imported (above). Public: no sign-in needed; the others are behind the gate.
PUBLIC_PAGES = (session, login, webhooks, signin_flows, book, book_confirm, reminder, robots, logo)
PRIVATE_PAGES = (panel, receipts, avatar)
ADMIN_PAGES = admin_pages.MODULES  # behind the admin gate (below): /admin/...
PUBLIC_PREFIXES: tuple[str, ...] = ('/login', '/logout', '/_nicegui', '/static', '/healthz', '/favicon', '/webhooks/',
                                      '/signup', '/verify', '/forgot', '/reset', '/set-password', '/magic',
                                      '/confirm-email', '/undo-email', '/auth/oidc', '/auth/finish', '/book', '/readyz',
                                      '/metrics', '/robots.txt', '/staff-photo', '/logo', '/reminder')


def is_public(path: str) -> bool:
    return any(path == p or path.startswith(p if p.endswith('/') else p + '/') or path.startswith(p + '?')
               for p in PUBLIC_PREFIXES)


def is_admin(path: str) -> bool:
    return path == '/admin' or path.startswith('/admin/')


class SignInGate(BaseHTTPMiddleware):
    """Every panel route needs a customer's session and every admin page an admin's (ui/pages/admin); the page
    itself checks the session is still live in the database, and of the right kind."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if is_admin(path):
            if not admin_shell.is_public(path) and not app.storage.user.get(session.ADMIN_SESSION):
                target = path + (f'?{request.url.query}' if request.url.query else '')
                return RedirectResponse(f'/admin/login?next={quote(target)}', status_code=303)
            return await call_next(request)
        if not is_public(path) and not app.storage.user.get('session'):
            target = request.url.path + (f'?{request.url.query}' if request.url.query else '')
            return RedirectResponse(f'/login?next={quote(target)}', status_code=303)
        return await call_next(request)


def setup() -> None:
    """Register the gate, the middleware and the shared page head; the pages registered themselves on import."""
    speedups.install()
    app.add_middleware(SignInGate)
    app.add_middleware(BodyLimit)  # nothing reads a body before it is bounded
    ops.install()
    # Added last, so it is the outermost: the gate's redirects and the body limit's refusals carry the headers too.
    app.add_middleware(SecurityHeaders, https=get_config().public_url.lower().startswith('https://'))
    install_css()
    app.add_middleware(robots.NoIndex)

    @app.exception_handler(UnknownTenant)
    async def unknown_tenant(request: Request, _exc: UnknownTenant) -> PlainTextResponse:
        # No business, so no default language: the browser's, else English.
        loc = i18n.choose_locale(None, request.headers.get('accept-language'), None)
        return PlainTextResponse(i18n.gettext('There is no business at this address.', locale=loc), status_code=404)

    @app.get('/healthz')
    def healthz() -> dict[str, str]:
        return {'status': 'ok'}


def start_mail_sender() -> None:
    """Every instance runs an email sender: it sends what the outbox holds, also what a crashed instance left."""
    from services import mail, reminders
    from services.context import get_db

    app.on_startup(lambda: mail.start_sender(get_db()))
    app.on_shutdown(lambda: mail.stop_sender())  # NiceGUI hands a one-parameter handler the app, not a timeout
    # Every instance runs a reminder scheduler too: each reminder is claimed from the database, so it goes once.
    app.on_startup(lambda: reminders.start_scheduler(get_db()))
    app.on_shutdown(lambda: reminders.stop_scheduler())


def storage_options() -> dict[str, object]:
    return {'storage_secret': get_config().secret, 'session_middleware_kwargs': session_cookie_options()}


def session_cookie_options() -> dict[str, object]:
    """NiceGUI's browser cookie: Secure when customers reach us over https, never sent on cross-site posts, and
    gone when the longest session would be."""
    cfg = get_config()
    return {'https_only': cfg.public_url.lower().startswith('https://'), 'same_site': 'lax',
            'max_age': int(cfg.session_lifetime.total_seconds())}


def run(*, host: str | None = None, port: int | None = None, reload: bool = False) -> None:
    """Serve the panel until stopped."""
    cfg = get_config()
    use_redis_storage()
    ops.exit_zero_when_stopped()
    options: dict[str, object] = {'uvicorn_logging_level': 'warning', **ops.logging_options()}
    setup()
    start_mail_sender()
    app.on_startup(speedups.settle_gc)
    app.on_startup(speedups.fast_task_ids)
    app.on_startup(speedups.quick_handoff)
    ui.run(host=host or cfg.host, port=port or cfg.port, title='Kairos', reload=reload, show=False,
           favicon='🗓️', language='en-GB', tailwind=False, storage_secret=cfg.secret,
           session_middleware_kwargs=session_cookie_options(), reconnect_timeout=10, proxy_headers=True,
           forwarded_allow_ips=cfg.forwarded_allow_ips, timeout_graceful_shutdown=cfg.stop_timeout,
           ws_ping_interval=None,  # socket.io pings every connected page every 8 s already (NiceGUI's reconnect)
           **options)  # type: ignore[arg-type]  # uvicorn's logging keywords, which ui.run passes on untyped


def use_redis_storage() -> None:
    """With KAIROS_REDIS_URL, NiceGUI's user storage lives in Redis, so every instance sees the same sign-in.

    NiceGUI reads NICEGUI_REDIS_URL once, when it is first imported (a class attribute of its Storage), so setting the
    environment variable here would be too late: set the class attributes before any user storage is made."""
    cfg = get_config()
    if cfg.redis_url:
        Storage.redis_url = cfg.redis_url
        Storage.redis_key_prefix = f'{cfg.redis_prefix}storage:'
