"""The Details drawer: everything about one appointment, in the customer's time (and the business's if different)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain import formatting as fmt
from domain import model as d
from ui.components import details_extras, history_timeline, receipts
from ui.components.drawer import drawer, own_appointment
from ui.context import PanelContext
from ui.theme import status_badge


async def open_details_drawer(ctx: PanelContext, appointment_id: int,
                              on_changed: Callable[[], Awaitable[None]] | None = None) -> None:
    appt = await own_appointment(ctx, appointment_id)
    if appt is None:
        return
    with drawer('Details', mark='details-drawer') as d_:
        details_body(ctx, appt)
        for extension in EXTENSIONS:
            await extension(ctx, appt, on_changed)
    d_.open()


# What the drawer shows below the facts, in this order: meeting link, rating and calendar; receipts; history.
Extension = Callable[[PanelContext, d.Appointment, Callable[[], Awaitable[None]] | None], Awaitable[None]]
EXTENSIONS: tuple[Extension, ...] = (
    details_extras.render,
    receipts.render,
    history_timeline.render,
)


def details_body(ctx: PanelContext, appt: d.Appointment) -> None:
    tz, business = ctx.tz, ctx.business_tz
    with ui.row().classes('items-center gap-2 w-full'):
        ui.label(appt.service.name).classes('text-h6 col').props('role=heading aria-level=3')
        status_badge(appt.status, mark='details-status')
    rows: list[tuple[str, str]] = [
        ('Date', fmt.date(appt.start, tz)),
        ('Time', f'{fmt.time_range(appt.start, appt.end, tz)} ({fmt.zone_label(tz, appt.start)})'),
    ]
    if tz.key != business.key:
        business_when = f'{fmt.when(appt.start, appt.end, business)} ({fmt.zone_label(business, appt.start)})'
        rows.append(('Business time', business_when))
    # The same Panel Designer switches as the cards: what the business hides there is hidden here too.
    designer = ctx.settings.designer
    rows.append(('Duration', fmt.duration(appt.end - appt.start)))
    if designer.show_staff:
        rows.append(('Staff', appt.staff.name))
    if designer.show_location:
        rows.append(('Location', appt.location.name if appt.location else (
            'Online' if appt.service.is_online else '—')))
    if appt.seats > 1:
        rows.append(('Seats', str(appt.seats)))
    currency = ctx.tenant.currency
    if designer.show_price:
        rows.append(('Price', fmt.money(appt.price, currency) if appt.price else 'Free'))
    if designer.show_payment_status and appt.price:
        rows += [('Paid', fmt.money(appt.amount_paid, currency)), ('Due', fmt.money(appt.amount_due, currency))]
    with ui.element('dl').classes('w-full q-ma-none').mark('details-facts'):
        for term, value in rows:
            with ui.element('div').classes('row no-wrap q-py-xs').style('border-bottom: 1px solid rgba(0,0,0,.06)'):
                with ui.element('dt').classes('col-4 k-muted'):
                    ui.label(term)
                with ui.element('dd').classes('col q-ma-none text-weight-medium'):
                    ui.label(value)
    if appt.notes:
        ui.label(appt.notes).classes('k-muted')
