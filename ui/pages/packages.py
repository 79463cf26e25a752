"""The Packages section: a card per package the customer bought, with sessions used, payment and expiry."""

from __future__ import annotations

from nicegui import ui

from domain import model as d
from domain import payments as dp
from domain import rules
from domain.i18n import N_
from domain.settings import booking_link as with_query
from services import events, packages, payments
from services import formatting as fmt
from ui.components.drawer import drawer
from ui.components.live import LiveSubscription
from ui.components.pay_drawer import payment_choices, return_base
from ui.components.words import say
from ui.context import PanelContext
from ui.i18n import locale, show, t, tn

EMPTY = N_('You have no packages yet. When you buy one, its sessions will be waiting for you here.')


async def build(ctx: PanelContext) -> None:
    ui.label(t('Packages')).classes('text-h6 q-mt-sm').props('role=heading aria-level=2')
    cards = ui.column().classes('w-full gap-3').mark('package-list')

    async def refresh() -> None:
        found = await ctx.act(packages.customer_packages)
        cards.clear()
        with cards:
            if not found:
                with ui.column().classes('w-full items-center q-pa-lg gap-3 text-center').props(
                        'role=status').mark('packages-empty'):
                    ui.icon('redeem', size='48px').classes('k-muted').props('aria-hidden=true')
                    ui.label(t(EMPTY)).classes('text-body1')
            with ui.element('div').classes('w-full').style(
                    'display:grid; gap:12px; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr))'):
                for cp in found:
                    package_card(ctx, cp)

    await refresh()
    # A package paid in another tab, or confirmed by Stripe's webhook, updates here without a reload.
    LiveSubscription(events.customer_topic(ctx.tenant.id, ctx.customer.id), lambda _: refresh())


def package_card(ctx: PanelContext, cp: d.CustomerPackage) -> None:
    now, loc = ctx.now(), locale()
    total, used = cp.package.sessions, min(cp.sessions_used, cp.package.sessions)
    name = cp.package.name
    card = ui.card().classes('k-card w-full q-pa-md gap-2').props('role=article').mark(f'package-{cp.id}')
    card.props['aria-label'] = name  # the business's text, set by key: never parsed as props
    with card:
        with ui.row().classes('w-full items-center no-wrap gap-2'):
            ui.label(name).classes('text-subtitle1 text-weight-medium col').props('role=heading aria-level=3')
            paid_label = t('Paid') if cp.paid else t('Unpaid')
            ui.badge(paid_label, color='positive' if cp.paid else 'warning').props('text-color=white').classes(
                'q-py-xs q-px-sm').mark(
                'package-paid')
        # Translators: a package's sessions, "2 of 5 sessions used · 3 left".
        usage = tn('%(used)d of %(num)d session used · %(left)d left',
                   '%(used)d of %(num)d sessions used · %(left)d left', total, used=used, left=cp.sessions_left)
        ui.label(usage).classes('text-body2').mark('package-usage')
        progress = ui.linear_progress(value=used / total if total else 1, show_value=False, size='10px').props(
            f'rounded aria-valuemin=0 aria-valuemax={total} aria-valuenow={used}').mark('package-progress')
        progress.props['aria-label'] = t('Sessions used: %(used)d of %(total)d', used=used, total=total)
        expired = cp.is_expired(now)
        until = fmt.date(cp.expires_at, ctx.tz, locale=loc)
        expiry = t('Expired on %(date)s', date=until) if expired else t('Valid until %(date)s', date=until)
        ui.label(expiry).classes('text-body2 ' + ('text-negative' if expired else 'k-muted')).mark('package-expiry')
        if not cp.paid:
            due = fmt.money(dp.package_due(cp), ctx.tenant.currency, locale=loc)
            ui.label(t('%(amount)s to pay', amount=due)).classes('text-body2')
        reason = cp.why_not_schedule(now)
        pay_reason = rules.why_not_pay_package(cp, ctx.settings)
        with ui.row().classes('w-full items-center gap-2 q-mt-xs'):
            if reason is None:
                schedule = ui.button(t('Schedule a session'), icon='event').props('unelevated no-caps').mark(
                    'package-schedule')
                schedule.props['href'] = booking_link(ctx, cp.id)
                schedule.props['aria-label'] = t('Schedule a session from %(package)s', package=name)
            if pay_reason is None:
                pay = ui.button(t('Pay'), icon='payments', on_click=lambda c=cp: open_package_pay(ctx, c)).props(
                    'outline no-caps').mark('package-pay')
                pay.props['aria-label'] = t('Pay for %(package)s', package=name)
        if reason:
            ui.label(say(reason)).classes('text-body2 k-muted').props('role=note').mark('package-refusal')
        if not cp.paid and pay_reason:  # Pay is hidden: say how to pay instead
            ui.label(say(pay_reason)).classes('text-body2 k-muted').props('role=note').mark('package-pay-note')


def booking_link(ctx: PanelContext, customer_package_id: int) -> str:
    """The booking page, told which package to book from (it offers only the package's services, at no charge)."""
    return with_query(ctx.booking_url, package=customer_package_id)


async def open_package_pay(ctx: PanelContext, cp: d.CustomerPackage) -> None:
    try:
        options = await ctx.act(payments.payment_options, customer_package_id=cp.id)
    except payments.PaymentRefused as refused:
        ui.notify(show(refused.message), type='warning')
        return

    async def checkout() -> str:
        base = return_base()
        return await ctx.act(packages.pay_package, customer_package_id=cp.id,
                             success_url=f'{base}/packages?paid={cp.id}',
                             cancel_url=f'{base}/packages?canceled={cp.id}', now=ctx.now())

    with drawer(t('Pay'), mark='pay-drawer') as pay_drawer:
        ui.label(cp.package.name).classes('text-subtitle1 text-weight-medium').props('role=heading aria-level=3')
        until = fmt.date(cp.expires_at, ctx.tz, locale=locale())
        ui.label(tn('%(num)d session, valid until %(date)s', '%(num)d sessions, valid until %(date)s',
                    cp.package.sessions, date=until)).classes('text-body2')
        payment_choices(options, checkout, pay_drawer.close)
    pay_drawer.open()
