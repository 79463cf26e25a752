"""The Reschedule drawer: the current time, a month of free dates and the picked day's free times, confirm.

The appointment being moved never blocks itself (the picker ignores it). The same staff member is kept unless the
customer switches to any staff. The server asks the rules and the slot again in the write; a time taken meanwhile is
refused with a plain message and the times reload.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nicegui import run, ui

from domain import model as d
from domain import rules
from domain.availability import Slot
from domain.i18n import N_
from services import availability, booking
from services import formatting as fmt
from services.context import get_db
from ui.components.drawer import Drawer, drawer, own_appointment
from ui.components.slot_picker import SlotPicker, SlotQuery
from ui.components.words import say
from ui.context import PanelContext
from ui.i18n import locale, show, t

REASON_NEEDED = N_('Please tell the business why you are moving it again.')


@dataclass
class RescheduleForm:
    any_staff: bool = False
    reason: str = ''


async def open_reschedule_drawer(ctx: PanelContext, appointment_id: int,
                                 on_changed: Callable[[], Awaitable[None]] | None = None) -> None:
    appt = await own_appointment(ctx, appointment_id)
    if appt is None:
        return
    refused = rules.why_not_reschedule(appt, ctx.settings, now=ctx.now())
    staff = [] if refused else await run.io_bound(availability.staff_for_service, get_db(), tenant_id=ctx.tenant.id,
                                                   service_id=appt.service.id)
    title = t('Reschedule')
    with drawer(title, mark='reschedule-drawer') as panel_drawer:
        _current(ctx, appt)
        if refused:
            with ui.row().classes('w-full items-start no-wrap gap-2 q-pa-sm rounded-borders').style(
                    'background: rgba(0,0,0,.04)').props('role=status').mark('reschedule-refusal'):
                ui.icon('lock_clock', size='20px').props('aria-hidden=true')
                ui.label(say(refused))
            ui.button(t('Close'), on_click=panel_drawer.close).props('flat no-caps').mark('reschedule-close')
            picker = None
        else:
            picker = _form(ctx, appt, staff or [], panel_drawer, on_changed)
    panel_drawer.props['aria-label'] = title  # the dialog itself needs a name, not only its card
    panel_drawer.open()
    if picker is not None:
        await picker.start()


def _current(ctx: PanelContext, appt: d.Appointment) -> None:
    with ui.column().classes('w-full gap-1').mark('reschedule-current'):
        ui.label(appt.service.name).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=3')
        with ui.row().classes('items-center gap-1 text-body2'):
            ui.label(t('Now:')).classes('k-muted')
            ui.label(t('%(when)s with %(staff)s', when=fmt.when(appt.start, appt.end, ctx.tz, locale=locale()),
                       staff=appt.staff.name))


def _form(ctx: PanelContext, appt: d.Appointment, staff: list[d.Staff], panel_drawer: Drawer,
          on_changed: Callable[[], Awaitable[None]] | None) -> SlotPicker:
    form = RescheduleForm()
    everyone = tuple(s.id for s in staff) or (appt.staff.id,)

    def query() -> SlotQuery:
        return SlotQuery(tenant_id=ctx.tenant.id, service_id=appt.service.id,
                         staff_id=None if form.any_staff else appt.staff.id,
                         staff_ids=everyone if form.any_staff else (appt.staff.id,),
                         group=appt.service.capacity > 1, max_days_ahead=appt.service.max_days_ahead,
                         ignore_appointment_id=appt.id, seats=appt.seats,
                         location_id=appt.location.id if appt.location else None,
                         current=(appt.start, appt.staff.id))

    async def toggle_staff() -> None:
        await picker.set_query(query())

    if len(everyone) > 1:
        ui.switch(t('Any available staff (not only %(staff)s)', staff=appt.staff.name),
                  on_change=toggle_staff).bind_value(form, 'any_staff').mark('any-staff')
    picker = SlotPicker(query(), tz=ctx.tz, business_tz=ctx.business_tz, now=ctx.now,
                        on_pick=lambda slot: describe(slot))
    choice = ui.label().classes('text-body2 text-weight-medium').props('aria-live=polite').mark('reschedule-choice')
    reason = None
    if rules.reschedule_needs_reason(appt):
        reason = ui.textarea(label=t('Reason for moving it again')).bind_value(form, 'reason').props(
            f'outlined autogrow maxlength={rules.REASON_MAX} counter').classes('w-full').mark('reschedule-reason')
    error = ui.label().classes('text-negative text-body2').props('role=alert').mark('reschedule-error')

    def describe(slot: Slot | None) -> None:
        error.text = ''
        if slot is None:
            choice.text = ''
            confirm.disable()
            return
        when = fmt.when(slot.start, slot.end, ctx.tz, locale=locale())
        if form.any_staff and slot.staff_ids:  # the server keeps the current staff member when they are free then
            names = {s.id: s.name for s in staff}
            keeps = appt.staff.id in slot.staff_ids
            who = appt.staff.name if keeps else names.get(slot.staff_ids[0]) or t('another staff member')
            choice.text = t('New time: %(when)s with %(staff)s', when=when, staff=who)
        else:
            choice.text = t('New time: %(when)s', when=when)
        confirm.enable()

    async def submit() -> None:
        client = ui.context.client  # the page's: the drawer may be closed or redrawn away while the move is made
        slot = picker.selected
        if slot is None:
            return
        if reason is not None and not form.reason.strip():
            error.text = t(REASON_NEEDED)
            return
        confirm.disable()
        staff_id = None if form.any_staff else appt.staff.id
        try:
            moved = await ctx.act(booking.reschedule, appointment_id=appt.id, new_start=slot.start,
                                  now=ctx.now(), staff_id=staff_id, reason=form.reason.strip())
        except booking.SlotTaken as taken:
            await picker.refresh(quiet=True)
            if error.is_deleted:  # the customer closed the drawer meanwhile: nobody to tell
                return
            error.text = show(taken.message)
            confirm.set_enabled(picker.selected is not None)
            return
        except booking.BookingRefused as refusal:
            with client:  # the refusal is said on the page when its drawer is gone
                if error.is_deleted:
                    ui.notify(show(refusal.message), type='negative')
                    return
                error.text = show(refusal.message)
            confirm.enable()
            return
        if moved is None:
            return
        with client:  # the customer learns the move was made even when the drawer went meanwhile
            ui.notify(t('Moved to %(when)s.', when=fmt.when(moved.start, moved.end, ctx.tz, locale=locale())),
                      type='positive')
        if not panel_drawer.is_deleted:
            panel_drawer.close()
        if on_changed is not None:
            await on_changed()

    with ui.row().classes('w-full justify-end gap-2 q-mt-sm'):
        ui.button(t('Keep current time'), on_click=panel_drawer.close).props('flat no-caps').mark(
            'reschedule-cancel')
        confirm = ui.button(t('Confirm new time'), on_click=submit).props('unelevated no-caps').mark(
            'reschedule-confirm')
    confirm.disable()
    return picker
