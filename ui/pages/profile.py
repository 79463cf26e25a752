"""Profile: names, email (changed through a link to the new address), phone, date of birth, gender, photo;
and, where the business allows it, closing the account after a confirmation step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from nicegui import app, context, ui

from domain.accounts import GENDERS, ProfileInput, profile_problems
from domain.i18n import N_
from services import accounts, reminders
from ui.components.avatar_upload import avatar_upload
from ui.components.language_switcher import language_select
from ui.components.strength_meter import password_field
from ui.context import PanelContext, to_sign_in
from ui.i18n import show, t

# Translators: the word the customer types to confirm deleting their account. Keep it short, in capitals.
DELETE_WORD = N_('DELETE')


@dataclass
class ProfileForm:
    first_name: str = ''
    last_name: str = ''
    email: str = ''
    phone: str = ''
    birth_date: str = ''  # YYYY-MM-DD from the date input, '' when not given
    gender: str = ''
    password: str = ''  # asked for only while the email differs from the saved one


async def build(ctx: PanelContext) -> None:
    customer = await ctx.act(accounts.get_customer)
    form = ProfileForm(first_name=customer.first_name, last_name=customer.last_name, email=customer.email,
                       phone=customer.phone, birth_date=customer.birth_date.isoformat() if customer.birth_date else '',
                       gender=customer.gender if customer.gender in GENDERS else '')
    today = ctx.now().astimezone(ctx.tz).date()

    async def save() -> None:
        for field in fields.values():
            field.error = None
        status.text = ''
        try:
            born = date.fromisoformat(form.birth_date) if form.birth_date else None
        except ValueError:
            fields['birth_date'].error = t('Enter a date like %(example)s.', example='1990-12-31')
            return
        # A cleared field reads None. Read as '' here, never written back: the binding would then hand the field a
        # new value, and a field whose value changes drops its error (NiceGUI validates it again), so the message
        # set below went away a moment after it was shown.
        email = form.email or ''
        profile = ProfileInput(first_name=form.first_name or '', last_name=form.last_name or '',
                               phone=form.phone or '', birth_date=born, gender=form.gender or '')
        problems = profile_problems(profile, today=today)
        if problems:  # the same rule the server applies; shown at once, next to each field
            for key, message in problems.items():
                fields[key].error = show(message)
            return
        button.props('loading')
        try:
            await ctx.act(accounts.update_profile, profile=profile, today=today)
            note = t('Your profile is saved.')
            if email.strip().lower() != customer.email.lower():
                await ctx.act(accounts.request_email_change, new_email=email, now=ctx.now(),
                              password=form.password or '', signed_in_at=_signed_in_at(), address=_address())
                form.password = ''
                note = t('Your profile is saved. We sent a link to %(new)s: your email changes when you open it. '
                         'Until then we keep using %(old)s.', new=email.strip(), old=customer.email)
        except accounts.ProfileInvalid as refusal:
            for key, said in refusal.problems.items():
                target = fields.get(key, fields['first_name'])
                if target.visible:
                    target.error = show(said)
                else:  # no password to type (an account made by booking or a link): the way is a fresh sign-in
                    status.text = show(said)
            return
        except accounts.AccountError as refusal:
            status.text = show(refusal.message)
            return
        finally:
            button.props(remove='loading')
        status.text = note
        ui.notify(t('Profile saved'), type='positive')

    with ui.card().classes('k-card w-full max-w-xl q-pa-lg gap-3').mark('profile'):
        ui.label(t('Your profile')).classes('text-h6').props('role=heading aria-level=2')
        if ctx.settings.designer.allow_avatar_upload:
            avatar_upload(ctx, first_name=customer.first_name, last_name=customer.last_name, email=customer.email,
                          avatar_url=customer.avatar_url)
            ui.separator()
        fields: dict[str, ui.input | ui.select] = {}
        with ui.row().classes('w-full gap-3 no-wrap max-sm:flex-wrap'):
            fields['first_name'] = _text(t('First name'), 'first-name', 'given-name').bind_value(form, 'first_name')
            fields['last_name'] = _text(t('Last name'), 'last-name', 'family-name').bind_value(form, 'last_name')
        fields['email'] = _text(t('Email'), 'profile-email', 'email').props('type=email').bind_value(form, 'email')
        ui.label(t('Changing it sends a confirmation link to the new address.')).classes('text-caption k-muted')
        fields['password'] = password_field(t('Your password, to confirm it is you'), mark='email-password',
                                            autocomplete='current-password').bind_value(form, 'password')
        fields['password'].bind_visibility_from(form, 'email', backward=lambda value: customer.has_password and (
            value or '').strip().lower() != customer.email.lower())
        fields['phone'] = _text(t('Phone'), 'phone', 'tel').props('type=tel').bind_value(form, 'phone')
        fields['birth_date'] = _text(t('Date of birth'), 'birth-date', 'bday').props(
            f'type=date stack-label max={today.isoformat()}').bind_value(form, 'birth_date')
        genders = {key: t(words) for key, words in GENDERS.items()}
        fields['gender'] = ui.select(genders, label=t('Gender')).props('outlined emit-value map-options').classes(
            'w-full').bind_value(form, 'gender').mark('gender')
        # The customer's language: kept in their account (customer.language, their emails follow it) and the page is
        # built again in it at once, with what they typed above kept (ui.components.language_switcher).
        language_select(tenant_id=ctx.tenant.id, session_id=ctx.session_id).classes('w-full')
        status = ui.label('').props('role=status aria-live=polite').classes('text-body2').mark('profile-status')
        button = ui.button(t('Save profile'), on_click=save).props('unelevated no-caps').classes('self-start').mark(
            'save-profile')

    _reminder_switch(ctx, on=customer.email_reminders)
    if ctx.settings.allow_account_deletion:
        _danger_zone(ctx)


def _reminder_switch(ctx: PanelContext, *, on: bool) -> None:
    """Reminders before a visit and the follow-up after it come only while this is on (saved at once)."""
    async def changed(value: bool) -> None:
        await ctx.act(reminders.set_email_reminders, on=value)
        ui.notify(t('Reminders are on.') if value else t('Reminders are off.'), type='positive')

    with ui.card().classes('k-card w-full max-w-xl q-pa-lg gap-2').mark('reminder-settings'):
        ui.label(t('Emails')).classes('text-h6').props('role=heading aria-level=2')
        ui.switch(t('Email me reminders'), value=on, on_change=lambda e: changed(bool(e.value))).props(
            'color=primary').mark('email-reminders')
        ui.label(t('Before your visits, and a short question after them.')).classes('text-caption k-muted')


def _signed_in_at() -> datetime | None:
    """When this browser last signed in (kept at sign-in in its server-side storage): a fresh sign-in may change the
    email without the password."""
    try:
        return datetime.fromisoformat(str(app.storage.user.get('signed_in_at') or ''))
    except ValueError:
        return None


def _address() -> str | None:
    request = context.client.request
    return request.client.host if request and request.client else None


def _confirms(typed: str | None, word: str) -> bool:
    """The customer typed the confirmation word: their language's, or the English one."""
    value = (typed or '').strip().upper()
    return value in (word.strip().upper(), DELETE_WORD)


