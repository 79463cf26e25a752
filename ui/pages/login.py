"""Sign in and sign out. A wrong email or password gets one message that does not say which."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from domain.web import safe_next
from services import accounts, auth, panel
from services.context import get_db
from services.tenants import resolve_tenant
from ui.i18n import choose_for, show, t
from ui.pages import session, signin_flows
from ui.theme import frame


@dataclass
class SignInForm:
    email: str = ''
    password: str = ''


@ui.page('/login')
async def login_page(request: Request, next: str = '/', deleted: str = '') -> RedirectResponse | None:  # noqa: A002
    tenant = resolve_tenant(request.headers.get('host'))
    if app.storage.user.get('session'):
        customer = await run.io_bound(auth.current_customer, get_db(), tenant_id=tenant.id,
                                      session_id=app.storage.user.get('session'))
        if customer is not None:
            return RedirectResponse(safe_next(next), status_code=303)
        app.storage.user.pop('session', None)
    settings = await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant.id)
    choose_for(request, settings)
    form = SignInForm()

    async def submit() -> None:
        error.set_visibility(False)
        if not form.email.strip() or not form.password:
            show_error(t('Enter your email and password.'))
            return
        button.props('loading')
        try:
            # On the password pool, not run.io_bound's: a burst of sign-ins must not stall other visitors' pages.
            signed = await auth.password_work(accounts.attempt_sign_in, get_db(), tenant_id=tenant.id,
                                              email=form.email, password=form.password, now=datetime.now(UTC),
                                              address=request.client.host if request.client else None)
        except auth.SignInFailed as refusal:
            show_error(show(refusal.message))
            return
        finally:
            button.props(remove='loading')
        session.hand_over(signed.session_id, safe_next(next))

    def show_error(message: str) -> None:
        error.text = message
        error.set_visibility(True)

    with frame(tenant, title=t('Sign in'), index=True,
               description=t('Sign in to see, book and change your appointments with %(business)s.',
                             business=tenant.name)):
        with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3'):
            ui.label(t('Sign in to your account')).classes('text-h5').props('role=heading aria-level=1')
            ui.label(t('See and manage your appointments with %(business)s.', business=tenant.name)).classes(
                'k-muted')
            error = ui.label().classes('text-negative').props('role=alert').mark('signin-error')
            error.set_visibility(False)
            if deleted:
                ui.label(t('Your account is closed. Thank you for having been with us.')).props('role=status').mark(
                    'account-closed')
            # One <form> holding the email, the password and the button: what password managers look for to offer,
            # fill and save a sign-in. Enter in either field signs in; the page never reloads (a submit, should a
            # browser send one, is caught).
            with ui.element('form').props('method=post action=/login novalidate').classes(
                    'w-full column gap-3').on('submit.prevent', submit).mark('signin-form'):
                ui.input(t('Email')).bind_value(form, 'email').props(
                    'type=email name=username autocomplete=username autofocus outlined').classes('w-full').mark(
                    'email').on('keydown.enter', submit)
                ui.input(t('Password'), password=True, password_toggle_button=True).bind_value(form, 'password').props(
                    'name=password autocomplete=current-password outlined').classes('w-full').mark('password').on(
                    'keydown.enter', submit)
                button = ui.button(t('Sign in'), on_click=submit).props('unelevated no-caps size=lg').classes(
                    'w-full').mark('sign-in')
            with ui.element('div').classes('w-full').mark('signin-links'):
                signin_flows.sign_in_links(allow_signup=settings.allow_signup)
    return None
