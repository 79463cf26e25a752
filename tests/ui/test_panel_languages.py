"""The signed-in panel in the customer's language: Portuguese words, dates and money for Ada when she chose Portuguese,
Arabic month names in the date picker, and a pseudo-locale walk over the panel's sections and drawers that finds any
text left out of the catalogs (every translated text shows wrapped in ⟦ ⟧, anything else shows bare)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from nicegui.testing import User

from domain.i18n import PSEUDO_CLOSE, PSEUDO_LOCALE, PSEUDO_OPEN
from services import formatting as fmt
from services import payments
from storage import tables as tb
from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import appointments_shown, go_to, sections, signed_in
from tests.ui.pseudo import untranslated, wait_for
from tests.ui.test_packages import add_package
from ui.components.appointments_view import AppointmentsView


def speaks(db, customer_id: int, language: str) -> None:
    """The customer's own choice of language, as the switcher saves it."""
    with db.write() as s:
        s.execute(sa.update(tb.Customer).where(tb.Customer.id == customer_id).values(language=language))


def next_tuesday(now: datetime) -> datetime:
    """10:00 UTC on a Tuesday at least two days ahead (a 'terça-feira' in Portuguese)."""
    day = at(now, 2)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


def view(user: User) -> AppointmentsView:
    return next(iter(user.find(AppointmentsView).elements))


async def test_ada_reads_her_panel_in_portuguese(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db)
    tuesday = next_tuesday(now)
    add_appointment(db, world, start=tuesday)  # a 45-minute Haircut, €45.00, unpaid
    speaks(db, world.ada, 'pt_PT')
    await signed_in(user)
    await appointments_shown(user, count=1)

    assert sections(user)[0] == 'Marcações' and 'Perfil' in sections(user)
    state = view(user).state
    assert [tab['label'] for tab in state['tabs']] == ['Próximas', 'Anteriores', 'Tudo']
    assert state['dashboard']['upcoming_text'] == '1 próxima'
    date_fact = state['dashboard']['next']['facts'][0]
    assert date_fact['what'] == 'Data' and date_fact['text'].startswith('terça-feira')
    row = state['rows'][0]
    assert row['price'] == '45,00\xa0€'
    assert row['payment_label'] == 'Por pagar, faltam 45,00\xa0€'
    assert view(user).labels['reschedule'] == 'Remarcar'
    assert view(user).labels['details_for'] == 'Detalhes: {card}'
    # The first paint, static HTML drawn before any script, is in Portuguese too.
    assert 'A sua próxima marcação' in user.client.head_html
    assert 'Your next appointment' not in user.client.head_html

    user.find(AppointmentsView).trigger('view', {'tab': 'past'})
    for _ in range(50):
        if view(user).state['tab'] == 'past':
            break
        await asyncio.sleep(0.05)
    assert view(user).state['empty_text'] == ('Ainda não tem marcações anteriores. As suas visitas aparecem aqui '
                                              'depois de terminarem.')

    next_id = view(user).state['dashboard']['next']['id']
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': next_id})
    await user.should_see(marker='details-drawer', retries=50)
    await user.should_see('Duração')
    await user.should_see('45 min')
    await user.should_see(fmt.full_date(tuesday, ZoneInfo('Europe/Berlin'), locale='pt_PT'))  # the business's zone


async def test_the_date_picker_names_months_and_days_in_arabic(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db)
    appt = add_appointment(db, world, start=at(now, 3))
    speaks(db, world.ada, 'ar')
    await signed_in(user)
    await appointments_shown(user, count=1)
    assert user.client.page.language == 'ar'  # Quasar's own words, and right to left

    user.find(AppointmentsView).trigger('action', {'kind': 'reschedule', 'id': appt})
    await user.should_see(marker='slot-date', retries=50)
    picker = next(iter(user.find(marker='slot-date').elements))
    names = picker.props['locale']
    assert names['months'][0] == 'يناير' and names['months'][10] == 'نوفمبر'
    assert names['days'][0] == 'الأحد'  # Quasar counts from Sunday
    assert picker.props['aria-label'] == 'التاريخ'
    await user.should_see('تغيير الموعد')  # the drawer's title


# ---- the pseudo-locale walk ---------------------------------------------------------------------------------------

def in_pseudo_locale(user: User) -> None:
    """From now on the page speaks the pseudo-locale: every text that went through the catalogs shows as ⟦text⟧.
    What the page draws next (a section switched to, a drawer, a notice) shows whether any text skipped them."""
    from ui.i18n import use

    use(PSEUDO_LOCALE, client=user.client)


