"""What a customer sees in the panel: the next visit, counts, tabs, sorting, the Details drawer, live changes."""

from __future__ import annotations

import asyncio
import calendar
import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st
from nicegui import ui
from nicegui.testing import User

from services import formatting as fmt
from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import sign_in, signed_in
from ui.components.appointments_view import AppointmentsView, encode_state


def view(user: User) -> AppointmentsView:
    return user.find(AppointmentsView).elements.pop()


async def shows(user: User, check: Any, expected: Any) -> None:
    """Wait until `check(state)` of the Appointments element equals `expected` (it is drawn in the browser)."""
    seen = None
    for _ in range(80):
        try:
            seen = check(view(user).state)
            if seen == expected:
                return
        except AssertionError:  # the section is still loading
            pass
        await asyncio.sleep(0.05)
    assert seen == expected


def services(state: dict) -> list[str]:
    return [row['service'] for row in state['rows']]


async def test_the_panel_needs_a_session(user: User, db) -> None:
    seed_world(db)
    await user.open('/')
    await user.should_see('Sign in to your account')


async def test_a_wrong_password_gets_one_message_that_does_not_say_which(user: User, db) -> None:
    seed_world(db)
    await sign_in(user, password='wrong-password')
    await user.should_see('That email and password do not match an account.')
    user.find('Email').clear().type('nobody@example.com')
    user.find(marker='sign-in').click()
    await user.should_see('That email and password do not match an account.')
    await user.should_not_see(marker='panel-chrome')


async def test_a_password_locked_by_someone_else_points_ada_to_the_emailed_link(user: User, db) -> None:
    from services import accounts, auth, ratelimit

    ratelimit.reset_limiter()
    world = seed_world(db)
    for i in range(5):  # a stranger's guesses fill the account's count
        with contextlib.suppress(auth.SignInFailed):
            accounts.attempt_sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password=f'guess-{i}',
                                     address='203.0.113.9', now=datetime.now(UTC))
    await sign_in(user)  # Ada, with her right password
    await user.should_see('Too many attempts. Try again in 15 minutes. You can still sign in with a link sent to '
                          'your email.', retries=50)
    await user.should_see('Send me a sign-in link')
    await user.should_not_see(marker='panel-chrome')
    ratelimit.reset_limiter()


async def test_ada_sees_her_next_appointment_and_counts(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 3), status='approved')
    add_appointment(db, world, start=at(now, 9), service='colour', status='pending', minutes=120, price=12000)
    add_appointment(db, world, start=at(now, 1), status='canceled')  # canceled: never the "next" visit
    add_appointment(db, world, start=at(now, -5), status='approved', paid=4500)
    add_appointment(db, world, start=at(now, -9), status='no-show')
    add_appointment(db, world, customer=world.bob, start=at(now, 2), staff='leo')  # Bob's: never shown to Ada
    await signed_in(user)
    await shows(user, lambda s: s['dashboard']['next']['service'], 'Haircut')
    dashboard = view(user).state['dashboard']
    assert (dashboard['upcoming'], dashboard['completed']) == (2, 1)
    assert {f['what']: f['text'] for f in dashboard['next']['facts']}['Staff'] == 'Mia Wong'
    await shows(user, services, ['Haircut', 'Haircut', 'Colour & cut'])  # upcoming, soonest first
    await shows(user, lambda s: [r['status_label'] for r in s['rows']], ['Canceled', 'Approved', 'Pending'])
    assert [(t['label'], t['count']) for t in view(user).state['tabs']] == [('Upcoming', 3), ('Past', 2), ('All', 5)]


async def test_two_cards_at_the_same_time_never_share_a_name(user: User, db) -> None:
    """The same service at the same hour with two people (the second booked while the first seemed lost): a screen
    reader names each card, and each card's buttons, by who gives it."""
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 3), staff='mia')
    add_appointment(db, world, start=at(now, 3), staff='leo')
    await signed_in(user)
    await shows(user, services, ['Haircut', 'Haircut'])
    labels = [row['label'] for row in view(user).state['rows']]
    assert len(set(labels)) == 2, labels
    assert sorted(label.split(', ')[0] for label in labels) == ['Haircut with Leo Park', 'Haircut with Mia Wong']


