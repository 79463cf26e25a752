"""Booking throughput on PostgreSQL: the real booking service against a minimal correct booking transaction.

Run: .venv/bin/python bench/bench_booking.py [--postgres-url URL] [--threads 16] [--staff 20] [--attempts 1600]
                                             [--rounds 2] [--profile]

It creates a PostgreSQL database of its own (dropped at the end), migrates it with Alembic and seeds one business:
20 staff who each work 09:00-17:00 every day, one 30-minute service on a 30-minute step, 16 customers, and the past
visits of the 8 weeks before (--history-weeks; a table PostgreSQL plans on as it would in a business that has been
taking bookings, rather than an empty one). A fixed list
of attempts (a random staff member and a random start in the coming week, so some collide) is then played twice by
16 threads: once through `services.booking.book` (everything a customer's booking does: the rules, the staff row
locks, the re-read of the day, the slot engine, the insert, the history, the outbox email and the live event), once
through the minimum a correct booking needs, written by hand (lock the staff row, count overlapping busy bookings,
insert). After each pass a query counts overlapping busy bookings of one staff member: it must find none.
The passes take turns for --rounds rounds so both see the same noise; the best round of each is compared.
Target: the service at least half as fast as the minimum (bookings per second).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault('KAIROS_ARGON2_FAST', '1')

from services import booking  # noqa: E402
from storage import catalog as catalog_db  # noqa: E402
from storage import customers as customer_db  # noqa: E402
from storage import tenants as tenant_db  # noqa: E402
from storage.db import Database, migrate  # noqa: E402

TARGET = 0.5
DURATION = timedelta(minutes=30)
DEFAULT_URL = os.environ.get('KAIROS_TEST_POSTGRES_URL', 'postgresql+psycopg://postgres@127.0.0.1:5432/test')

DOUBLE_BOOKINGS = sa.text('''
    SELECT count(*) FROM appointment a JOIN appointment b
      ON a.staff_id = b.staff_id AND a.id < b.id AND a.start < b."end" AND b.start < a."end"
    JOIN status sa ON sa.tenant_id = a.tenant_id AND sa.key = a.status_key AND sa.busy
    JOIN status sb ON sb.tenant_id = b.tenant_id AND sb.key = b.status_key AND sb.busy
    WHERE a.tenant_id = :tenant_id''')


@dataclass(frozen=True, slots=True)
class World:
    tenant_id: int
    service_id: int
    location_id: int
    staff_ids: list[int]
    customer_ids: list[int]
    now: datetime


@dataclass(slots=True)
class Result:
    name: str
    seconds: float
    cpu_seconds: float
    booked: int
    taken: int
    errors: int
    double_bookings: int

    @property
    def attempts(self) -> int:
        return self.booked + self.taken + self.errors

    def line(self) -> str:
        return (f'{self.name:<26} {self.attempts / self.seconds:8.0f} attempts/s {self.booked / self.seconds:8.0f} '
                f'booked/s  ({self.booked} booked, {self.taken} taken, {self.errors} errors in {self.seconds:.2f} s; '
                f'double bookings: {self.double_bookings}; '
                f"{1000 * self.cpu_seconds / self.attempts:.2f} ms of this process's CPU per attempt)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--postgres-url', default=DEFAULT_URL)
    parser.add_argument('--threads', type=int, default=16)
    parser.add_argument('--staff', type=int, default=20)
    parser.add_argument('--attempts', type=int, default=1600)
    parser.add_argument('--rounds', type=int, default=2)
    parser.add_argument('--history-weeks', type=int, default=8,
                        help='weeks of past visits the business already has (0: an empty appointment table)')
    parser.add_argument('--profile', action='store_true', help='profile one thread of the service pass')
    args = parser.parse_args()

    name = f'kairos_bench_{uuid.uuid4().hex[:10]}'
    admin = sa.create_engine(args.postgres_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE {name}')
    url = args.postgres_url.rsplit('/', 1)[0] + '/' + name
    db: Database | None = None
    try:
        migrate(url)
        db = Database(url)
        world = seed(db, staff=args.staff, customers=args.threads)
        past = seed_history(db, world, weeks=args.history_weeks)
        attempts = plan(world, count=args.attempts)
        print(f'PostgreSQL, {args.threads} threads, {args.staff} staff, {args.attempts} attempts over a week '
              f'({len(set(attempts))} distinct slots asked for out of {args.staff * 16 * 7}); '
              f'{past} past visits over the {args.history_weeks} weeks before')
        service_runs, minimal_runs = [], []
        for round_no in range(args.rounds):
            service_runs.append(play(db, world, attempts, threads=args.threads, how='service',
                                     profile=args.profile and round_no == 0))
            print(service_runs[-1].line())
            minimal_runs.append(play(db, world, attempts, threads=args.threads, how='minimal'))
            print(minimal_runs[-1].line())
        best_service = max(service_runs, key=lambda r: r.booked / r.seconds)
        best_minimal = max(minimal_runs, key=lambda r: r.booked / r.seconds)
        ratio = (best_service.booked / best_service.seconds) / (best_minimal.booked / best_minimal.seconds)
        doubles = sum(r.double_bookings for r in service_runs + minimal_runs)
        print(f'\nbest rounds: service {best_service.booked / best_service.seconds:.0f} bookings/s, minimal '
              f'{best_minimal.booked / best_minimal.seconds:.0f} bookings/s')
        print(f'service / minimal: {ratio:.2f}  (target >= {TARGET}: {"met" if ratio >= TARGET else "NOT met"})')
        print(f'double bookings found by the query afterwards: {doubles}  '
              f'({"none: met" if doubles == 0 else "NOT met"})')
    finally:
        if db is not None:
            db.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
        admin.dispose()


def seed(db: Database, *, staff: int, customers: int) -> World:
    now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    every_day = {day: [(clock(9), clock(17))] for day in range(7)}
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='bench', name='Bench Studio', timezone='UTC')
        location = catalog_db.create_location(s, tenant_id=tenant, name='Main')
        service = catalog_db.create_service(s, tenant_id=tenant, name='Session', duration_min=30, slot_step_min=30,
                                            min_notice_min=0, max_days_ahead=30)
        staff_ids = [catalog_db.create_staff(s, tenant_id=tenant, name=f'Staff {i}', location_ids=[location],
                                             service_ids=[service], weekly=every_day) for i in range(staff)]
        customer_ids = [customer_db.create_customer(s, tenant_id=tenant, email=f'c{i}@bench.example',
                                                    first_name=f'C{i}',
                                                    now=now) for i in range(customers)]
    return World(tenant, service, location, staff_ids, customer_ids, now)


HISTORY = sa.text('''INSERT INTO appointment (tenant_id, customer_id, service_id, staff_id, location_id, start, "end",
                     seats, status_key, price, deposit, amount_paid, notes, reschedule_count, created_at)
                     VALUES (:tenant_id, :customer_id, :service_id, :staff_id, :location_id, :start, :end, 1,
                     :status_key, 0, 0, 0, '', 0, :start)''')


def seed_history(db: Database, world: World, *, weeks: int) -> int:
    """Past visits, as a business that has been taking bookings has them: about 60% of each staff member's times over
    the `weeks` before `now`, in a busy status. Both passes book into the week after `now` and find none of them in
    the way; what they change is the table PostgreSQL plans the bookings' reads on (an empty table, analysed, makes it
    plan for no rows at all and read the day's bookings through a worse index than a real database would)."""
    rng = random.Random(8)
    with db.write() as s:
        status_key = s.execute(sa.text('SELECT key FROM status WHERE tenant_id = :t AND busy ORDER BY key LIMIT 1'),
                               {'t': world.tenant_id}).scalar_one()
        rows = [{'tenant_id': world.tenant_id, 'customer_id': rng.choice(world.customer_ids),
                 'service_id': world.service_id, 'staff_id': staff_id, 'location_id': world.location_id,
                 'start': (day + DURATION * k).replace(tzinfo=None),
                 'end': (day + DURATION * (k + 1)).replace(tzinfo=None),
                 'status_key': status_key}
                for staff_id in world.staff_ids
                for day in (world.now - timedelta(days=back) + timedelta(hours=9) for back in range(1, 7 * weeks + 1))
                for k in range(16) if rng.random() < 0.6]
        if rows:
            s.execute(HISTORY, rows)
    return len(rows)


