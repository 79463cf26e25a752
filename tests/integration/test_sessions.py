"""Sessions: a session that ends stops every action at once, sessions time out, and the database keeps no token.

The story of the first tests: Ada left a tab open (its session is `tab`). Then she signs out, or changes her password
on her phone, or resets it by email, or closes her account. Whoever sits at that old tab can do nothing more with it.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from domain.accounts import ProfileInput
from domain.settings import PanelSettings
from services import accounts, appointments, auth, avatars, booking, events, packages, panel, payments, receipts
from services.tokens import Purpose
from services.tokens import issue as issue_token
from storage import appointments as appointment_db
from storage import customers as customer_db
from storage import tenants as tenant_db
from storage.db import Database, alembic_config
from tests.support.seed import World, add_appointment, at, seed_world

STRONG = 'violet-harbour-71-tandem'

pytestmark = pytest.mark.usefixtures('fresh_limits', 'private_outbox')


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def every_action(world: World, appt: int, now: datetime) -> list[tuple[Callable[..., Any], dict[str, Any]]]:
    """Everything a signed-in page can ask of the services, with arguments that would work for a live session."""
    base = 'http://127.0.0.1:8080'
    return [
        (panel.load_panel, {'now': now, 'statuses': ()}),
        (panel.load_page, {'now': now, 'tab': 'upcoming', 'sort': 'newest', 'statuses': (), 'page': 1}),
        (panel.appointment_detail, {'appointment_id': appt}),
        (panel.remember_timezone, {'timezone': 'Asia/Tokyo'}),
        (appointments.change_status, {'appointment_id': appt, 'target': 'canceled', 'now': now}),
        (appointments.rating_of, {'appointment_id': appt}),
        (appointments.rate, {'appointment_id': appt, 'stars': 1, 'now': now}),
        (appointments.appointment_calendar, {'appointment_id': appt, 'now': now}),
        (booking.reschedule, {'appointment_id': appt, 'new_start': at(now, 4, 14), 'now': now}),
        (payments.payment_options, {'appointment_id': appt}),
        (payments.start_checkout, {'appointment_id': appt, 'success_url': base, 'cancel_url': base, 'now': now}),
        (packages.customer_packages, {}),
        (packages.package_for_booking, {'customer_package_id': 1, 'now': now}),
        (packages.pay_package, {'customer_package_id': 1, 'success_url': base, 'cancel_url': base, 'now': now}),
        (receipts.customer_receipts, {'appointment_id': appt}),
        (accounts.get_customer, {}),
        (accounts.ensure_can_book, {}),
        (accounts.update_profile, {'profile': ProfileInput(first_name='Mallory', last_name='Intruder'),
                                   'today': now.date()}),
        (accounts.request_email_change, {'new_email': 'mallory@example.com', 'now': now}),
        (accounts.change_password, {'current': 'kairos-demo', 'new': 'mallory-owns-this-1!', 'confirm':
                                    'mallory-owns-this-1!', 'keep_session_id': None, 'now': now}),
        (accounts.delete_account, {'confirmation': 'DELETE', 'now': now}),
        (avatars.save_avatar, {'data': b'not read', 'now': now}),
        (avatars.remove_avatar, {}),
    ]


def sign_out(db: Database, world: World, tab: str, now: datetime) -> None:
    auth.sign_out(db, session_id=tab, now=now)


def password_changed_on_the_phone(db: Database, world: World, tab: str, now: datetime) -> None:
    phone = auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.ada, now=now)
    accounts.change_password(db, tenant_id=world.tenant_id, customer_id=world.ada, current='kairos-demo', new=STRONG,
                             confirm=STRONG, keep_session_id=phone, now=now)


def password_reset_by_email(db: Database, world: World, tab: str, now: datetime) -> None:
    token = issue_token(db, tenant_id=world.tenant_id, customer_id=world.ada, purpose=Purpose.RESET, now=now)
    accounts.set_password_with_link(db, tenant_id=world.tenant_id, purpose=Purpose.RESET, token=token,
                                    password=STRONG, confirm=STRONG, now=now)


def account_closed_on_the_phone(db: Database, world: World, tab: str, now: datetime) -> None:
    accounts.delete_account(db, tenant_id=world.tenant_id, customer_id=world.ada, confirmation='DELETE', now=now)


@pytest.mark.parametrize('cause', [sign_out, password_changed_on_the_phone, password_reset_by_email,
                                   account_closed_on_the_phone], ids=lambda f: f.__name__)
def test_an_ended_session_can_do_nothing_more(db, cause) -> None:
    now = _now()
    world = seed_world(db, now=now, settings=PanelSettings(allow_account_deletion=True))
    appt = add_appointment(db, world, start=at(now, 3), status='approved')
    tab = auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.ada, now=now)
    actions = every_action(world, appt, now)
    for action, kwargs in actions:  # the arguments fit each service, so a refusal below is the session's doing
        inspect.signature(action).bind(db, tenant_id=world.tenant_id, customer_id=world.ada, **kwargs)
    assert auth.act(db, accounts.get_customer, tenant_id=world.tenant_id, session_id=tab).id == world.ada
    heard: list[dict[str, Any]] = []
    stop = events.subscribe(events.sessions_topic(world.tenant_id, world.ada), heard.append)
    try:
        cause(db, world, tab, now + timedelta(minutes=1))
    finally:
        stop()

    later = now + timedelta(minutes=2)
    for action, kwargs in every_action(world, appt, later):
        with pytest.raises(auth.SessionEnded):
            auth.act(db, action, tenant_id=world.tenant_id, session_id=tab, **kwargs)
    assert heard, 'the open tabs of the account were not told'
    with db.read() as s:
        ada = customer_db.customer(s, tenant_id=world.tenant_id, customer_id=world.ada)
        kept = appointment_db.customer_appointment(s, tenant_id=world.tenant_id, customer_id=world.ada,
                                                   appointment_id=appt,
                                                   status_list=tenant_db.statuses(s, tenant_id=world.tenant_id))
    assert ada is not None and (ada.first_name, ada.email, ada.timezone) == ('Ada', 'ada@example.com', None)
    if cause is not account_closed_on_the_phone:  # closing the account cancels its upcoming visits itself
        assert kept is not None and (kept.status.key, kept.start) == ('approved', at(now, 3))
    with pytest.raises(auth.SignInFailed):
        auth.sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password='mallory-owns-this-1!',
                     now=later)


def test_an_action_is_done_as_the_sessions_own_customer(db) -> None:
    now = _now()
    world = seed_world(db, now=now)
    bobs = auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.bob, now=now)
    assert auth.act(db, accounts.get_customer, tenant_id=world.tenant_id, session_id=bobs).id == world.bob
    with pytest.raises(TypeError):  # a page cannot name another customer: the id comes from the session only
        auth.act(db, accounts.get_customer, tenant_id=world.tenant_id, session_id=bobs, customer_id=world.ada)
    with pytest.raises(auth.SessionEnded):
        auth.act(db, accounts.get_customer, tenant_id=world.tenant_id, session_id=None)


def test_a_session_ends_after_its_idle_time_and_after_its_lifetime(db) -> None:
    start = _now()
    world = seed_world(db, now=start)
    tab = auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.ada, now=start)

    def signed_in(days: float) -> bool:
        when = start + timedelta(days=days)
        return auth.current_customer(db, tenant_id=world.tenant_id, session_id=tab, now=when) is not None

    # Defaults: idle 7 days, lifetime 30 days. Using the session restarts the idle clock.
    assert signed_in(6.9)
    assert signed_in(13.8)
    assert not signed_in(20.8), 'a week without a visit ends the session'

    daily = auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.ada, now=start)
    for day in range(1, 30):
        assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=daily,
                                     now=start + timedelta(days=day)) is not None
    assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=daily,
                                 now=start + timedelta(days=30, minutes=1)) is None, 'used daily, it still ends'


def test_the_time_limits_are_settings(db, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.config import reset_config

    monkeypatch.setenv('KAIROS_SESSION_IDLE', 'PT30M')
    monkeypatch.setenv('KAIROS_SESSION_LIFETIME', 'PT8H')
    reset_config()
    start = _now()
    world = seed_world(db, now=start)
    tab = auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.ada, now=start)
    live = [auth.current_customer(db, tenant_id=world.tenant_id, session_id=tab,
                                  now=start + timedelta(minutes=m)) is not None for m in (25, 50, 81)]
    assert live == [True, True, False], 'half an hour without a visit ends it'
    busy = auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.ada, now=start)
    every_twenty_minutes = [*range(20, 8 * 60, 20), 8 * 60 + 1]
    live = [auth.current_customer(db, tenant_id=world.tenant_id, session_id=busy,
                                  now=start + timedelta(minutes=m)) is not None for m in every_twenty_minutes]
    assert live == [True] * 23 + [False], 'used every twenty minutes, it still ends after eight hours'
    reset_config()


def test_the_database_keeps_no_session_token_that_would_sign_anyone_in(db, database_url: str) -> None:
    now = _now()
    world = seed_world(db, now=now)
    tokens = [auth.open_session(db, tenant_id=world.tenant_id, customer_id=world.ada, now=now),
              auth.sign_in(db, tenant_id=world.tenant_id, email='bob@example.com', password='bob-password',
                           now=now).session_id]
    with db.engine.connect() as conn:
        stored = [tuple(str(v) for v in row) for row in conn.execute(sa.text('SELECT * FROM auth_session'))]
    assert len(stored) == 2
    for token in tokens:
        assert not any(token in value for row in stored for value in row)
        assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=token, now=now) is not None
    for value in {v for row in stored for v in row}:  # a stolen copy of the table is no way in
        assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=value, now=now) is None


def test_upgrading_keeps_existing_sessions_but_only_as_hashes(db, database_url: str) -> None:
    now = _now()
    world = seed_world(db, now=now)
    config = alembic_config(database_url)
    command.downgrade(config, '0004')
    engine = db.engine
    raw = 'an-old-session-token-from-before-the-upgrade'
    with engine.begin() as conn:
        conn.execute(sa.text('INSERT INTO auth_session (id, tenant_id, customer_id, created_at) '
                             'VALUES (:id, :t, :c, :now)'),
                     {'id': raw, 't': world.tenant_id, 'c': world.ada, 'now': now.replace(tzinfo=None)})
    command.upgrade(config, 'head')
    with engine.connect() as conn:
        stored = conn.execute(sa.text('SELECT token_hash FROM auth_session')).scalars().all()
    assert stored == [hashlib.sha256(raw.encode()).hexdigest()]
    found = auth.current_customer(db, tenant_id=world.tenant_id, session_id=raw, now=now)
    assert found is not None and found.id == world.ada, 'whoever was signed in before the upgrade still is'
