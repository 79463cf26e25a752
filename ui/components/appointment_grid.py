"""Appointment cards drawn in the browser from plain rows: one server element however many cards a page shows.

Each card is a Quasar card inside a QTable in grid mode; its buttons emit `action` events with the appointment id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from nicegui import events, ui

from domain import model as d
from domain import rules
from ui import format as fmt
from ui.context import PanelContext

ActionHandler = Callable[[str, int], Awaitable[None]]

CARD = r'''
<div class="q-pa-xs col-12 col-sm-6 col-md-4">
  <q-card flat bordered class="k-card full-height column" role="article"
          :aria-label="props.row.label">
    <q-card-section class="q-pb-xs col">
      <div class="row items-start no-wrap q-gutter-x-sm">
        <div class="col text-subtitle1 text-weight-medium" role="heading" aria-level="3">{{ props.row.service }}</div>
        <q-badge v-if="props.row.status_label" :style="{background: props.row.status_color}" text-color="white"
                 class="q-py-xs q-px-sm" :label="props.row.status_label" data-testid="status-badge" />
      </div>
      <div class="text-body2 q-mt-xs">{{ props.row.when }}</div>
      <div v-if="props.row.staff" class="row items-center no-wrap q-mt-sm q-gutter-x-sm">
        <q-avatar v-if="props.row.staff_avatar !== null" size="28px" color="grey-3" text-color="grey-9">
          <img v-if="props.row.staff_avatar" :src="props.row.staff_avatar" alt="">
          <span v-else aria-hidden="true">{{ props.row.staff_initials }}</span>
        </q-avatar>
        <span class="text-body2">{{ props.row.staff }}</span>
      </div>
      <div v-if="props.row.location" class="text-body2 k-muted q-mt-xs">
        <q-icon name="place" size="16px" aria-hidden="true" /> {{ props.row.location }}
      </div>
      <div v-if="props.row.price" class="text-body2 q-mt-xs">
        <span class="text-weight-medium">{{ props.row.price }}</span>
        <span class="k-muted"> · {{ props.row.payment_label }}</span>
      </div>
      <div v-if="props.row.note" class="text-caption k-muted q-mt-xs">{{ props.row.note }}</div>
    </q-card-section>
    <q-card-actions class="q-pt-none q-px-sm">
      <q-btn flat dense no-caps color="primary" label="Details" :aria-label="'Details: ' + props.row.label"
             @click="$parent.$emit('action', {kind: 'details', id: props.row.id})" />
      <q-btn v-if="props.row.can_reschedule" flat dense no-caps color="primary" label="Reschedule"
             :aria-label="'Reschedule: ' + props.row.label"
             @click="$parent.$emit('action', {kind: 'reschedule', id: props.row.id})" />
      <q-btn v-if="props.row.can_pay" flat dense no-caps color="primary" label="Pay"
             :aria-label="'Pay: ' + props.row.label"
             @click="$parent.$emit('action', {kind: 'pay', id: props.row.id})" />
      <q-btn v-if="props.row.can_status" flat dense no-caps color="primary" label="Change status"
             :aria-label="'Change status: ' + props.row.label"
             @click="$parent.$emit('action', {kind: 'status', id: props.row.id})" />
      <q-btn v-if="props.row.rebook_url" flat dense no-caps color="primary" label="Rebook"
             :aria-label="'Rebook: ' + props.row.service" :href="props.row.rebook_url" type="a" />
    </q-card-actions>
  </q-card>
</div>
'''


def card_row(appt: d.Appointment, ctx: PanelContext, now: datetime, *,
             available: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What one card shows, decided on the server by the Panel Designer and the business's rules."""
    designer = ctx.settings.designer
    tz = ctx.tz
    when = fmt.when(appt.start, appt.end, tz)
    reschedule_reason = rules.why_not_reschedule(appt, ctx.settings, now=now)
    status_reason = rules.why_not_change_status(appt, ctx.settings, now=now)
    can_status = status_reason is None and bool(rules.allowed_targets(appt, ctx.settings, ctx.statuses, now=now))
    can_pay = rules.why_not_pay(appt, ctx.settings) is None
    # Say why a change is closed on upcoming cards (past ones are simply over).
    note = ''
    if appt.is_upcoming(now) and appt.status.busy:
        if reschedule_reason and ctx.settings.reschedule_enabled:
            note = reschedule_reason
        elif status_reason and ctx.settings.status_change_enabled:
            note = status_reason
    staff_avatar: str | None = None
    if designer.show_staff and designer.show_staff_avatar:
        staff_avatar = appt.staff.avatar_url or ''
    booking = ctx.settings.booking_url or ctx.tenant.booking_url
    return {
        'id': appt.id,
        'service': appt.service.name,
        'when': when,
        'label': f'{appt.service.name}, {when}',
        'status_label': appt.status.label if designer.show_status_badge else '',
        'status_color': appt.status.color,
        'staff': appt.staff.name if designer.show_staff else '',
        'staff_avatar': staff_avatar,
        'staff_initials': ''.join(part[:1] for part in appt.staff.name.split()[:2]).upper(),
        'location': appt.location.name if designer.show_location and appt.location else '',
        'price': fmt.money(appt.price, ctx.tenant.currency) if designer.show_price and appt.price else '',
        'payment_label': _payment_label(appt, ctx),
        'can_reschedule': reschedule_reason is None and 'reschedule' in available,
        'can_pay': can_pay and 'pay' in available,
        'can_status': can_status and 'status' in available,
        'rebook_url': (f'{booking}?service={appt.service.id}'
                       if designer.show_rebook and appt.is_past(now) else ''),
        'note': note,
    }


def _payment_label(appt: d.Appointment, ctx: PanelContext) -> str:
    status = appt.payment_status
    if status is d.PaymentStatus.PAID:
        return 'Paid'
    if status is d.PaymentStatus.DEPOSIT_PAID:
        return f'Deposit paid, {fmt.money(appt.amount_due, ctx.tenant.currency)} due'
    return f'Unpaid, {fmt.money(appt.amount_due, ctx.tenant.currency)} due'


class AppointmentGrid(ui.table):
    """A grid of appointment cards; `rows` are card_row() dicts."""

    def __init__(self, on_action: ActionHandler) -> None:
        super().__init__(columns=[{'name': 'id', 'label': 'id', 'field': 'id'}], rows=[], row_key='id',
                         pagination=0)
        self.props('grid flat hide-bottom hide-header card-container-class="q-col-gutter-none"')
        self.classes('w-full k-grid')
        self.add_slot('item', CARD)
        self._on_action = on_action
        self.on('action', self._handle)

    async def _handle(self, event: events.GenericEventArguments) -> None:
        args = event.args or {}
        kind, appointment_id = str(args.get('kind', '')), args.get('id')
        if not isinstance(appointment_id, int):
            return
        # Only ids this page shows: the drawers check ownership again on the server.
        if not any(row['id'] == appointment_id for row in self.rows):
            return
        await self._on_action(kind, appointment_id)

    def show(self, rows: Sequence[dict[str, Any]]) -> None:
        self.rows = list(rows)
        self.update()
