"""Owning an account: profile and email changes, the password change, and closing the account."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.accounts import ProfileInput
from domain.settings import PanelSettings
from services import accounts, auth, panel
from services.auth import SignInFailed
from services.tokens import InvalidToken
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import tenants as tenant_db
from tests.support.smtp import text_of, token_in

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
STRONG = 'violet-harbour-71-tandem'


pytestmark = pytest.mark.usefixtures('fresh_limits')


def world(db, **settings):
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Lumen Studio', settings=PanelSettings(**settings))
        ada = customer_db.create_customer(s, tenant_id=tenant, email='ada@example.com', first_name='Ada',
                                          last_name='Lovelace', password_hash=auth.hash_password('kairos-demo'),
                                          now=NOW)
        bob = customer_db.create_customer(s, tenant_id=tenant, email='bob@example.com', first_name='Bob', now=NOW)
        svc = catalog_db.create_service(s, tenant_id=tenant, name='Haircut', duration_min=45, price=4500)
        staff = catalog_db.create_staff(s, tenant_id=tenant, name='Mia', service_ids=[svc])
        past = appointment_db.create_appointment(s, tenant_id=tenant, customer_id=ada, service_id=svc, staff_id=staff,
                                                 start=NOW - timedelta(days=10), duration=timedelta(minutes=45),
                                                 status_key='approved', price=4500, amount_paid=4500)
    return tenant, ada, bob, past


# ---- profile ---------------------------------------------------------------------------------------------------


def test_a_valid_profile_is_saved_and_read_back(db) -> None:
    tenant, ada, *_ = world(db)
    saved = accounts.update_profile(db, tenant_id=tenant, customer_id=ada, today=TODAY, profile=ProfileInput(
        first_name=' Augusta ', last_name='King', phone='+44 20 7946 0000', birth_date=date(1990, 12, 10),
        gender='female'))
    again = accounts.get_customer(db, tenant_id=tenant, customer_id=ada)
    assert again == saved
    assert (again.first_name, again.last_name, again.phone, again.birth_date, again.gender) == (
        'Augusta', 'King', '+44 20 7946 0000', date(1990, 12, 10), 'female')


@pytest.mark.parametrize(('field', 'profile', 'message'), [
    ('first_name', dict(first_name='  '), 'Enter your first name.'),
    ('last_name', dict(last_name='x' * 81), 'Your last name can be at most 80 characters.'),
    ('phone', dict(phone='call me'), 'Enter a phone number'),
    ('birth_date', dict(birth_date=TODAY + timedelta(days=1)), 'Your date of birth cannot be in the future.'),
    ('gender', dict(gender='robot'), 'Choose one of the offered options.'),
])
def test_an_invalid_field_is_named_with_a_clear_message_and_nothing_is_saved(db, field, profile, message) -> None:
    tenant, ada, *_ = world(db)
    base = dict(first_name='Ada', last_name='Lovelace', phone='', birth_date=None, gender='')
    with pytest.raises(accounts.ProfileInvalid) as e:
        accounts.update_profile(db, tenant_id=tenant, customer_id=ada, today=TODAY,
                                profile=ProfileInput(**(base | {'first_name': 'Changed'} | profile)))
    assert list({k: str(v) for k, v in e.value.problems.items()}) == [field]
    assert {k: str(v) for k, v in e.value.problems.items()}[field].startswith(message)
    assert accounts.get_customer(db, tenant_id=tenant, customer_id=ada).first_name == 'Ada'


def test_an_email_change_waits_for_the_link_sent_to_the_new_address(db, inbox) -> None:
    tenant, ada, *_ = world(db)
    accounts.request_email_change(db, tenant_id=tenant, customer_id=ada, new_email='ada@lovelace.org', now=NOW,
                                  password='kairos-demo')
    assert accounts.get_customer(db, tenant_id=tenant, customer_id=ada).email == 'ada@example.com'
    msg = inbox.last_to('ada@lovelace.org')
    assert 'ada@example.com' in text_of(msg)  # says which address stays until confirmed
    changed = accounts.confirm_email_change(db, tenant_id=tenant, token=token_in(msg, '/confirm-email'), now=NOW)
    assert changed.email == 'ada@lovelace.org'
    assert auth.sign_in(db, tenant_id=tenant, email='ada@lovelace.org', password='kairos-demo', now=NOW)
    with pytest.raises(InvalidToken):
        accounts.confirm_email_change(db, tenant_id=tenant, token=token_in(msg, '/confirm-email'), now=NOW)


def test_an_email_used_by_another_active_account_is_refused_even_at_confirmation(db, inbox) -> None:
    tenant, ada, bob, _ = world(db)
    with pytest.raises(accounts.ProfileInvalid) as taken:
        accounts.request_email_change(db, tenant_id=tenant, customer_id=ada, new_email='BOB@example.com', now=NOW,
                                      password='kairos-demo')
    assert {k: str(v) for k, v in taken.value.problems.items()} == {
        'email': 'That email address is already used by another account.'}
    accounts.request_email_change(db, tenant_id=tenant, customer_id=ada, new_email='shared@example.com', now=NOW,
                                  password='kairos-demo')
    accounts.request_email_change(db, tenant_id=tenant, customer_id=bob, new_email='shared@example.com', now=NOW,
                                  signed_in_at=NOW - timedelta(minutes=1))  # Bob has no password: a fresh sign-in
    [for_ada, for_bob] = inbox.to('shared@example.com')
    accounts.confirm_email_change(db, tenant_id=tenant, token=token_in(for_bob, '/confirm-email'), now=NOW)
    with pytest.raises(accounts.AccountError, match='now used by another account'):
        accounts.confirm_email_change(db, tenant_id=tenant, token=token_in(for_ada, '/confirm-email'), now=NOW)
    assert accounts.get_customer(db, tenant_id=tenant, customer_id=ada).email == 'ada@example.com'


# ---- password --------------------------------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one_and_ends_only_the_other_sessions(db, inbox) -> None:
    tenant, ada, *_ = world(db)
    here = auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo', now=NOW)
    phone = auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo', now=NOW)
    with pytest.raises(accounts.ProfileInvalid) as wrong:
        accounts.change_password(db, tenant_id=tenant, customer_id=ada, current='guess', new=STRONG, confirm=STRONG,
                                 keep_session_id=here.session_id, now=NOW)
    assert {k: str(v) for k, v in wrong.value.problems.items()} == {'current': 'Your current password is not right.'}
    with pytest.raises(accounts.ProfileInvalid) as weak:
        accounts.change_password(db, tenant_id=tenant, customer_id=ada, current='kairos-demo', new='adalovelace1',
                                 confirm='adalovelace1', keep_session_id=here.session_id, now=NOW)
    assert 'too easy to guess' in {k: str(v) for k, v in weak.value.problems.items()}['new']
    with pytest.raises(accounts.ProfileInvalid) as mismatch:
        accounts.change_password(db, tenant_id=tenant, customer_id=ada, current='kairos-demo', new=STRONG,
                                 confirm=STRONG.upper(), keep_session_id=here.session_id, now=NOW)
    assert 'confirm' in {k: str(v) for k, v in mismatch.value.problems.items()}
    assert inbox.messages == []
    ended = accounts.change_password(db, tenant_id=tenant, customer_id=ada, current='kairos-demo', new=STRONG,
                                     confirm=STRONG, keep_session_id=here.session_id, now=NOW)
    assert ended == 1
    assert auth.current_customer(db, tenant_id=tenant, session_id=here.session_id, now=NOW).id == ada
    assert auth.current_customer(db, tenant_id=tenant, session_id=phone.session_id, now=NOW) is None
    assert inbox.last_to('ada@example.com')['Subject'] == 'Your password for Lumen Studio was changed'
    with pytest.raises(SignInFailed):
        auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo', now=NOW)
    assert auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password=STRONG, now=NOW)


def test_the_strength_score_counts_the_customers_own_name_and_email_as_easy() -> None:
    assert accounts.password_score('lovelace1815', []) >= 2
    assert accounts.password_score('lovelace1815', ['Ada', 'Lovelace', 'ada@example.com']) < 2
    assert accounts.password_score('x' * 500, []) >= 0  # long input is capped, never an error
    assert accounts.password_score(STRONG, ['Ada', 'Lovelace']) >= 3


# ---- closing the account ---------------------------------------------------------------------------------------


def test_a_closed_account_cannot_sign_in_or_book_keeps_its_past_and_frees_its_email(db, inbox) -> None:
    tenant, ada, _, past = world(db)
    session = auth.sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo', now=NOW)
    before = panel.appointment_detail(db, tenant_id=tenant, customer_id=ada, appointment_id=past)
    with pytest.raises(accounts.AccountError, match='Type DELETE'):
        accounts.delete_account(db, tenant_id=tenant, customer_id=ada, confirmation='yes', now=NOW)
    accounts.delete_account(db, tenant_id=tenant, customer_id=ada, confirmation='delete', now=NOW)

    # 1. it cannot sign in, by any door, and its open session is over
    assert auth.current_customer(db, tenant_id=tenant, session_id=session.session_id, now=NOW) is None
    with pytest.raises(SignInFailed):
        accounts.attempt_sign_in(db, tenant_id=tenant, email='ada@example.com', password='kairos-demo',
                                 address=None, now=NOW)
    accounts.request_magic_link(db, tenant_id=tenant, email='ada@example.com', now=NOW)
    assert inbox.messages == []
    # ... nor book
    with pytest.raises(accounts.AccountError, match='closed'):
        accounts.ensure_can_book(db, tenant_id=tenant, customer_id=ada)
    # 2. its past appointment is untouched
    assert panel.appointment_detail(db, tenant_id=tenant, customer_id=ada, appointment_id=past) == before
    # 3. the same email signs up again as a new account
    accounts.sign_up(db, tenant_id=tenant, email='ada@example.com', password=STRONG, first_name='Ada',
                     last_name='Again', now=NOW)
    signed = accounts.verify_email(db, tenant_id=tenant, token=token_in(inbox.last_to('ada@example.com'), '/verify'),
                                   now=NOW)
    assert signed.customer.id != ada and signed.customer.last_name == 'Again'
    with db.read() as s:
        assert appointment_db.customer_appointments(s, tenant_id=tenant, customer_id=signed.customer.id,
                                                    status_list=()) == []
        assert len(appointment_db.customer_appointments(s, tenant_id=tenant, customer_id=ada, status_list=())) == 1
    assert accounts.ensure_can_book(db, tenant_id=tenant, customer_id=signed.customer.id).id == signed.customer.id


def test_deletion_is_refused_when_the_business_does_not_allow_it(db) -> None:
    tenant, ada, *_ = world(db, allow_account_deletion=False)
    with pytest.raises(accounts.AccountError, match='not offered'):
        accounts.delete_account(db, tenant_id=tenant, customer_id=ada, confirmation='DELETE', now=NOW)
    assert accounts.ensure_can_book(db, tenant_id=tenant, customer_id=ada).id == ada


def test_closing_the_account_cancels_its_upcoming_visits_and_tells_the_studio(db, inbox) -> None:
    tenant, ada, bob, past = world(db)
    with db.write() as s:
        svc = catalog_db.create_service(s, tenant_id=tenant, name='Massage', duration_min=60, price=6000)
        leo = catalog_db.create_staff(s, tenant_id=tenant, name='Leo', email='leo@example.com', service_ids=[svc])
        ahead = {key: appointment_db.create_appointment(s, tenant_id=tenant, customer_id=ada, service_id=svc,
                                                        staff_id=leo,
                                                        start=NOW + timedelta(days=days),
                                                        duration=timedelta(minutes=60),
                                                        status_key=key, price=6000)
                 for days, key in ((2, 'approved'), (3, 'pending'), (4, 'canceled'))}
        bobs = appointment_db.create_appointment(s, tenant_id=tenant, customer_id=bob, service_id=svc, staff_id=leo,
                                                 start=NOW + timedelta(days=5), duration=timedelta(minutes=60),
                                                 status_key='approved', price=6000)
    accounts.delete_account(db, tenant_id=tenant, customer_id=ada, confirmation='DELETE', now=NOW)

    def status_of(customer: int, appointment: int) -> str:
        found = panel.appointment_detail(db, tenant_id=tenant, customer_id=customer, appointment_id=appointment)
        assert found is not None
        return found.status.key

    assert [status_of(ada, ahead[k]) for k in ('approved', 'pending', 'canceled')] == ['canceled'] * 3
    assert status_of(ada, past) == 'approved' and status_of(bob, bobs) == 'approved'  # the past, and Bob's
    history = panel.appointment_detail(db, tenant_id=tenant, customer_id=ada, appointment_id=ahead['pending']).history
    assert [(h.action, h.data) for h in history][-1] == (
        'status_changed', {'from': 'pending', 'to': 'canceled', 'cause': 'account_closed'})
    assert len(inbox.to('leo@example.com')) == 2  # one per visit canceled; the closed account gets no mail
    assert 'closed their account' in text_of(inbox.to('leo@example.com')[0])
