"""Admins get in and out: sign-in at /admin/login (the gate sends /admin there), sign-out, an owner's invitation.

The session goes into the browser's storage under its own key (ui.pages.session.ADMIN_SESSION), through the same
fresh-browser-id hand-over as a customer's sign-in, so nobody can plant a browser id and share an admin's session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, run, ui

from domain.admins import ROLE_LABELS, Invitation
from domain.web import safe_next
from services import admin_auth, auth, panel
from services.context import get_db
from services.tenants import resolve_tenant
from ui import i18n
from ui.components.strength_meter import StrengthMeter, password_field
from ui.i18n import show, t
from ui.pages import session
from ui.pages.session import ADMIN_SESSION
from ui.theme import frame


def admin_next(target: str | None) -> str:
    """Where to go after signing in: an admin page of this site, else the admin overview."""
    found = safe_next(target)
    return found if found == '/admin' or found.startswith('/admin/') else '/admin'


@dataclass
class SignInForm:
    email: str = ''
    password: str = ''


@ui.page('/admin/login')
async def admin_login_page(request: Request, next: str = '/admin') -> RedirectResponse | None:  # noqa: A002
    tenant = resolve_tenant(request.headers.get('host'))
    held = app.storage.user.get(ADMIN_SESSION)
    if isinstance(held, str):
        admin = await run.io_bound(admin_auth.current_admin, get_db(), tenant_id=tenant.id, session_id=held)
        if admin is not None:
            return RedirectResponse(admin_next(next), status_code=303)
        app.storage.user.pop(ADMIN_SESSION, None)
    await _speak(request, tenant.id)
    form = SignInForm()
    address = request.client.host if request.client else None

    async def submit() -> None:
        error.set_visibility(False)
        if not form.email.strip() or not form.password:
            show_error(t('Enter your email and password.'))
            return
        button.props('loading')
        try:
            signed = await auth.password_work(admin_auth.attempt_sign_in, get_db(), tenant_id=tenant.id,
                                              email=form.email, password=form.password, now=datetime.now(UTC),
                                              address=address)
        except admin_auth.AdminSignInFailed as refusal:
            show_error(show(refusal.text))
            return
        finally:
            button.props(remove='loading')
        session.hand_over(signed.session_id, admin_next(next), key=ADMIN_SESSION)

    def show_error(message: str) -> None:
        error.text = message
        error.set_visibility(True)

    with frame(tenant, title=t('Admin sign-in'), description=t('Sign in to run %(business)s',
                                                               business=tenant.name)):
        with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3').mark('admin-signin'):
            ui.label(t('Sign in to run %(business)s', business=tenant.name)).classes('text-h5').props(
                'role=heading aria-level=1')
            ui.label(t("For the business's own team: settings, branding, statuses and emails.")).classes('k-muted')
            error = ui.label().classes('text-negative').props('role=alert').mark('admin-signin-error')
            error.set_visibility(False)
            with ui.element('form').props('method=post action=/admin/login novalidate').classes(
                    'w-full column gap-3').on('submit.prevent', submit):
                ui.input(t('Email')).bind_value(form, 'email').props(
                    'type=email name=username autocomplete=username autofocus outlined maxlength=254').classes(
                    'w-full').mark('admin-email').on('keydown.enter', submit)
                ui.input(t('Password'), password=True, password_toggle_button=True).bind_value(
                    form, 'password').props('name=password autocomplete=current-password outlined maxlength=200'
                                            ).classes('w-full').mark('admin-password').on('keydown.enter', submit)
                button = ui.button(t('Sign in'), on_click=submit).props('unelevated no-caps size=lg').classes(
                    'w-full').mark('admin-sign-in')
    return None


@app.post('/admin/logout')
async def admin_sign_out(request: Request) -> Response:
    """Ends this browser's admin session only (a customer session of the same browser, if any, stays)."""
    if not session.same_origin(request):
        return PlainTextResponse('Sign out from the page itself.', status_code=403)
    held = app.storage.user.pop(ADMIN_SESSION, None)
    if isinstance(held, str):
        await run.io_bound(admin_auth.sign_out, get_db(), session_id=held, now=datetime.now(UTC))
    return RedirectResponse('/admin/login', status_code=303)


@dataclass
class InviteForm:
    name: str = ''
    password: str = ''
    confirm: str = ''


@ui.page('/admin/invite')
async def accept_invite_page(request: Request, token: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    await _speak(request, tenant.id)
    invitation = await run.io_bound(_invitation, tenant.id, token)
    if not isinstance(invitation, Invitation):
        refusal = invitation or admin_auth.AdminRefused(admin_auth.INVALID_INVITE)
        with frame(tenant, title=t('Invitation')):
            with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3'):
                ui.label(t('This invitation cannot be used')).classes('text-h5').props('role=heading aria-level=1')
                ui.label(show(refusal.text)).props('role=alert').mark('admin-invite-dead')
        return
    form = InviteForm()

    async def accept() -> None:
        for each in fields.values():
            each.props(remove='error')
        try:
            signed = await auth.password_work(admin_auth.accept_invitation, get_db(), tenant_id=tenant.id,
                                              token=token, name=form.name, password=form.password,
                                              confirm=form.confirm, now=datetime.now(UTC))
        except admin_auth.AdminRefused as refusal:
            field = fields.get(refusal.field)
            if not refusal.field or field is None:
                error.text = show(refusal.text)
                error.set_visibility(True)
            else:
                field.props['error-message'] = show(refusal.text)
                field.props('error')
            return
        session.hand_over(signed.session_id, '/admin', key=ADMIN_SESSION)

    role = t(ROLE_LABELS[invitation.role])
    with frame(tenant, title=t('Invitation')):
        with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3').mark('admin-invite'):
            ui.label(t('Join %(business)s as %(role)s', business=tenant.name, role=role)).classes('text-h5').props(
                'role=heading aria-level=1')
            ui.label(t('You sign in with %(email)s. Choose your name and a password.',
                       email=invitation.email)).classes('k-muted')
            error = ui.label().classes('text-negative').props('role=alert')
            error.set_visibility(False)
            name = ui.input(t('Your name')).bind_value(form, 'name').props(
                'outlined autocomplete=name maxlength=80').classes('w-full').mark('admin-invite-name')
            password = password_field(t('Password'), mark='admin-invite-password').bind_value(
                form, 'password')
            meter = StrengthMeter([invitation.email])
            password.on_value_change(lambda e: meter.update(e.value))
            confirm = password_field(t('Confirm password'), kind='confirm',
                                     mark='admin-invite-confirm').bind_value(form, 'confirm')
            fields = {'name': name, 'password': password, 'confirm': confirm}
            ui.button(t('Accept and sign in'), on_click=accept).props('unelevated no-caps size=lg').classes(
                'w-full').mark('admin-invite-accept')



async def _speak(request: Request, tenant_id: int) -> None:
    """The page's language: the browser's, else the business's default (nobody is signed in yet)."""
    settings = await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant_id)
    assert settings is not None  # None only while the app shuts down
    i18n.choose(request, settings)


def _invitation(tenant_id: int, token: str) -> Invitation | admin_auth.AdminRefused:
    try:
        return admin_auth.check_invitation(get_db(), tenant_id=tenant_id, token=token, now=datetime.now(UTC))
    except admin_auth.AdminRefused as refusal:
        return refusal