async def test_tabs_switch_and_all_sorts(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4), price=4500)
    add_appointment(db, world, start=at(now, -3), service='colour', minutes=120, price=12000, status='pending')
    add_appointment(db, world, start=at(now, -20), service='yoga', staff='leo', price=2000, minutes=60,
                    status='canceled')
    await signed_in(user)
    await shows(user, services, ['Haircut'])
    user.find(AppointmentsView).trigger('view', {'tab': 'past'})
    await shows(user, services, ['Colour & cut', 'Pilates mat class'])
    user.find(AppointmentsView).trigger('view', {'tab': 'all'})
    await shows(user, services, ['Haircut', 'Colour & cut', 'Pilates mat class'])  # newest first
    user.find(AppointmentsView).trigger('view', {'sort': 'price'})
    await shows(user, lambda s: [r['price'] for r in s['rows']], ['€120.00', '€45.00', '€20.00'])
    user.find(AppointmentsView).trigger('view', {'sort': 'oldest'})
    await shows(user, services, ['Pilates mat class', 'Colour & cut', 'Haircut'])
    user.find(AppointmentsView).trigger('view', {'sort': 'status'})  # the business's order of statuses
    await shows(user, lambda s: [r['status_label'] for r in s['rows']], ['Pending', 'Approved', 'Canceled'])
    user.find(AppointmentsView).trigger('view', {'sort': 'nonsense'})  # a forged event changes nothing
    await asyncio.sleep(0.2)
    assert view(user).state['sort'] == 'status'


async def test_pages_of_cards(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    for day in range(1, 31):
        add_appointment(db, world, start=at(now, -day * 2))
    await signed_in(user)
    user.find(AppointmentsView).trigger('view', {'tab': 'past'})
    await shows(user, lambda s: (s['page'], s['pages'], len(s['rows'])), (1, 3, 12))
    user.find(AppointmentsView).trigger('view', {'page': 3})
    await shows(user, lambda s: (s['page'], len(s['rows'])), (3, 6))
    user.find(AppointmentsView).trigger('view', {'page': 99})  # beyond the end: the last page
    await shows(user, lambda s: s['page'], 3)


async def test_an_empty_tab_says_so_and_offers_the_booking_page(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, -3))
    await signed_in(user)
    await shows(user, lambda s: (s['rows'], s['empty_text'].split('.')[0], s['booking_url']),
                ([], 'No upcoming appointments', '/book'))
    assert view(user).state['dashboard']['next'] is None


async def test_past_cards_offer_rebook_with_the_service(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, -3), service='colour', minutes=120, price=12000)
    await signed_in(user)
    user.find(AppointmentsView).trigger('view', {'tab': 'past'})
    await shows(user, lambda s: [r['rebook_url'] for r in s['rows']], [f'/book?service={world.services["colour"]}'])


async def test_the_details_drawer_shows_time_price_paid_and_due(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 6), service='colour', minutes=120, price=12000,
                           deposit=3000, paid=3000, status='approved')
    await signed_in(user)
    await shows(user, services, ['Colour & cut'])
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': appt})
    await user.should_see('Duration')
    # Each figure next to its own term (a list of terms and values): the price, what was paid and what is due.
    [facts] = user.find(marker='details-facts').elements
    texts = [e.text for e in facts.descendants() if isinstance(e, ui.label)]
    shown = dict(zip(texts[::2], texts[1::2], strict=True))
    assert {k: shown.get(k) for k in ('Duration', 'Staff', 'Price', 'Paid', 'Due')} == {
        'Duration': '2 h', 'Staff': 'Mia Wong', 'Price': '€120.00', 'Paid': '€30.00', 'Due': '€90.00'}
    assert shown['Date'] and '–' in shown['Time']  # the day, and the time from start to end


async def test_a_drawer_leaves_nothing_behind_once_it_has_slid_out(user: User, db) -> None:
    """ui.dialog leaves a hidden element where it was made; a drawer takes it along when the browser says it is
    hidden, so opening Details again and again does not grow the page."""
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 6))
    await signed_in(user)
    await shows(user, services, ['Haircut'])
    before = len(user.client.elements)
    for _ in range(3):
        user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': appt})
        await user.should_see(marker='details-drawer')
        [drawer] = user.find(marker='details-drawer').elements
        drawer.close()
        user.find(marker='details-drawer').trigger('hide')  # what the browser says once it has slid out
        await user.should_not_see(marker='details-drawer')
    assert len(user.client.elements) == before


async def test_another_customers_appointment_id_opens_nothing(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 6))
    bobs = add_appointment(db, world, customer=world.bob, start=at(now, 2), staff='leo')
    await signed_in(user)
    await shows(user, services, ['Haircut'])
    user.find(AppointmentsView).trigger('action', {'kind': 'details', 'id': bobs})
    await asyncio.sleep(0.2)
    await user.should_not_see('Duration')


