"""The public pages around signing in: sign up, confirm email, forgotten password, set a password from a link,
magic-link sign-in, confirm an email change, and the return from the OpenID provider.

Links from emails open a page with one button rather than acting on the GET, so a mail scanner that fetches
links cannot spend them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from domain import model as d
from domain import rules
from domain.accounts import masked_email
from domain.i18n import N_, Text
from domain.settings import PanelSettings
from services import accounts, auth, oidc
from services.config import public_link
from services.context import get_db
from services.tenants import resolve_tenant
from services.tokens import InvalidToken, Purpose
from ui.components.strength_meter import StrengthMeter, password_field
from ui.i18n import choose_for, locale, show, t
from ui.pages import session
from ui.theme import frame

PATHS = ('/signup', '/verify', '/forgot', '/reset', '/set-password', '/magic', '/confirm-email', '/undo-email',
         '/auth/oidc')


@dataclass
class Form:
    first_name: str = ''
    last_name: str = ''
    email: str = ''
    password: str = ''
    confirm: str = ''


def now() -> datetime:
    return datetime.now(UTC)


def address(request: Request) -> str | None:
    return request.client.host if request.client else None


@ui.page('/signup')
async def signup_page(request: Request) -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    settings = await _language(request, tenant)
    form = Form()
    with _card(tenant, t('Create your account'),
               t('Book and manage your appointments with %(business)s.', business=tenant.name), index=True):
        if not settings.allow_signup:
            ui.label(show(rules.SIGNUP_CLOSED)).props('role=alert')
            _back_to_sign_in()
            return
        error = _alert()
        with ui.column().classes('w-full gap-3') as body:
            with ui.row().classes('w-full gap-3 no-wrap'):
                first = ui.input(t('First name')).props('outlined autocomplete=given-name').classes(
                    'w-full').bind_value(form, 'first_name').mark('first-name')
                last = ui.input(t('Last name')).props('outlined autocomplete=family-name').classes(
                    'w-full').bind_value(form, 'last_name').mark('last-name')
            email = ui.input(t('Email')).props('outlined type=email autocomplete=email').classes('w-full').bind_value(
                form, 'email').mark('email')
            password = password_field(t('Password'), mark='password').bind_value(form, 'password')
            meter = StrengthMeter([])

            async def rescore(value: str) -> None:
                meter.user_inputs = [form.first_name, form.last_name, form.first_name + form.last_name, form.email]
                await meter.update(value)

            password.on_value_change(lambda e: rescore(e.value))
            fields = {'first_name': first, 'last_name': last, 'email': email, 'password': password}

            async def submit() -> None:
                error.set_visibility(False)
                for field in fields.values():
                    field.error = None
                try:
                    proof = await auth.password_work(accounts.sign_up, get_db(), tenant_id=tenant.id, email=form.email,
                                                     password=form.password, first_name=form.first_name,
                                                     last_name=form.last_name, now=now(), address=address(request),
                                                     locale=locale())
                except accounts.ProfileInvalid as refusal:
                    for key, message in refusal.problems.items():
                        fields[key].error = show(message)
                    return
                except accounts.AccountError as refusal:
                    _show(error, show(refusal.message))
                    return
                if proof:  # this browser chose the password: its confirmation keeps it
                    app.storage.user['signup_proof'] = proof
                body.clear()
                with body:
                    ui.label(t('Check your inbox: we sent a link to %(email)s to confirm your address.',
                               email=form.email.strip())) \
                        .props('role=status').mark('signup-done')

            ui.button(t('Create account'), on_click=submit).props('unelevated no-caps size=lg').classes('w-full').mark(
                'create-account')
        _back_to_sign_in(t('Already have an account? Sign in'))


@ui.page('/verify')
async def verify_page(request: Request, token: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    await _language(request, tenant)
    customer = await _link_account(tenant, Purpose.VERIFY, token, title=t('Confirm your email'))
    if customer is None:
        return
    proof = str(app.storage.user.get('signup_proof') or '')
    proof = proof if accounts.proof_is_for(proof, customer) else ''
    with _card(tenant, t('Confirm your email'), t('One click and your account is ready.')):
        _who(customer)
        error = _alert()
        password = None
        if not proof:  # opened elsewhere than where the account was made: the password is kept only if typed
            ui.label(t('If you created this account, type the password you chose to keep it. Otherwise leave it empty: '
                       'you can choose your own once you are in.')).classes('text-body2 k-muted')
            password = password_field(t('Password chosen at sign-up (optional)'), mark='signup-password')

        async def confirm() -> None:
            error.set_visibility(False)
            if password is not None:
                password.error = None
            try:
                signed = await auth.password_work(accounts.verify_email, get_db(), tenant_id=tenant.id, token=token,
                                                  now=now(), signup_proof=proof,
                                                  password=(password.value or '') if password is not None else '',
                                                  address=address(request))
            except accounts.ProfileInvalid as refusal:
                if password is not None:
                    password.error = show(refusal.problems.get('password')) or None
                return
            except (InvalidToken, accounts.AccountError) as refusal:
                _show(error, show(refusal.message))
                return
            app.storage.user.pop('signup_proof', None)
            _signed_in(signed)

        ui.button(t('Confirm my email'), on_click=confirm).props('unelevated no-caps size=lg').classes('w-full').mark(
            'confirm-email')


@ui.page('/forgot')
async def forgot_page(request: Request) -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    await _language(request, tenant)
    await _request_link_page(request, tenant, title=t('Forgot your password?'),
                             intro=t('Enter your email and we will send you a link to choose a new password. '
                                     'It also works if you never set one.'),
                             button=t('Email me a link'), action=accounts.request_password_reset, index=True)


@ui.page('/magic')
async def magic_page(request: Request, token: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    await _language(request, tenant)
    if not token:
        await _request_link_page(request, tenant, title=t('Sign in with a link'),
                                 intro=t('Enter your email and we will send you a link that signs you in, '
                                         'no password needed. It works once, for 15 minutes.'),
                                 button=t('Email me a sign-in link'), action=accounts.request_magic_link)
        return
    customer = await _link_account(tenant, Purpose.MAGIC, token, title=t('Sign in'))
    if customer is None:
        return
    with _card(tenant, t('Sign in'), t('Continue to your appointments with %(business)s.', business=tenant.name)):
        _who(customer)
        error = _alert()

        async def go() -> None:
            try:
                signed = await run.io_bound(accounts.sign_in_with_magic_link, get_db(), tenant_id=tenant.id,
                                            token=token, now=now())
            except InvalidToken as refusal:
                _show(error, show(refusal.message))
                return
            _signed_in(signed)

        who = customer.first_name or masked_email(customer.email)
        ui.button(t('Sign in as %(name)s', name=who), on_click=go).props('unelevated no-caps size=lg').classes(
            'w-full').mark('magic-go')


@ui.page('/reset')
async def reset_page(request: Request, token: str = '') -> None:
    await _choose_password_page(request, token, Purpose.RESET, title=N_('Choose a new password'))


@ui.page('/set-password')
async def set_password_page(request: Request, token: str = '') -> None:
    await _choose_password_page(request, token, Purpose.WELCOME, title=N_('Set your password'))


@ui.page('/confirm-email')
async def confirm_email_page(request: Request, token: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    await _language(request, tenant)
    with _card(tenant, t('Confirm your new email'), t('Your account will use this address from now on.')):
        error = _alert()
        done = ui.label('').props('role=status').mark('email-changed')

        async def confirm() -> None:
            try:
                customer = await run.io_bound(accounts.confirm_email_change, get_db(), tenant_id=tenant.id,
                                              token=token, now=now())
            except (InvalidToken, accounts.AccountError) as refusal:
                _show(error, show(refusal.message))
                return
            button.set_visibility(False)
            done.text = t('Done: your account now uses %(email)s.', email=customer.email)

        button = ui.button(t('Use this address'), on_click=confirm).props('unelevated no-caps size=lg').classes(
            'w-full').mark('confirm-new-email')
        _back_to_sign_in(t('Go to your appointments'), target='/')


@ui.page('/undo-email')
async def undo_email_page(request: Request, token: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    await _language(request, tenant)
    customer = await _link_account(tenant, Purpose.EMAIL_UNDO, token, title=t('Undo the email change'))
    if customer is None:
        return
    with _card(tenant, t('Undo the email change'),
               t('Your account gets this address back and every device is signed out.')):
        _who(customer)
        error = _alert()
        done = ui.label('').props('role=status').mark('email-restored')
        done.set_visibility(False)

        async def undo() -> None:
            try:
                restored = await run.io_bound(accounts.undo_email_change, get_db(), tenant_id=tenant.id, token=token,
                                              now=now())
            except (InvalidToken, accounts.AccountError) as refusal:
                _show(error, show(refusal.message))
                return
            button.set_visibility(False)
            done.text = t('Done: your account uses %(email)s again and every device was signed out. If someone else '
                          'knew your password, choose a new one now.', email=restored.email)
            done.set_visibility(True)
            ui.link(t('Choose a new password'), '/forgot').mark('forgot-link')

        button = ui.button(t('Undo the change'), on_click=undo).props('unelevated no-caps size=lg color=negative') \
            .classes('w-full').mark('undo-email')


@app.get('/auth/oidc/start')
async def oidc_start(request: Request) -> RedirectResponse:
    if not oidc.enabled():
        return RedirectResponse('/login', status_code=303)
    tenant = resolve_tenant(request.headers.get('host'))
    callback = public_link('/auth/oidc/callback', tenant.host)
    url, pending = await run.io_bound(oidc.begin, redirect_uri=callback)
    app.storage.user['oidc'] = oidc.pack(pending)
    return RedirectResponse(url, status_code=303)


@ui.page('/auth/oidc/callback')
async def oidc_callback(request: Request, code: str = '', state: str = '', error: str = '') -> RedirectResponse | None:
    tenant = resolve_tenant(request.headers.get('host'))
    pending = oidc.unpack(app.storage.user.pop('oidc', None))
    message: Text | str = oidc.FAILED
    if pending is not None and not error:
        try:
            signed = await run.io_bound(oidc.finish, get_db(), tenant_id=tenant.id, pending=pending, code=code,
                                        state=state, now=now())
        except accounts.AccountError as refusal:
            message = refusal.message
        else:
            await session.adopt(request, signed.session_id)
            return RedirectResponse('/', status_code=303)
    await _language(request, tenant)
    with _card(tenant, t('Sign in with %(provider)s', provider=oidc.provider_name()), ''):
        ui.label(show(message)).classes('text-negative').props('role=alert').mark('oidc-error')
        _back_to_sign_in()
    return None


def sign_in_links(*, allow_signup: bool) -> None:
    """The ways in besides a password, for the sign-in page."""
    with ui.column().classes('w-full gap-1 items-center'):
        if oidc.enabled():
            ui.button(t('Sign in with %(provider)s', provider=oidc.provider_name()), icon='login',
                      on_click=lambda: ui.navigate.to('/auth/oidc/start')).props('outline no-caps').classes(
                'w-full k-dir-icons').mark('oidc')
        ui.link(t('Forgot password?'), '/forgot').mark('forgot-link')
        ui.link(t('Send me a sign-in link'), '/magic').mark('magic-link')
        if allow_signup:
            ui.link(t('Create an account'), '/signup').mark('signup-link')


# ---- helpers ---------------------------------------------------------------------------------------------------


async def _request_link_page(request: Request, tenant: d.Tenant, *, title: str, intro: str, button: str,
                             action, index: bool = False) -> None:
    form = Form()
    with _card(tenant, title, intro, index=index):
        error = _alert()
        done = ui.label('').props('role=status').mark('link-sent')
        done.set_visibility(False)
        email = ui.input(t('Email')).props('outlined type=email autocomplete=email autofocus').classes(
            'w-full').bind_value(form, 'email').mark('email')

        async def send() -> None:
            error.set_visibility(False)
            email.error = None
            try:
                await run.io_bound(action, get_db(), tenant_id=tenant.id, email=form.email, now=now(),
                                   address=address(request), locale=locale())
            except accounts.AccountError as refusal:
                _show(error, show(refusal.message))
                return
            done.text = show(accounts.CHECK_INBOX)  # the same answer whether or not the email has an account
            done.set_visibility(True)

        email.on('keydown.enter', send)
        ui.button(button, on_click=send).props('unelevated no-caps size=lg').classes('w-full').mark('send-link')
        _back_to_sign_in()


async def _choose_password_page(request: Request, token: str, purpose: Purpose, *, title: str) -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    await _language(request, tenant)
    title = t(title)
    form = Form()
    try:
        customer = await run.io_bound(accounts.check_link, get_db(), tenant_id=tenant.id, purpose=purpose,
                                      token=token, now=now())
    except InvalidToken as refusal:
        with _card(tenant, title, ''):
            ui.label(show(refusal.message)).classes('text-negative').props('role=alert').mark('link-invalid')
            ui.link(t('Send me a new link'), '/forgot').mark('forgot-link')
        return
    with _card(tenant, title, ''):
        _who(customer)
        error = _alert()
        with ui.column().classes('w-full gap-3') as body:
            new = password_field(t('New password'), kind='new', mark='new-password').bind_value(
                form, 'password')
            meter = StrengthMeter(accounts.user_inputs_of(customer))
            new.on_value_change(lambda e: meter.update(e.value))
            confirm = password_field(t('Confirm new password'), kind='confirm',
                                     mark='confirm-password').bind_value(form, 'confirm')

            async def save() -> None:
                error.set_visibility(False)
                new.error = confirm.error = None
                try:
                    await auth.password_work(accounts.set_password_with_link, get_db(), tenant_id=tenant.id,
                                             purpose=purpose, token=token, password=form.password, confirm=form.confirm,
                                             now=now())
                except accounts.ProfileInvalid as refusal:
                    new.error = show(refusal.problems.get('new') or refusal.problems.get('password')) or None
                    confirm.error = show(refusal.problems.get('confirm')) or None
                    return
                except InvalidToken as refusal:
                    _show(error, show(refusal.message))
                    return
                if purpose is Purpose.WELCOME:  # the welcome link came to their inbox: that is proof enough
                    session_id = await run.io_bound(auth.open_session, get_db(), tenant_id=tenant.id,
                                                    customer_id=customer.id, now=now())
                    session.hand_over(session_id)
                    return
                body.clear()
                with body:
                    ui.label(t('Your new password is set, and every device was signed out.')).props('role=status') \
                        .mark('password-set')
                    ui.button(t('Sign in'), on_click=lambda: ui.navigate.to('/login')).props(
                        'unelevated no-caps').classes('w-full').mark('to-sign-in')

            confirm.on('keydown.enter', save)
            ui.button(t('Save password'), on_click=save).props('unelevated no-caps size=lg').classes('w-full').mark(
                'save-password')


async def _link_account(tenant: d.Tenant, purpose: Purpose, token: str, *, title: str) -> d.Customer | None:
    """The account a link would act on, or None after saying the link cannot be used (nothing is spent here)."""
    try:
        return await run.io_bound(accounts.check_link, get_db(), tenant_id=tenant.id, purpose=purpose, token=token,
                                  now=now())
    except InvalidToken as refusal:
        with _card(tenant, title, ''):
            ui.label(show(refusal.message)).classes('text-negative').props('role=alert').mark('link-invalid')
            _back_to_sign_in()
        return None


def _who(customer: d.Customer) -> None:
    """Which account the button will act on, before it is pressed: the first name and the masked address."""
    who = f'{customer.first_name} · {masked_email(customer.email)}' if customer.first_name \
        else masked_email(customer.email)
    ui.label(t('Account: %(who)s', who=who)).classes('text-body1 text-weight-medium').mark(
        'link-account')


def _settings(tenant_id: int) -> PanelSettings:
    from services import panel

    return panel.panel_settings(get_db(), tenant_id=tenant_id)


async def _language(request: Request, tenant: d.Tenant) -> PanelSettings:
    """The business's settings, and the page's language chosen from them (nobody is signed in on these pages)."""
    settings = await run.io_bound(_settings, tenant.id) or PanelSettings()  # None only while the app stops
    choose_for(request, settings)
    return settings


def _signed_in(signed: auth.SignedIn) -> None:
    session.hand_over(signed.session_id)


@contextmanager
def _card(tenant: d.Tenant, title: str, intro: str, *, index: bool = False) -> Iterator[None]:
    description = intro if tenant.name in intro else f'{tenant.name}: {intro or title}'
    with frame(tenant, title=title, description=description, index=index):
        with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3'):
            ui.label(title).classes('text-h5').props('role=heading aria-level=1')
            if intro:
                ui.label(intro).classes('k-muted')
            yield


def _alert() -> ui.label:
    label = ui.label('').classes('text-negative').props('role=alert').mark('flow-error')
    label.set_visibility(False)
    return label


def _show(label: ui.label, message: str) -> None:
    label.text = message
    label.set_visibility(True)


def _back_to_sign_in(text: str | None = None, target: str = '/login') -> None:
    ui.link(text or t('Back to sign in'), target).classes('self-center').mark('back-to-sign-in')