def plan(world: World, *, count: int) -> list[tuple[int, datetime]]:
    """The same attempts for both passes: a staff member and a start in the week after `now`."""
    rng = random.Random(15)
    first_day = world.now + timedelta(days=1)
    return [(rng.choice(world.staff_ids),
             first_day + timedelta(days=rng.randrange(7), hours=9) + DURATION * rng.randrange(16))
            for _ in range(count)]


def play(db: Database, world: World, attempts: list[tuple[int, datetime]], *, threads: int, how: str,
         profile: bool = False) -> Result:
    clear(db, world)
    counts = {'booked': 0, 'taken': 0, 'errors': 0}
    lock = threading.Lock()
    shares = [attempts[i::threads] for i in range(threads)]
    start_line = threading.Barrier(threads + 1)
    profiler = cProfile.Profile(time.thread_time) if profile else None

    def worker(index: int) -> None:
        customer = world.customer_ids[index % len(world.customer_ids)]
        mine = {'booked': 0, 'taken': 0, 'errors': 0}
        start_line.wait()
        if profiler is not None and index == 0:
            profiler.enable()
        for staff_id, start in shares[index]:
            try:
                ok = (book_with_service if how == 'service' else book_minimal)(db, world, customer, staff_id, start)
                mine['booked' if ok else 'taken'] += 1
            except Exception as e:  # noqa: BLE001 - counted and shown: a benchmark must not hide failures
                mine['errors'] += 1
                if mine['errors'] == 1:
                    print(f'  {how} error: {type(e).__name__}: {e}')
        if profiler is not None and index == 0:
            profiler.disable()
        with lock:
            for key, value in mine.items():
                counts[key] += value

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    start_line.wait()
    began, cpu_began = time.perf_counter(), time.process_time()
    for thread in pool:
        thread.join()
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    with db.read() as s:
        doubles = int(s.execute(DOUBLE_BOOKINGS, {'tenant_id': world.tenant_id}).scalar_one())
    if profiler is not None:
        stats = pstats.Stats(profiler).sort_stats(os.environ.get('BENCH_SORT', 'cumulative'))
        stats.print_stats(int(os.environ.get('BENCH_LINES', '30')))
    return Result(how, seconds, cpu_seconds, counts['booked'], counts['taken'], counts['errors'], doubles)


