"""The business's reminders at /admin/reminders: one or two reminders before each visit (for every service, or a
service's own), asking customers to confirm, and the follow-up after a visit (domain.reminders)."""

from __future__ import annotations

from dataclasses import dataclass, field

from nicegui import ui

from domain.i18n import N_
from domain.reminders import ReminderSettings, ReminderSettingsError
from services import reminders
from ui.i18n import show, t, tn
from ui.pages.admin.shell import AdminContext, admin_page

CHOICES = (15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080)  # minutes before the start
ALL, NONE, OWN = 'all', 'none', 'own'


@dataclass
class Pair:
    first: int = 0  # 0: no reminder
    second: int = 0

    @classmethod
    def of(cls, offsets: tuple[int, ...]) -> Pair:
        padded = (*sorted(offsets, reverse=True), 0, 0)
        return cls(padded[0], padded[1])

    def offsets(self) -> tuple[int, ...]:
        return tuple(m for m in (self.first, self.second) if m)


@dataclass
class ServiceRow:
    service_id: int
    name: str
    mode: str = ALL
    own: Pair = field(default_factory=Pair)


@admin_page('/admin/reminders', title=N_('Reminders'))
async def reminders_page(ctx: AdminContext) -> None:
    ui.label(t('Reminders')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Customers get an email before each visit, in their language, with buttons to confirm, reschedule or '
               'cancel. Customers can turn reminders off in their profile.')).classes('k-muted')
    view = await ctx.act(reminders.settings_view)
    current = view.settings
    every = Pair.of(current.minutes_before)
    rows = [ServiceRow(sid, name, mode=_mode(current, sid), own=Pair.of(current.per_service.get(sid, ())))
            for sid, name in view.services]
    flags = {'ask': current.ask_confirmation, 'follow': current.follow_up}
    options = _options(current)

    with ui.card().classes('k-card w-full max-w-2xl q-pa-md gap-3').mark('reminders-all'):
        ui.label(t('Before each visit')).classes('text-subtitle1').props('role=heading aria-level=2')
        _pair(every, options, mark='all')
        ui.switch(t('Ask customers to confirm their visit')).bind_value(flags, 'ask').mark('reminders-ask')
        ui.label(t('A pending appointment confirmed from a reminder becomes approved.')).classes(
            'text-caption k-muted')

    if rows:
        with ui.card().classes('k-card w-full max-w-2xl q-pa-md gap-3').mark('reminders-services'):
            ui.label(t('Per service')).classes('text-subtitle1').props('role=heading aria-level=2')
            modes = {ALL: t('As above'), NONE: t('No reminders'), OWN: t('Its own reminders')}
            for row in rows:
                with ui.column().classes('w-full gap-1'):
                    ui.select(modes, label=row.name).bind_value(row, 'mode').props('outlined').classes(
                        'w-full').mark(f'reminders-mode-{row.service_id}')
                    with ui.row().classes('w-full') as own:
                        _pair(row.own, options, mark=f'service-{row.service_id}', name=row.name)
                    own.bind_visibility_from(row, 'mode', backward=lambda mode: mode == OWN)

    with ui.card().classes('k-card w-full max-w-2xl q-pa-md gap-3').mark('reminders-follow-up'):
        ui.label(t('After each visit')).classes('text-subtitle1').props('role=heading aria-level=2')
        ui.switch(t('Ask for a rating after a completed visit')).bind_value(flags, 'follow').mark(
            'reminders-follow')
        ui.label(t('One email, two hours after the visit ends.')).classes('text-caption k-muted')

    notice = ui.label('').props('role=status aria-live=polite').mark('reminders-notice')

    async def save() -> None:
        notice.text = ''
        pairs = [every] + [row.own for row in rows if row.mode == OWN]
        if any(p.first and p.first == p.second for p in pairs):
            notice.text = t('The two reminders must go at different times.')
            return
        kept = {sid: offsets for sid, offsets in current.per_service.items()
                if sid not in {row.service_id for row in rows}}  # services no longer offered keep theirs
        per_service = {**kept, **{row.service_id: (row.own.offsets() if row.mode == OWN else ())
                                  for row in rows if row.mode != ALL}}
        chosen = ReminderSettings(minutes_before=every.offsets(), per_service=per_service,
                                  ask_confirmation=bool(flags['ask']), follow_up=bool(flags['follow']))
        try:
            await ctx.act(reminders.save_settings, reminders=chosen, now=ctx.now())
        except ReminderSettingsError as refusal:
            notice.text = show(refusal.message)
            return
        notice.text = t('Saved.')
        ui.notify(t('Saved.'), type='positive')

    ui.button(t('Save'), on_click=save).props('unelevated no-caps').classes('self-start').mark('reminders-save')


def _mode(settings: ReminderSettings, service_id: int) -> str:
    if service_id not in settings.per_service:
        return ALL
    return OWN if settings.per_service[service_id] else NONE


def _options(settings: ReminderSettings) -> dict[int, str]:
    """Every choice, with any other time already set (with `kairos settings`) kept as one."""
    used = set(settings.minutes_before) | {m for offsets in settings.per_service.values() for m in offsets}
    return {0: t('No reminder')} | {m: _words(m) for m in sorted(set(CHOICES) | used)}


def _words(minutes: int) -> str:
    if minutes % 1440 == 0:
        return tn('%(num)d day before', '%(num)d days before', minutes // 1440)
    if minutes % 60 == 0:
        return tn('%(num)d hour before', '%(num)d hours before', minutes // 60)
    return tn('%(num)d minute before', '%(num)d minutes before', minutes)


def _pair(pair: Pair, options: dict[int, str], *, mark: str, name: str = '') -> None:
    with ui.row().classes('w-full gap-3 no-wrap max-sm:flex-wrap'):
        first = ui.select(options, label=t('First reminder')).bind_value(pair, 'first').props('outlined').classes(
            'col').mark(f'reminders-{mark}-first')
        second = ui.select(options, label=t('Second reminder')).bind_value(pair, 'second').props(
            'outlined').classes('col').mark(f'reminders-{mark}-second')
        if name:  # the per-service selects say which service they are for
            first.props['aria-label'] = t('First reminder for %(service)s', service=name)
            second.props['aria-label'] = t('Second reminder for %(service)s', service=name)
