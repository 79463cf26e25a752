"""Benchmark of the front desk (issue 14, item 8): the appointments list and the week calendar of a business with
100,000 appointments and 50,000 customers, on SQLite and on PostgreSQL.

Run: .venv/bin/python bench/bench_admin_appointments.py [--runs 15] [--appointments 100000] [--customers 50000]
     [--postgres URL]   (default: $KAIROS_TEST_POSTGRES_URL; without one, SQLite only)

For each database it seeds one business in bulk (a few seconds; PostgreSQL gets a database of its own, dropped
afterwards), then calls the services the pages call (services.desk) as an admin and prints, per call, the median
and p90 server time, the best time, this process's CPU time, the SQL statements issued, and the time against a
baseline measured in the same run: a bare SELECT of one appointment by its indexed id, in its own read session.
Pages are keyset pages: the first, the last, and the next or previous one from a row deep in the list. On a busy
machine (the load average is printed first) wall times swing; the best time and the CPU time less so.
Targets: any list page under 100 ms, the week calendar under 50 ms, and the same number of statements for every
call of a kind (it does not grow with the data).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain.desk import AppointmentFilter, Cursor, cursor_of  # noqa: E402
from services import desk  # noqa: E402
from storage import catalog as catalog_db  # noqa: E402
from storage import desk as desk_db  # noqa: E402
from storage import tables as t  # noqa: E402
from storage import tenants as tenant_db  # noqa: E402
from storage.db import Database, migrate, table_of  # noqa: E402

LIST_TARGET_MS = 100.0
CALENDAR_TARGET_MS = 50.0
STATUSES = ('approved',) * 12 + ('pending', 'canceled', 'rejected', 'no-show', 'completed')
FIRST = ('Ada', 'Bob', 'Chen', 'Dora', 'Emil', 'Fatima', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karim', 'Lena')
LAST = ('Smith', 'Lovelace', 'Byte', 'Okafor', 'Silva', 'Novak', 'Schmidt', 'Rossi', 'Haddad', 'Kim', 'Moreau')
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def seed(db: Database, *, customers: int, appointments: int) -> dict[str, Any]:
    rng = random.Random(14)
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='bench', name='Bench Studio', timezone='Europe/Berlin')
        other = tenant_db.create_tenant(s, slug='other', name='Other Studio', timezone='Europe/Lisbon')
        locations = [catalog_db.create_location(s, tenant_id=tenant, name=f'Location {i}') for i in range(3)]
        services = [catalog_db.create_service(s, tenant_id=tenant, name=f'Service {i}', duration_min=30 + 15 * (i % 4),
                                              price=2000 + 500 * i, deposit=500 * (i % 2)) for i in range(10)]
        staff = [catalog_db.create_staff(s, tenant_id=tenant, name=f'Staff {i:02d}', service_ids=services,
                                         location_ids=locations, weekly={}) for i in range(12)]
        admin = s.execute(sa.insert(t.AdminUser).values(tenant_id=tenant, email='owner@bench.example', name='Owner',
                                                        password_hash='x', role='owner')
                          .returning(table_of(t.AdminUser).c.id)).scalar_one()
    started = time.perf_counter()
    with db.engine.begin() as conn:
        rows = []
        for i in range(customers):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f'{first.lower()}.{last.lower()}.{i}@example.com'
            rows.append({'tenant_id': tenant, 'first_name': first, 'last_name': last, 'email': email,
                         'email_norm': email, 'phone': f'+49 151 {i:07d}', 'created_at': NOW - timedelta(days=700),
                         'avatar_version': 0, 'gender': ''})
        conn.execute(sa.insert(t.Customer), rows)
        first_customer = conn.execute(sa.select(sa.func.min(table_of(t.Customer).c.id))
                                      .where(table_of(t.Customer).c.tenant_id == tenant)).scalar_one()
        span = 730 * 24 * 4  # two years in quarter hours, a year back and a year ahead
        start0 = NOW - timedelta(days=365)
        batch = []
        for _ in range(appointments):
            start = (start0 + timedelta(minutes=15 * rng.randrange(span))).replace(second=0, microsecond=0)
            service = rng.randrange(10)
            price = 2000 + 500 * service
            paid = rng.choice((0, 0, price, 500 * (service % 2)))
            batch.append({'tenant_id': tenant, 'customer_id': first_customer + rng.randrange(customers),
                          'service_id': services[service], 'staff_id': staff[rng.randrange(12)],
                          'location_id': locations[rng.randrange(3)], 'start': start,
                          'end': start + timedelta(minutes=30 + 15 * (service % 4)), 'seats': 1,
                          'status_key': rng.choice(STATUSES), 'price': price, 'deposit': 500 * (service % 2),
                          'amount_paid': paid, 'notes': '', 'reschedule_count': 0,
                          'created_at': start - timedelta(days=rng.randrange(1, 60))})
            if len(batch) == 10_000:
                conn.execute(sa.insert(t.Appointment), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(t.Appointment), batch)
    if db.is_postgres:
        with db.engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
            conn.execute(sa.text('VACUUM ANALYZE'))  # what autovacuum does soon after a bulk load
    else:
        with db.engine.begin() as conn:
            conn.execute(sa.text('ANALYZE'))
    return {'tenant': tenant, 'other': other, 'admin': admin, 'staff': staff, 'services': services,
            'locations': locations, 'seconds': time.perf_counter() - started}


class Counter:
    def __init__(self, engine: sa.Engine) -> None:
        self.n = 0
        sa.event.listen(engine, 'before_cursor_execute', self._count)

    def _count(self, *_args: Any) -> None:
        self.n += 1


def measure(call: Callable[[], Any], counter: Counter, runs: int) -> tuple[float, float, int, float, float]:
    """(median ms, p90 ms, statements per call (the most seen), best ms, median CPU ms of this process)."""
    call()  # warm: caches, prepared statements
    times, cpu, statements = [], [], set()
    for _ in range(runs):
        before = counter.n
        started, cpu_started = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        statements.add(counter.n - before)
    times.sort()
    return (statistics.median(times), times[max(0, int(len(times) * 0.9) - 1)], max(statements), times[0],
            statistics.median(cpu))


def run(db: Database, name: str, *, runs: int, customers: int, appointments: int) -> bool:
    print(f'\n== {name}: seeding {appointments:,} appointments and {customers:,} customers')
    world = seed(db, customers=customers, appointments=appointments)
    print(f'   seeded in {world["seconds"]:.1f} s')
    counter = Counter(db.engine)
    tenant, admin = world['tenant'], world['admin']

    def baseline() -> None:
        with db.read() as s:
            s.connection().execute(sa.select(table_of(t.Appointment).c.id).where(
                table_of(t.Appointment).c.tenant_id == tenant, table_of(t.Appointment).c.id == 5000)).all()

    base, _, base_statements, _, _ = measure(baseline, counter, runs)
    print(f'   baseline (one indexed SELECT): {base:.2f} ms, {base_statements} statement(s)')

    def cursor_at(where: AppointmentFilter, offset: int) -> Cursor:
        """The cursor of the row `offset` rows into the filter's order: where a page deep in the list starts (set-up,
        not timed; the desk gets there by its Next and Previous buttons, each one page from the last)."""
        with db.read() as s:
            for n, row in enumerate(desk_db.stream(s, tenant_id=tenant, where=where.cleaned(), lo=None, hi=None)):
                if n == offset:
                    return cursor_of(row, where.sort)
        raise ValueError(offset)

    everything, oldest = AppointmentFilter(), AppointmentFilter(sort='start_asc')
    middle = cursor_at(everything, appointments // 2)
    month = (date(2026, 11, 1), date(2026, 11, 30))
    one_staff = AppointmentFilter(staff_id=world['staff'][3])
    cases: list[tuple[str, AppointmentFilter, str, Cursor | None]] = [
        ('all, first page', everything, 'first', None),
        ('all, middle page (next)', everything, 'next', middle),
        ('all, middle page (previous)', everything, 'previous', middle),
        ('all, last page', everything, 'last', None),
        ('oldest first, 5,000 in', oldest, 'next', cursor_at(oldest, 5000)),
        ('booked most recently, page 1', AppointmentFilter(sort='created_desc'), 'first', None),
        ('one staff member, first page', one_staff, 'first', None),
        ('one staff member, last page', one_staff, 'last', None),
        ('one service in a month', AppointmentFilter(service_id=world['services'][2], first_day=month[0],
                                                     last_day=month[1]), 'first', None),
        ('one location, pending', AppointmentFilter(location_id=world['locations'][1], status_key='pending'),
         'first', None),
        ('unpaid, last page', AppointmentFilter(payment='unpaid'), 'last', None),
        ('customer text "lovelace"', AppointmentFilter(text='lovelace'), 'first', None),
        ('customer text "+49 151 0012"', AppointmentFilter(text='+49 151 0012'), 'first', None),
        ('staff + status + month', AppointmentFilter(staff_id=world['staff'][0], status_key='approved',
                                                     first_day=month[0], last_day=month[1]), 'last', None),
    ]
    ok = True
    print(f'   {"call":<34} {"median":>9} {"p90":>9} {"best":>8} {"cpu":>7} {"x base":>8} {"SQL":>4}  target')
    list_statements = set()
    for label, where, move, cursor in cases:
        median, p90, statements, best, cpu = measure(
            lambda w=where, m=move, c=cursor: desk.appointment_list(db, tenant_id=tenant, admin_id=admin, where=w,
                                                                    move=m, cursor=c),
            counter, runs)
        list_statements.add(statements)
        met = median < LIST_TARGET_MS
        ok &= met
        print(f'   list: {label:<28} {median:7.2f}ms {p90:7.2f}ms {best:6.2f}ms {cpu:5.1f}ms {median / base:7.1f}x '
              f'{statements:>4}  '
              f'{"met" if met else "NOT met"} (< {LIST_TARGET_MS:.0f} ms)')
    for label, first in (('week calendar (this week)', date(2026, 11, 23)),
                         ('week calendar (clocks go back)', date(2026, 10, 19))):
        median, p90, statements, best, cpu = measure(
            lambda f=first: desk.calendar(db, tenant_id=tenant, admin_id=admin, first_day=f, days=7), counter, runs)
        shown = desk.calendar(db, tenant_id=tenant, admin_id=admin, first_day=first, days=7)
        met = median < CALENDAR_TARGET_MS
        ok &= met
        print(f'   {label:<34} {median:7.2f}ms {p90:7.2f}ms {best:6.2f}ms {cpu:5.1f}ms {median / base:7.1f}x '
              f'{statements:>4}  '
              f'{"met" if met else "NOT met"} (< {CALENDAR_TARGET_MS:.0f} ms; {len(shown.rows)} appointments)')
    constant = len(list_statements) == 1
    ok &= constant
    print(f'   list statements per call: {sorted(list_statements)} -> '
          f'{"constant: met" if constant else "NOT constant"}')
    started = time.perf_counter()
    size = sum(len(piece) for piece in desk.export_csv(db, tenant_id=tenant, admin_id=admin,
                                                       where=AppointmentFilter(staff_id=world['staff'][3])))
    print(f'   CSV export of one staff member ({size / 1e6:.1f} MB): {time.perf_counter() - started:.2f} s (streamed)')
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--runs', type=int, default=15)
    parser.add_argument('--appointments', type=int, default=100_000)
    parser.add_argument('--customers', type=int, default=50_000)
    parser.add_argument('--postgres', default=os.environ.get('KAIROS_TEST_POSTGRES_URL', ''))
    args = parser.parse_args()
    print(f'load average: {" ".join(f"{x:.1f}" for x in os.getloadavg())} on {os.cpu_count()} CPUs')
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f'sqlite:///{folder}/bench.sqlite3'
        migrate(url)
        db = Database(url)
        results['SQLite'] = run(db, 'SQLite', runs=args.runs, customers=args.customers,
                                appointments=args.appointments)
        db.dispose()
    if args.postgres:
        name = f'kairos_bench_{uuid.uuid4().hex[:8]}'
        admin_engine = sa.create_engine(args.postgres, isolation_level='AUTOCOMMIT')
        with admin_engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE {name}'))
        url = sa.make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        try:
            migrate(url)
            db = Database(url)
            results['PostgreSQL'] = run(db, 'PostgreSQL', runs=args.runs, customers=args.customers,
                                        appointments=args.appointments)
            db.dispose()
        finally:
            with admin_engine.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
            admin_engine.dispose()
    else:
        print('\n(no PostgreSQL URL: set KAIROS_TEST_POSTGRES_URL or pass --postgres to measure it too)')
    print('\n' + '; '.join(f'{k}: {"all targets met" if v else "some targets NOT met"}' for k, v in results.items()))


if __name__ == '__main__':
    main()
