"""Security: change the password (current, new, confirm) with a live strength meter; ends the other sessions."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from services import accounts
from ui.components.strength_meter import StrengthMeter, password_field
from ui.context import PanelContext
from ui.i18n import show, t, tn


@dataclass
class PasswordForm:
    current: str = ''
    new: str = ''
    confirm: str = ''


async def build(ctx: PanelContext) -> None:
    customer = await ctx.act(accounts.get_customer)
    form = PasswordForm()
    has_password = customer.has_password
    title = t('Change your password') if has_password else t('Set a password')

    async def save() -> None:
        for field in fields.values():
            field.error = None
        done.set_visibility(False)
        if form.new != form.confirm:
            fields['confirm'].error = t('The two new passwords do not match.')
            return
        button.props('loading')
        try:
            ended = await ctx.act(accounts.change_password, current=form.current, new=form.new,
                                  confirm=form.confirm, keep_session_id=ctx.session_id, now=ctx.now())
        except accounts.ProfileInvalid as refusal:
            for key, message in refusal.problems.items():
                fields.get(key, fields['new']).error = show(message)
            return
        except accounts.AccountError as refusal:
            fields['current' if 'current' in fields else 'new'].error = show(refusal.message)
            return
        finally:
            button.props(remove='loading')
        form.current = form.new = form.confirm = ''
        await meter.update('')
        done.text = ' '.join([t('Your password was changed.'),
                              *([tn('%(num)d other device was signed out.', '%(num)d other devices were signed out.',
                                    ended)] if ended else []),
                              t('We emailed you a note about it.')])
        done.set_visibility(True)
        ui.notify(t('Password changed'), type='positive')

    with ui.card().classes('k-card w-full max-w-xl q-pa-lg gap-3').mark('security'):
        ui.label(title).classes('text-h6').props('role=heading aria-level=2')
        if has_password:
            ui.label(t('Changing it signs you out on every other device.')).classes('k-muted')
        else:
            ui.label(t('Your account has no password yet: you signed in with a link. Choose one to sign in with '
                       'your email and password too.')).classes('k-muted')
        done = ui.label().classes('text-positive').props('role=status').mark('password-changed')
        done.set_visibility(False)
        fields: dict[str, ui.input] = {}
        if has_password:
            fields['current'] = password_field(t('Current password'), kind='current',
                                               mark='current-password', autocomplete='current-password').bind_value(
                form, 'current')
        fields['new'] = password_field(t('New password'), kind='new', mark='new-password').bind_value(
            form, 'new')
        meter = StrengthMeter([customer.first_name, customer.last_name, customer.first_name + customer.last_name,
                               customer.email])
        fields['new'].on_value_change(lambda e: meter.update(e.value))
        fields['confirm'] = password_field(t('Confirm new password'), kind='confirm',
                                           mark='confirm-password').bind_value(form, 'confirm')
        fields['confirm'].on('keydown.enter', save)
        button = ui.button(t('Save password') if has_password else t('Set password'), on_click=save).props(
            'unelevated no-caps').classes('self-start').mark('save-password')
