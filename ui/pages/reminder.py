"""`/reminder?token=...&do=confirm|reschedule|cancel`: where a reminder's buttons lead.

Like every link page it acts only after a click on the page (a mail scanner that fetches the link changes nothing).
It shows the appointment in the customer's language and time zone, and the actions the business's rules allow now:
confirm (when the business asks for it), cancel, and reschedule (in the panel, after signing in). The action the
email's button named comes first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import Request
from nicegui import run, ui

from domain.i18n import label
from domain.rules import NotAllowed
from services import formatting as fmt
from services import panel, reminders, tokens
from services.context import get_db
from services.tenants import resolve_tenant
from ui.i18n import choose, locale, show, t
from ui.theme import frame

ACTIONS = (reminders.CONFIRM, reminders.RESCHEDULE, reminders.CANCEL)


@ui.page('/reminder')
async def reminder_page(request: Request, token: str = '', do: str = '') -> None:
    tenant = resolve_tenant(request.headers.get('host'))
    settings = await run.io_bound(panel.panel_settings, get_db(), tenant_id=tenant.id)
    if settings is None:  # the server is shutting down
        return
    try:
        view = await run.io_bound(reminders.reminder_view, get_db(), tenant_id=tenant.id, token=token,
                                  now=datetime.now(UTC))
    except tokens.InvalidToken:
        view = None
    if view is None:
        choose(request, settings)
        with frame(tenant, title=t('Your appointment')):
            with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3'):
                ui.label(t('Your appointment')).classes('text-h5').props('role=heading aria-level=1')
                ui.label(t('This link has expired or was already used. Sign in to see your appointments.')).classes(
                    'text-negative').props('role=alert').mark('reminder-invalid')
                ui.button(t('Sign in'), on_click=lambda: ui.navigate.to('/login')).props('unelevated no-caps')
        return
    choose(request, settings, saved=view.customer.language)
    with frame(tenant, title=t('Your appointment')):
        with ui.card().classes('k-card w-full max-w-md self-center q-pa-lg gap-3'):
            ui.label(t('Your appointment')).classes('text-h5').props('role=heading aria-level=1')
            _draw(view, token=token, first=do if do in ACTIONS else reminders.CONFIRM)


def _draw(view: reminders.ReminderView, *, token: str, first: str) -> None:
    tz = ZoneInfo(view.customer.timezone or view.tenant.timezone)
    appt = view.appointment
    ui.label(t('%(service)s with %(staff)s', service=appt.service.name, staff=appt.staff.name)).classes(
        'text-h6').props('role=heading aria-level=2').mark('reminder-service')
    ui.label(f'{fmt.when(appt.start, appt.end, tz, locale=locale())} ({tz.key})').classes('text-body1').mark(
        'reminder-when')
    status = ui.label(t('Status: %(status)s', status=label(appt.status.label))).classes('text-body1').mark(
        'reminder-status')
    confirmed = ui.label(t('You confirmed this visit. Thank you!') if view.confirmed_at else '').classes(
        'text-positive').props('role=status').mark('reminder-confirmed')
    message = ui.label('').classes('text-negative').props('role=alert').mark('reminder-error')
    buttons = ui.column().classes('w-full gap-2')

    def refresh(fresh: reminders.ReminderView) -> None:
        status.text = t('Status: %(status)s', status=label(fresh.appointment.status.label))
        confirmed.text = t('You confirmed this visit. Thank you!') if fresh.confirmed_at else ''
        buttons.clear()
        with buttons:
            _buttons(fresh)

    async def act(kind: str) -> None:
        message.text = ''
        job = reminders.confirm_visit if kind == reminders.CONFIRM else reminders.cancel_visit
        try:
            fresh = await run.io_bound(job, get_db(), tenant_id=view.tenant.id, token=token, now=datetime.now(UTC))
        except NotAllowed as refusal:
            message.text = show(refusal.message)
            return
        except tokens.InvalidToken:
            message.text = t('This link has expired or was already used. Sign in to see your appointments.')
            return
        if fresh is None:
            return
        if kind == reminders.CANCEL:
            ui.notify(t('Your appointment is canceled.'), type='positive')
        refresh(fresh)

    def _buttons(current: reminders.ReminderView) -> None:
        order = [first] + [a for a in ACTIONS if a != first]
        for kind in order:
            if kind == reminders.CONFIRM and current.asks_confirmation and current.confirm is None:
                ui.button(t('Confirm my visit'), on_click=lambda: act(reminders.CONFIRM)).props(
                    'unelevated no-caps size=lg').classes('w-full').mark('reminder-confirm')
            elif kind == reminders.CANCEL and current.cancel is None:
                ui.button(t('Cancel the appointment'), on_click=lambda: act(reminders.CANCEL)).props(
                    'outline no-caps color=negative').classes('w-full').mark('reminder-cancel')
            elif kind == reminders.RESCHEDULE and current.reschedule is None:
                target = f'/?open=reschedule&appointment={current.appointment.id}'
                ui.button(t('Reschedule'), on_click=lambda to=target: ui.navigate.to(to)).props(
                    'outline no-caps').classes('w-full').mark('reminder-reschedule')
        reasons = [r for r in (current.cancel, current.reschedule) if r is not None]
        if current.asks_confirmation and current.confirm is not None and not current.confirmed_at:
            reasons.insert(0, current.confirm)
        if reasons:
            ui.label(show(reasons[0])).classes('text-body2 k-muted').mark('reminder-why-not')
        ui.link(t('See all your appointments'), '/').classes('text-body2')

    with buttons:
        _buttons(view)
