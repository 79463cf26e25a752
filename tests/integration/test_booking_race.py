"""No double booking: real threads released together race for the last seat, on SQLite and on PostgreSQL.

Each round races for a different slot (so a round costs a handful of bookings, not a growing day), and after each
round exactly the seats that existed were sold, every loser was told the time was just taken, and fresh slots no
longer offer the time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from services import availability, booking
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import tables as t
from storage import tenants as tenant_db
from storage.db import Database

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
FIRST = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)
ALL_DAY = {weekday: [(time(0), time(0))] for weekday in range(7)}  # 00:00-24:00 every day


@dataclass
class Shop:
    tenant_id: int
    solo: int
    group: int
    team: int
    staff: list[int]
    customers: list[int]


@dataclass
class Outcome:
    won: list[tuple[int, int]] = field(default_factory=list)  # (customer, staff)
    taken: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def make_shop(db: Database, *, customers: int = 8) -> Shop:
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='race', name='Race Studio', timezone='UTC')
        solo = catalog_db.create_service(s, tenant_id=tenant, name='Quick fix', duration_min=15, slot_step_min=15,
                                         min_notice_min=0, max_days_ahead=30, price=1000)
        group = catalog_db.create_service(s, tenant_id=tenant, name='Spin class', duration_min=15, slot_step_min=15,
                                          min_notice_min=0, max_days_ahead=30, capacity=3, price=800)
        team = catalog_db.create_service(s, tenant_id=tenant, name='Check-up', duration_min=15, slot_step_min=15,
                                         min_notice_min=0, max_days_ahead=30, price=500)
        first = catalog_db.create_staff(s, tenant_id=tenant, name='Ana', service_ids=[solo, group, team],
                                        weekly=ALL_DAY)
        others = [catalog_db.create_staff(s, tenant_id=tenant, name=name, service_ids=[team], weekly=ALL_DAY)
                  for name in ('Ben', 'Cy')]
        people = [customer_db.create_customer(s, tenant_id=tenant, email=f'c{n}@example.com', now=NOW)
                  for n in range(customers)]
    return Shop(tenant_id=tenant, solo=solo, group=group, team=team, staff=[first, *others], customers=people)


def race(db: Database, shop: Shop, *, service_id: int, staff_id: int | None, start: datetime,
         threads: int) -> Outcome:
    """`threads` customers try to book `start` at the same instant."""
    outcome = Outcome()
    barrier = threading.Barrier(threads)

    def attempt(customer_id: int) -> None:
        barrier.wait()
        try:
            appt = booking.book(db, tenant_id=shop.tenant_id, customer_id=customer_id, service_id=service_id,
                                staff_id=staff_id, start=start, now=NOW)
            with outcome.lock:
                outcome.won.append((customer_id, appt.staff.id))
        except booking.SlotTaken as lost:
            with outcome.lock:
                outcome.taken.append(str(lost.message))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            with outcome.lock:
                outcome.errors.append(error)

    workers = [threading.Thread(target=attempt, args=(c,)) for c in shop.customers[:threads]]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not any(w.is_alive() for w in workers), 'a booking thread hung'
    return outcome


def offered(db: Database, shop: Shop, *, service_id: int, staff_id: int | None, start: datetime) -> bool:
    slots = availability.day_slots(db, tenant_id=shop.tenant_id, service_id=service_id, staff_id=staff_id,
                                   day=start.date(), now=NOW)
    return any(slot.start == start for slot in slots)


def seats_sold(db: Database, *, service_id: int, start: datetime) -> int:
    with db.read() as s:
        return s.execute(sa.select(sa.func.coalesce(sa.func.sum(t.Appointment.seats), 0)).where(
            t.Appointment.service_id == service_id, t.Appointment.start == start)).scalar_one()


def test_one_winner_per_round_for_the_last_seat(db) -> None:
    shop = make_shop(db)
    threads = 6
    for n in range(100):
        start = FIRST + n * STEP
        assert offered(db, shop, service_id=shop.solo, staff_id=shop.staff[0], start=start)
        outcome = race(db, shop, service_id=shop.solo, staff_id=shop.staff[0], start=start, threads=threads)
        assert outcome.errors == [], f'round {n}: {outcome.errors!r}'
        assert len(outcome.won) == 1, f'round {n}: {len(outcome.won)} winners'
        assert outcome.taken == [str(booking.TAKEN)] * (threads - 1)
        assert seats_sold(db, service_id=shop.solo, start=start) == 1
        # the losers' fresh slots no longer offer the time
        assert not offered(db, shop, service_id=shop.solo, staff_id=shop.staff[0], start=start)


def test_a_group_class_sells_exactly_its_seats(db) -> None:
    shop = make_shop(db)
    for n in range(10):
        start = FIRST + n * STEP
        outcome = race(db, shop, service_id=shop.group, staff_id=shop.staff[0], start=start, threads=6)
        assert outcome.errors == [], f'round {n}: {outcome.errors!r}'
        assert len(outcome.won) == 3, f'round {n}: {len(outcome.won)} winners'
        assert outcome.taken == [str(booking.TAKEN)] * 3
        assert seats_sold(db, service_id=shop.group, start=start) == 3
        assert not offered(db, shop, service_id=shop.group, staff_id=shop.staff[0], start=start)


def test_any_staff_gives_each_winner_a_different_person(db) -> None:
    shop = make_shop(db)
    for n in range(10):
        start = FIRST + timedelta(days=2) + n * STEP
        outcome = race(db, shop, service_id=shop.team, staff_id=None, start=start, threads=6)
        assert outcome.errors == [], f'round {n}: {outcome.errors!r}'
        assert sorted(staff for _, staff in outcome.won) == sorted(shop.staff)
        assert outcome.taken == [str(booking.TAKEN)] * 3
        assert not offered(db, shop, service_id=shop.team, staff_id=None, start=start)
