"""The admin overview at /admin: today at the front desk (the visits still to come, what waits for someone), where
each part of the business's side is, and the admin's own account."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui

from domain import desk as dd
from domain.i18n import AUTONYMS, N_, SHIPPED_LOCALES
from services import admin_auth, desk
from services import formatting as fmt
from ui.i18n import page_statuses, t, tn
from ui.pages.admin.shell import NAV, AdminContext, admin_page, to_admin_sign_in

# What each area is for, in a sentence (the overview's cards).
PURPOSES: dict[str, str] = {
    '/admin/calendar': N_('The day or the week, by staff member: who comes when.'),
    '/admin/appointments': N_('Find, open and change appointments; book one for a customer; export them.'),
    '/admin/payments': N_('Payments held for review: refund them or keep them as credit.'),
    '/admin/customers': N_('Your customers: their profiles, visits, packages and ratings.'),
    '/admin/packages': N_('The session packages you sell: what each holds, its price and how long it lasts.'),
    '/admin/services': N_('What customers can book: length, price, seats and who offers it.'),
    '/admin/staff': N_('Who customers book with: where each works, what each offers, and their hours.'),
    '/admin/locations': N_('The places customers come to. A staff member may work at several.'),
    '/admin/schedules': N_('Weekly hours, breaks, days off, special days and business holidays.'),
    '/admin/settings': N_('The rules of the customer panel: cancelling, rescheduling, sign-up, payments.'),
    '/admin/designer': N_('What the customer panel shows, with a live preview.'),
    '/admin/branding': N_('Your name, logo, colour and theme.'),
    '/admin/statuses': N_('The statuses of appointments, their names, colours and icons.'),
    '/admin/emails': N_('The emails customers get, in every language.'),
    '/admin/reminders': N_('Reminders before each visit, confirmations, and a rating request after it.'),
    '/admin/outbox': N_('What was sent, what waits, what failed.'),
    '/admin/audit': N_('Every change made here: who, when, before and after.'),
    '/admin/admins': N_('Who can sign in here, and invitations.'),
    '/admin/account': N_('Your language, and signing out on every device.'),
}


TODAY_SHOWN = 6  # the visits still to come listed on the overview; the rest are a link away


@admin_page('/admin', title=N_('Overview'))
async def overview(ctx: AdminContext) -> None:
    ui.label(t('Hello, %(name)s', name=ctx.admin.display_name)).classes('text-h5').props(
        'role=heading aria-level=1').mark('admin-overview')
    _today(ctx, await ctx.act(desk.today, now=ctx.now()))
    ui.label(t("Everything about %(business)s's customer panel is here.", business=ctx.tenant.name)).classes(
        'k-muted')
    with ui.element('ul').classes('row q-pa-none q-ma-none gap-3').style('list-style: none'):
        for item in NAV:
            if item.path not in PURPOSES or not ctx.may(item.role):
                continue
            with ui.element('li').style('flex: 1 1 260px; max-width: 100%'):
                with ui.link(target=item.path).classes('k-card block q-pa-md').style(
                        'text-decoration: none; color: inherit; border: 1px solid rgba(127,127,127,0.35)'):
                    with ui.row().classes('items-center no-wrap gap-2'):
                        ui.icon(item.icon).classes('text-primary').props('aria-hidden=true')
                        ui.label(t(item.label)).classes('text-subtitle1 text-weight-medium')
                    ui.label(t(PURPOSES[item.path])).classes('k-muted text-body2')


def _today(ctx: AdminContext, today: desk.Today) -> None:
    """Today's visits still to come, each a link that opens it at the desk, and what waits for someone."""
    glance = today.glance
    labels = {st.key: st.label for st in page_statuses(today.statuses)}
    with ui.card().classes('k-card w-full q-pa-md gap-2').mark('admin-today'):
        ui.label(t('Today, %(day)s', day=fmt.full_date(today.day, locale=ctx.locale))).classes(
            'text-h6').props('role=heading aria-level=2')
        if not glance.visits:
            said = t('No visits today.')
        else:
            said = tn('%(num)d visit today', '%(num)d visits today', glance.visits) + ' · ' + tn(
                '%(num)d still to come', '%(num)d still to come', len(glance.ahead))
        ui.label(said).props('role=status').mark('admin-today-count')
        if glance.ahead:
            with ui.element('ul').classes('q-pa-none q-ma-none column gap-1').style('list-style: none'):
                for row in glance.ahead[:TODAY_SHOWN]:
                    _visit(ctx, row, labels)
        day = today.day.isoformat()
        with ui.row().classes('items-center gap-4'):
            ui.link(t("Today's calendar"), f'/admin/calendar?view=day&day={day}').mark('admin-today-calendar')
            ui.link(t("All of today's appointments"),
                    f'/admin/appointments?from={day}&to={day}&sort=start_asc').mark('admin-today-list')
        waiting = []
        if today.flagged_payments:
            waiting.append((tn('%(num)d payment to review', '%(num)d payments to review', today.flagged_payments),
                            '/admin/payments', 'admin-today-flagged'))
        if today.failed_emails:
            waiting.append((tn('%(num)d email failed to go out', '%(num)d emails failed to go out',
                               today.failed_emails), '/admin/outbox', 'admin-today-failed'))
        for text, target, marker in waiting:
            with ui.row().classes('items-center no-wrap gap-2'):
                ui.icon('warning').classes('text-warning').props('aria-hidden=true')
                ui.link(text, target).mark(marker)