async def test_a_change_made_elsewhere_shows_without_a_reload(user: User, db) -> None:
    from services import events

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4))
    await signed_in(user)
    await shows(user, services, ['Haircut'])
    add_appointment(db, world, start=at(now, 2), service='colour', minutes=120, price=12000)  # e.g. the front desk
    events.publish(events.customer_topic(world.tenant_id, world.ada), {'appointment_id': 0})
    await shows(user, services, ['Colour & cut', 'Haircut'])
    await shows(user, lambda s: s['dashboard']['upcoming'], 2)


async def test_a_burst_of_changes_made_elsewhere_is_read_at_most_twice_on_the_live_threads(
        user: User, db, monkeypatch) -> None:
    import threading

    from services import events, panel

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4))
    await signed_in(user)
    await shows(user, services, ['Haircut'])
    threads: list[str] = []
    real = panel.load_panel

    def counted(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(panel, 'load_panel', counted)
    add_appointment(db, world, start=at(now, 2), service='colour', minutes=120, price=12000)
    for _ in range(5):  # e.g. the front desk working through the customer's visits
        events.publish(events.customer_topic(world.tenant_id, world.ada), {})
    await shows(user, services, ['Colour & cut', 'Haircut'])
    await asyncio.sleep(0.3)
    assert 1 <= len(threads) <= 2  # the first event's read, and one more for the four that came meanwhile
    assert all(name.startswith('kairos-live') for name in threads)


async def test_a_click_is_answered_while_live_updates_wait_for_their_threads(user: User, db) -> None:
    import threading

    from ui import context as ui_context

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4))
    add_appointment(db, world, start=at(now, -30), service='colour', minutes=120, price=12000)
    await signed_in(user)
    await shows(user, services, ['Haircut'])
    gate = threading.Event()
    busy = [asyncio.ensure_future(ui_context.live_call(gate.wait, 10)) for _ in range(ui_context.LIVE_THREADS)]
    try:
        await asyncio.sleep(0.1)  # every live thread is taken
        user.find(AppointmentsView).trigger('view', {'tab': 'past'})
        await shows(user, services, ['Colour & cut'])
        assert not any(task.done() for task in busy)  # answered while the live threads were still held
    finally:
        gate.set()
        await asyncio.gather(*busy)


async def test_another_customers_change_does_not_touch_this_panel(user: User, db) -> None:
    from services import events

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 4))
    await signed_in(user)
    await shows(user, services, ['Haircut'])
    add_appointment(db, world, customer=world.bob, start=at(now, 2), staff='leo')
    events.publish(events.customer_topic(world.tenant_id, world.bob), {})
    await asyncio.sleep(0.3)
    assert services(view(user).state) == ['Haircut']


async def test_a_cancel_from_another_tab_changes_this_panels_badge(user: User, db) -> None:
    from services import appointments

    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 4), status='pending')
    await signed_in(user)
    await shows(user, lambda s: [r['status_label'] for r in s['rows']], ['Pending'])
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt,
                               target='canceled', reason='Another tab', now=now)
    await shows(user, lambda s: [r['status_label'] for r in s['rows']], ['Canceled'])
    await shows(user, lambda s: s['dashboard']['upcoming'], 0)


@given(st.recursive(st.text() | st.integers() | st.booleans() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20))
def test_the_state_reaches_the_browser_as_written_in_plain_ascii(state: Any) -> None:
    """Service names like 'Cut & <Colour>' or '5$ `off`' read back exactly; the text carries nothing the page's HTML
    must escape (that escaping is slow) and nothing outside ASCII."""
    text = encode_state({'value': state})
    assert json.loads(text) == {'value': state}
    assert text.isascii()
    assert not set(text) & set('&<>`$')


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
       st.sampled_from(['Europe/Lisbon', 'Asia/Tokyo', 'America/St_Johns', 'Pacific/Chatham', 'UTC']))
def test_dates_and_times_on_cards_read_as_written_out(start: datetime, zone: str) -> None:
    """'Tue 24 Nov 2026, 10:00–10:45' in the customer's zone, across years and odd offsets."""
    tz = ZoneInfo(zone)
    end = start + timedelta(minutes=45)
    local, local_end = start.astimezone(tz), end.astimezone(tz)
    # CLDR's English abbreviates September as 'Sept' (the C library's 'Sep' is the only month that differs).
    month = 'Sept' if local.month == 9 else calendar.month_abbr[local.month]
    written = (f'{calendar.day_abbr[local.weekday()]} {local.day} {month} {local.year}, '
               f'{local.hour:02d}:{local.minute:02d}–{local_end.hour:02d}:{local_end.minute:02d}')
    assert fmt.when(start, end, tz) == written
    assert fmt.date(start, tz) == written.split(',')[0]
    assert fmt.time(end, tz) == written[-5:]