async def test_no_text_on_the_panels_screens_skips_the_catalogs(user: User, db) -> None:
    """Pseudo-locale: every screen of the panel (the Appointments section with its tabs, the Details drawer with its
    receipts and history, the Reschedule, Pay and Change status drawers, a rating, Packages, Profile and its checks)
    shows only translated text, names, dates and numbers."""
    now = datetime.now(UTC)
    world = seed_world(db)
    upcoming = add_appointment(db, world, start=at(now, 3))
    payments.record_offline_payment(db, tenant_id=world.tenant_id, appointment_id=upcoming, amount=1500, method='cash',
                                    now=now)  # a receipt in its Details drawer
    add_appointment(db, world, start=at(now, 5), service='colour', minutes=120, price=12000, deposit=3000,
                    staff='mia', status='pending')
    completed = add_appointment(db, world, start=at(now, -4))
    add_package(db, world, used=1)
    # The business's and Ada's own words, shown as they are in every language; and the zone names.
    data = ['Lumen Studio', 'Main Street 1', 'Park Avenue 9', 'Haircut', 'Colour & cut', 'Pilates mat class',
            'Mia Wong', 'Leo Park', 'Three cuts', 'Ada', 'Lovelace', 'ada@example.com', 'Europe/Berlin',
            'JPG, PNG', 'WEBP', 'MB']
    await signed_in(user)
    await appointments_shown(user)
    in_pseudo_locale(user)

    # The Appointments section, drawn again in the pseudo-locale; each tab.
    go_to(user, '/profile')
    await user.should_see(marker='profile', retries=50)
    go_to(user, '/')
    await wait_for(lambda: view(user).labels['details'] == f'{PSEUDO_OPEN}Details{PSEUDO_CLOSE}')
    problems = untranslated(user, data, 'upcoming')
    for tab in ('past', 'all'):
        user.find(AppointmentsView).trigger('view', {'tab': tab})
        await wait_for(lambda tab=tab: view(user).state['tab'] == tab)
        problems += untranslated(user, data, tab)

    # The drawers of an upcoming appointment.
    for kind, content in (('details', 'receipt-download'), ('reschedule', 'slot-grid'), ('pay', 'pay-amount'),
                          ('status', 'status-choice')):
        user.find(AppointmentsView).trigger('action', {'kind': kind, 'id': upcoming})
        await user.should_see(marker=content, retries=80)
        problems += untranslated(user, data, kind)
        for drawer in list(user.find(marker=f'{kind}-drawer').elements):
            drawer.delete()  # as when it has slid out

    # A completed visit: its rating, given; then the thanks.
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': completed})
    await user.should_see(marker='rating-send', retries=50)
    problems += untranslated(user, data, 'rating')
    next(iter(user.find(marker='rating-stars').elements)).value = 4
    user.find(marker='rating-send').click()
    await user.should_see(marker='rating-given', retries=50)
    problems += untranslated(user, data, 'rated')

    # Packages.
    go_to(user, '/packages')
    await user.should_see(marker='package-usage', retries=50)
    problems += untranslated(user, data, 'packages')

    # Profile, with a check that fails next to its field, and the deletion dialog.
    go_to(user, '/profile')
    await user.should_see(marker='save-profile', retries=50)
    next(iter(user.find(marker='birth-date').elements)).value = '31/12/1990'  # not a date the field gives
    user.find(marker='save-profile').click()
    await wait_for(lambda: next(iter(user.find(marker='birth-date').elements)).error)
    next(iter(user.find(marker='birth-date').elements)).value = ''
    next(iter(user.find(marker='phone').elements)).value = 'call me maybe'  # a rule of the domain refuses it
    user.find(marker='save-profile').click()
    await wait_for(lambda: next(iter(user.find(marker='phone').elements)).error)
    user.find(marker='delete-account').click()
    problems += untranslated(user, data, 'profile')
    assert not problems, '\n'.join(sorted(set(problems)))


async def test_ada_chooses_portuguese_in_her_profile(user: User, db) -> None:
    world = seed_world(db)
    await signed_in(user)
    go_to(user, '/profile')
    await user.should_see(marker='language-select', retries=50)
    select = next(iter(user.find(marker='language-select').elements))
    assert select.options == {'en': 'English', 'pt_PT': 'Português', 'es': 'Español', 'de': 'Deutsch',
                              'ar': 'العربية'}
    select.value = 'pt_PT'
    await wait_for(lambda: _language_of(db, world.ada) == 'pt_PT')  # kept in her account: her emails follow it
    await user.open('/profile')
    await user.should_see('O seu perfil', retries=50)
    assert sections(user)[0] == 'Marcações'


def _language_of(db, customer_id: int) -> str | None:
    with db.read() as s:
        return s.execute(sa.select(tb.Customer.language).where(tb.Customer.id == customer_id)).scalar_one()