def _visit(ctx: AdminContext, row: dd.DeskRow, labels: dict[str, str]) -> None:
    when = fmt.time_range(row.start, row.end, ctx.tz, locale=ctx.locale)
    who = row.customer_name or row.customer_email
    with ui.element('li'), ui.link(target=f'/admin/appointments?open={row.id}').classes(
            'row items-center no-wrap gap-3 q-py-xs').style('text-decoration: none; color: inherit').mark(
            f'admin-today-{row.id}'):
        ui.label(when).classes('text-weight-medium').style('min-width: 6.5rem')
        with ui.column().classes('gap-0 col'):
            ui.label(f'{who} · {row.service_name}').classes('text-body2')
            ui.label(row.staff_name).classes('k-muted text-caption')
        ui.badge(labels.get(row.status_key, row.status_key), color='grey-8')


@admin_page('/admin/account', title=N_('Your account'))
def account(ctx: AdminContext) -> None:
    ui.label(t('Your account')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('You sign in as %(email)s.', email=ctx.admin.email)).classes('k-muted').mark('admin-account-email')
    options = {'': t('As my browser asks')} | {loc: t(AUTONYMS[loc]) for loc in SHIPPED_LOCALES}

    async def save_language(e: object) -> None:
        chosen = language.value or None
        await ctx.act(admin_auth.set_language, language=chosen)
        ui.navigate.reload()

    with ui.card().classes('k-card w-full max-w-xl q-pa-md gap-3'):
        ui.label(t('Language of the admin area')).classes('text-subtitle1').props('role=heading aria-level=2')
        language = ui.select(options, value=ctx.admin.language or '', label=t('Language'),
                             on_change=save_language).props('outlined').classes('w-full').mark('admin-language')
    with ui.card().classes('k-card w-full max-w-xl q-pa-md gap-3'):
        ui.label(t('Signed in elsewhere?')).classes('text-subtitle1').props('role=heading aria-level=2')
        ui.label(t('End your admin sessions on every device, this one too.')).classes('k-muted')

        async def everywhere() -> None:
            await ctx.act(admin_auth.sign_out_everywhere, now=datetime.now(UTC))
            to_admin_sign_in()

        ui.button(t('Sign out everywhere'), on_click=everywhere).props('outline no-caps').mark(
            'admin-sign-out-everywhere')