def _text(label: str, mark: str, autocomplete: str) -> ui.input:
    return ui.input(label).props(f'outlined autocomplete={autocomplete}').classes('w-full').mark(mark)


def _danger_zone(ctx: PanelContext) -> None:
    """A clearly separate card; deleting needs a second step where the customer types DELETE (in their language:
    the server is sent the English word)."""
    word = t(DELETE_WORD)
    # Quasar gives the dialog itself role=dialog: it is named too, not only its card.
    with ui.dialog().props('aria-labelledby=delete-title') as dialog, ui.card().classes('q-pa-lg gap-3 max-w-md').props(
            'role=alertdialog aria-labelledby=delete-title'):
        ui.label(t('Delete your account?')).classes('text-h6').props('id=delete-title')
        ui.label(t('You will be signed out everywhere and cannot sign in or book with this account again. '
                   'Your upcoming appointments are canceled and the business is told; your past appointments stay '
                   'on record with the business. You can sign up again later with the same email as a new '
                   'account.')).classes('text-body2')
        typed = ui.input(t('Type %(word)s to confirm', word=word)).props('outlined autocomplete=off').classes(
            'w-full').mark('delete-confirm')
        problem = ui.label('').classes('text-negative').props('role=alert')
        with ui.row().classes('w-full justify-end gap-2'):
            ui.button(t('Keep my account'), on_click=dialog.close).props('flat no-caps').mark('delete-cancel')
            confirm = ui.button(t('Delete my account')).props('unelevated no-caps color=negative').mark(
                'delete-account-confirm')
        typed.on_value_change(lambda e: confirm.set_enabled(_confirms(e.value, word)))
        confirm.set_enabled(False)

    async def delete() -> None:
        try:
            # The server checks the confirmation again, in the word it knows.
            confirmation = DELETE_WORD if _confirms(typed.value, word) else (typed.value or '')
            await ctx.act(accounts.delete_account, confirmation=confirmation, now=ctx.now())
        except accounts.AccountError as refusal:
            problem.text = show(refusal.message)
            return
        app.storage.user.pop('session', None)
        dialog.close()
        to_sign_in(target='/login?deleted=1')

    confirm.on_click(delete)

    with ui.card().classes('k-card w-full max-w-xl q-pa-lg gap-2').style(
            'border: 1px solid var(--q-negative)').mark('danger-zone'):
        ui.label(t('Delete account')).classes('text-h6 text-negative').props('role=heading aria-level=2')
        ui.label(t('Closes your account for good and cancels your upcoming appointments. Your past appointments are '
                   'kept by the business.')).classes('k-muted')
        ui.button(t('Delete my account…'), on_click=dialog.open).props('outline no-caps color=negative').classes(
            'self-start').mark('delete-account')