def book_with_service(db: Database, world: World, customer: int, staff_id: int, start: datetime) -> bool:
    try:
        booking.book(db, tenant_id=world.tenant_id, customer_id=customer, service_id=world.service_id,
                     staff_id=staff_id, start=start, now=world.now)
    except booking.SlotTaken:
        return False
    return True


LOCK = sa.text('SELECT id FROM staff WHERE id = :staff_id AND tenant_id = :tenant_id FOR UPDATE')
OVERLAPS = sa.text('''SELECT count(*) FROM appointment a JOIN status st
                      ON st.tenant_id = a.tenant_id AND st.key = a.status_key AND st.busy
                      WHERE a.tenant_id = :tenant_id AND a.staff_id = :staff_id
                      AND a.start < :end AND a."end" > :start''')
INSERT = sa.text('''INSERT INTO appointment (tenant_id, customer_id, service_id, staff_id, location_id, start, "end",
                    seats, status_key, price, deposit, amount_paid, notes, reschedule_count, created_at)
                    VALUES (:tenant_id, :customer_id, :service_id, :staff_id, :location_id, :start, :end, 1,
                    'pending', 0, 0, 0, '', 0, :now)''')


def book_minimal(db: Database, world: World, customer: int, staff_id: int, start: datetime) -> bool:
    """The least a correct booking must do: lock the staff row, count overlapping busy bookings, insert."""
    end = start + DURATION
    naive = {'start': start.replace(tzinfo=None), 'end': end.replace(tzinfo=None)}
    with db.engine.begin() as conn:
        conn.execute(LOCK, {'staff_id': staff_id, 'tenant_id': world.tenant_id})
        if conn.execute(OVERLAPS, {'tenant_id': world.tenant_id, 'staff_id': staff_id, **naive}).scalar_one():
            return False
        conn.execute(INSERT, {'tenant_id': world.tenant_id, 'customer_id': customer, 'service_id': world.service_id,
                              'staff_id': staff_id, 'location_id': world.location_id,
                              'now': world.now.replace(tzinfo=None), **naive})
    return True


def clear(db: Database, world: World) -> None:
    """Take away what a pass booked (the week after `now`; the past visits stay), then analyse the table afresh."""
    with db.write() as s:
        for table in ('email_outbox', 'appointment_history'):
            s.execute(sa.text(f'DELETE FROM {table} WHERE tenant_id = :t'), {'t': world.tenant_id})
        s.execute(sa.text('DELETE FROM appointment WHERE tenant_id = :t AND start >= :now'),
                  {'t': world.tenant_id, 'now': world.now.replace(tzinfo=None)})
    with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
        conn.exec_driver_sql('VACUUM ANALYZE appointment')


if __name__ == '__main__':
    main()
