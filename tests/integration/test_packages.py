"""Packages on a real database: sessions used are counted from bookings, limits hold under concurrency, and each
received payment has a receipt only its customer can fetch."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from services import packages, payments, receipts
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import packages as package_db
from storage import payments as payment_db
from storage import tables as t
from storage import tenants as tenant_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def seed(db, *, sessions: int = 3, validity_days: int = 90, bought_days_ago: int = 10) -> dict[str, int]:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='default', name='Lumen Studio', timezone='Europe/Berlin')
        cut = catalog_db.create_service(s, tenant_id=tenant, name='Haircut', price=4500)
        colour = catalog_db.create_service(s, tenant_id=tenant, name='Colour', price=12000)
        mia = catalog_db.create_staff(s, tenant_id=tenant, name='Mia', service_ids=[cut, colour])
        ada = customer_db.create_customer(s, tenant_id=tenant, email='ada@example.com', first_name='Ada',
                                          last_name='Lovelace', now=NOW)
        bob = customer_db.create_customer(s, tenant_id=tenant, email='bob@example.com', now=NOW)
        package = package_db.create_package(s, tenant_id=tenant, name='Three cuts', sessions=sessions, price=12000,
                                            validity_days=validity_days, service_ids=[cut])
        cp = package_db.create_customer_package(s, tenant_id=tenant, customer_id=ada, package_id=package,
                                                purchased_at=NOW - timedelta(days=bought_days_ago),
                                                validity_days=validity_days)
    return {'tenant': tenant, 'cut': cut, 'colour': colour, 'mia': mia, 'ada': ada, 'bob': bob, 'cp': cp}


def book(s, ids: dict[str, int], *, day: int, status: str = 'approved') -> int:
    """What the booking page does inside its transaction after claim_session: the appointment, at no charge."""
    return appointment_db.create_appointment(s, tenant_id=ids['tenant'], customer_id=ids['ada'], service_id=ids['cut'],
                                             staff_id=ids['mia'], start=NOW + timedelta(days=day),
                                             duration=timedelta(hours=1),
                                             status_key=status, price=0, customer_package_id=ids['cp'])


def claim_and_book(db, ids: dict[str, int], *, day: int) -> int:
    with db.write() as s:
        packages.claim_session(s, tenant_id=ids['tenant'], customer_id=ids['ada'], customer_package_id=ids['cp'],
                               service_id=ids['cut'], now=NOW)
        return book(s, ids, day=day)


def test_sessions_used_count_bookings_that_hold_a_slot(db) -> None:
    ids = seed(db)
    with db.write() as s:
        book(s, ids, day=1)
        book(s, ids, day=2, status='pending')
        book(s, ids, day=3, status='canceled')  # gives its session back
        book(s, ids, day=4, status='rejected')
    [cp] = packages.customer_packages(db, tenant_id=ids['tenant'], customer_id=ids['ada'])
    assert (cp.sessions_used, cp.sessions_left, cp.paid) == (2, 1, False)
    assert cp.package.service_ids == (ids['cut'],)
    assert packages.customer_packages(db, tenant_id=ids['tenant'], customer_id=ids['bob']) == []
    assert packages.sells_packages(db, tenant_id=ids['tenant'])


def test_a_package_can_be_booked_from_until_it_is_used_up(db) -> None:
    ids = seed(db, sessions=2)
    cp = packages.package_for_booking(db, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                      customer_package_id=ids['cp'], now=NOW)
    assert cp.sessions_left == 2
    claim_and_book(db, ids, day=1)
    claim_and_book(db, ids, day=2)
    with pytest.raises(packages.PackageRefused, match='All sessions of this package are used.'):
        packages.package_for_booking(db, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                     customer_package_id=ids['cp'], now=NOW)
    with pytest.raises(packages.PackageRefused, match='All sessions'):
        claim_and_book(db, ids, day=3)
    [cp] = packages.customer_packages(db, tenant_id=ids['tenant'], customer_id=ids['ada'])
    assert cp.sessions_used == 2


def test_an_expired_package_refuses_and_a_canceled_booking_gives_the_session_back(db) -> None:
    ids = seed(db, validity_days=30, bought_days_ago=30)
    with pytest.raises(packages.PackageRefused, match='This package has expired.'):
        packages.package_for_booking(db, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                     customer_package_id=ids['cp'], now=NOW)
    with pytest.raises(packages.PackageRefused, match='expired'):
        claim_and_book(db, ids, day=1)
    ids = seed_second_tenant_free(db)
    first = claim_and_book(db, ids, day=1)
    with pytest.raises(packages.PackageRefused, match='All sessions'):
        claim_and_book(db, ids, day=2)
    with db.write() as s:
        s.get(t.Appointment, first).status_key = 'canceled'
    claim_and_book(db, ids, day=2)


def seed_second_tenant_free(db) -> dict[str, int]:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='second', name='Other Studio')
        cut = catalog_db.create_service(s, tenant_id=tenant, name='Haircut')
        mia = catalog_db.create_staff(s, tenant_id=tenant, name='Mia', service_ids=[cut])
        ada = customer_db.create_customer(s, tenant_id=tenant, email='ada@example.com', now=NOW)
        package = package_db.create_package(s, tenant_id=tenant, name='One cut', sessions=1, price=0, validity_days=30,
                                            service_ids=[cut])
        cp = package_db.create_customer_package(s, tenant_id=tenant, customer_id=ada, package_id=package,
                                                purchased_at=NOW, validity_days=30)
    return {'tenant': tenant, 'cut': cut, 'colour': cut, 'mia': mia, 'ada': ada, 'bob': ada, 'cp': cp}


def test_someone_elses_package_or_another_service_is_refused(db) -> None:
    ids = seed(db)
    with pytest.raises(packages.PackageRefused, match='not found'):
        packages.package_for_booking(db, tenant_id=ids['tenant'], customer_id=ids['bob'],
                                     customer_package_id=ids['cp'], now=NOW)
    with pytest.raises(packages.PackageRefused, match='does not include that service'), db.write() as s:
        packages.claim_session(s, tenant_id=ids['tenant'], customer_id=ids['ada'], customer_package_id=ids['cp'],
                               service_id=ids['colour'], now=NOW)


def test_two_tabs_cannot_overdraw_the_last_session(db) -> None:
    ids = seed(db, sessions=1)
    first_claimed = threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        with db.write() as s:
            packages.claim_session(s, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                   customer_package_id=ids['cp'], service_id=ids['cut'], now=NOW)
            first_claimed.set()
            threading.Event().wait(0.4)  # the other tab tries now, while this booking is not yet committed
            book(s, ids, day=1)
        outcomes['first'] = 'booked'

    def second() -> None:
        first_claimed.wait(5)
        try:
            claim_and_book(db, ids, day=2)
            outcomes['second'] = 'booked'
        except packages.PackageRefused as refused:
            outcomes['second'] = str(refused.message)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes == {'first': 'booked', 'second': 'All sessions of this package are used.'}
    [cp] = packages.customer_packages(db, tenant_id=ids['tenant'], customer_id=ids['ada'])
    assert cp.sessions_used == 1


def test_a_receipt_for_each_received_payment_only_for_its_customer(db) -> None:
    ids = seed(db)
    with db.write() as s:
        appt = appointment_db.create_appointment(s, tenant_id=ids['tenant'], customer_id=ids['ada'],
                                                 service_id=ids['cut'],
                                                 staff_id=ids['mia'], start=NOW + timedelta(days=1),
                                                 duration=timedelta(hours=1), price=4500)
        pending = payment_db.create_payment(s, tenant_id=ids['tenant'], amount=4500, currency='eur', method='card',
                                            state='pending', created_at=NOW, appointment_id=appt)
    paid = payments.record_offline_payment(db, tenant_id=ids['tenant'], appointment_id=appt, amount=4500,
                                           method='cash', now=NOW)
    package_paid = payments.record_offline_payment(db, tenant_id=ids['tenant'], customer_package_id=ids['cp'],
                                                   amount=12000, now=NOW)
    listed = receipts.customer_receipts(db, tenant_id=ids['tenant'], customer_id=ids['ada'], appointment_id=appt)
    assert [p.id for p in listed] == [paid]
    r = receipts.receipt(db, tenant_id=ids['tenant'], customer_id=ids['ada'], payment_id=paid)
    page = receipts.receipt_html(r)
    assert 'Lumen Studio' in page and '45.00 EUR' in page and 'Haircut with Mia' in page and 'Cash' in page
    assert 'ada@example.com' in page
    assert r.filename == f'receipt-{ids["tenant"]}-{paid:06d}.html'
    package_receipt = receipts.receipt(db, tenant_id=ids['tenant'], customer_id=ids['ada'], payment_id=package_paid)
    assert str(package_receipt.item) == 'Package: Three cuts (3 sessions)'
    for customer, payment in [(ids['bob'], paid), (ids['ada'], pending), (ids['ada'], 999999)]:
        with pytest.raises(receipts.ReceiptNotFound):
            receipts.receipt(db, tenant_id=ids['tenant'], customer_id=customer, payment_id=payment)
    other = seed_second_tenant_free(db)
    with pytest.raises(receipts.ReceiptNotFound):  # the same customer id in another tenant sees nothing
        receipts.receipt(db, tenant_id=other['tenant'], customer_id=ids['ada'], payment_id=paid)
