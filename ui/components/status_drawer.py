"""The Change status drawer: the statuses the business lets the customer set now, an optional reason, confirm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import ui

from domain import model as d
from domain import rules
from services import appointments, panel
from services import formatting as fmt
from ui.components.drawer import drawer
from ui.components.words import say, status_label, translated_status
from ui.context import PanelContext
from ui.i18n import locale, show, t
from ui.theme import status_badge


@dataclass
class StatusForm:
    target: str | None = None
    reason: str = ''


async def open_status_drawer(ctx: PanelContext, appointment_id: int,
                             on_changed: Callable[[], Awaitable[None]] | None = None) -> None:
    appt = await ctx.act(panel.appointment_detail, appointment_id=appointment_id)
    if appt is None:
        ui.notify(say(appointments.NOT_YOURS), type='negative')
        return
    now = ctx.now()
    closed = rules.why_not_change_status(appt, ctx.settings, now=now, statuses=ctx.statuses)
    targets = [] if closed else rules.allowed_targets(appt, ctx.settings, ctx.statuses, now=now)
    form = StatusForm(target=targets[0].key if len(targets) == 1 else None)

    with drawer(t('Change status'), mark='status-drawer') as panel_drawer:
        _summary(ctx, appt)
        if closed or not targets:
            with ui.row().classes('items-start no-wrap gap-2 q-pa-sm rounded-borders k-notice').props(
                    'role=status').mark('status-refusal'):
                ui.icon('lock_clock', size='20px').props('aria-hidden=true')
                ui.label(say(closed) if closed else t('There is no status you can set for this appointment now.'))
            ui.button(t('Close'), on_click=panel_drawer.close).props('flat no-caps').mark('status-close')
        else:
            _form(ctx, appt, targets, form, panel_drawer, on_changed)
    panel_drawer.open()


def _summary(ctx: PanelContext, appt: d.Appointment) -> None:
    with ui.column().classes('w-full gap-1'):
        ui.label(appt.service.name).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=3')
        ui.label(fmt.when(appt.start, appt.end, ctx.tz, locale=locale())).classes('text-body2')
        with ui.row().classes('items-center gap-2 text-body2'):
            ui.label(t('Now:')).classes('k-muted')
            status_badge(translated_status(appt.status), mark='status-current')


def _form(ctx: PanelContext, appt: d.Appointment, targets: list[d.Status], form: StatusForm, panel_drawer,
          on_changed: Callable[[], Awaitable[None]] | None) -> None:
    by_key = {s.key: s for s in targets}
    ui.label(t('New status')).classes('text-body2 text-weight-medium q-mt-sm').props('id=status-choice-label')
    choice = ui.radio({s.key: status_label(s) for s in targets}).bind_value(form, 'target').props(
        'aria-labelledby=status-choice-label').mark('status-choice')
    hint = ui.label().classes('text-caption k-muted').mark('status-hint')
    ui.textarea(label=t('Reason (optional)')).bind_value(form, 'reason').props(
        f'outlined autogrow maxlength={appointments.REASON_MAX} counter').classes('w-full').mark('status-reason')
    error = ui.label().classes('text-negative text-body2').props('role=alert').mark('status-error')
    error.set_visibility(False)

    def describe() -> None:
        chosen = by_key.get(choice.value or '')
        if chosen is None:
            hint.text = t('Choose the new status.')
        elif chosen.busy:
            hint.text = t('This takes the time slot again; we check that it is still free.')
        else:
            hint.text = t('This gives up your time slot; someone else may book it.')
        confirm.set_enabled(chosen is not None)

    async def submit() -> None:
        client = ui.context.client  # the page's: the drawer may be closed or redrawn away while the change is made
        form.target = choice.value
        if not form.target:
            return
        confirm.disable()
        try:
            changed = await ctx.act(appointments.change_status, appointment_id=appt.id, target=form.target,
                                    reason=form.reason, now=ctx.now())
        except appointments.NotAllowed as refused:
            with client:  # the refusal is said on the page when its drawer is gone
                if error.is_deleted:
                    ui.notify(show(refused.message), type='negative')
                    return
                error.text = show(refused.message)
            error.set_visibility(True)
            confirm.enable()
            return
        with client:  # the customer learns the change was made even when the drawer went meanwhile
            # Translators: %(status)s is the new status's name in lower case ("canceled").
            ui.notify(t('Your appointment is now %(status)s.', status=show(rules.status_word(changed.status))),
                      type='positive')
        if not panel_drawer.is_deleted:
            panel_drawer.close()
        if on_changed is not None:
            await on_changed()

    with ui.row().classes('w-full justify-end gap-2 q-mt-sm'):
        ui.button(t('Keep as is'), on_click=panel_drawer.close).props('flat no-caps').mark('status-cancel')
        confirm = ui.button(t('Confirm'), on_click=submit).props('unelevated no-caps').mark('status-confirm')
    choice.on_value_change(describe)
    describe()
