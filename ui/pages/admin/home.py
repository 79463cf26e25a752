"""The admin overview at /admin: where each part of the business's side is, and the admin's own account."""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui

from domain.i18n import AUTONYMS, N_, SHIPPED_LOCALES
from services import admin_auth
from ui.i18n import t
from ui.pages.admin.shell import NAV, AdminContext, admin_page, to_admin_sign_in

# What each area is for, in a sentence (the overview's cards).
PURPOSES: dict[str, str] = {
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


@admin_page('/admin', title=N_('Overview'))
def overview(ctx: AdminContext) -> None:
    ui.label(t('Hello, %(name)s', name=ctx.admin.display_name)).classes('text-h5').props(
        'role=heading aria-level=1').mark('admin-overview')
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
