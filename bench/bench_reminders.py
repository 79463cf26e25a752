"""How long the reminder scheduler takes to find what is due, with 100,000 upcoming appointments.

Run: .venv/bin/python bench/bench_reminders.py [--appointments 100000] [--runs 30] [--postgres-url URL]

It makes a migrated SQLite file in a temporary folder (and, with --postgres-url, a PostgreSQL database of its own,
dropped at the end) holding three businesses, each with reminders a day and two hours ahead and one service with its
own (an hour ahead), 2,000 customers (every tenth has turned reminders off) and --appointments upcoming
appointments spread evenly over the next 90 days (every tenth canceled), plus as many past ones. It is the steady
state of a running scheduler: every reminder whose moment came more than a minute ago is recorded as handled (the
past appointments' too, so reminder_sent holds about two rows per past appointment), so the query must look at every
appointment in the next day and find the few that just became due.

Timed, best and median of --runs, taking turns so both see the same noise:
- due: storage.reminders.due_reminders, the scheduler's one query per round (services.reminders.run_due);
- baseline: one appointment read by its primary key, the cheapest indexed query there is (the floor of a round
  trip through SQLAlchemy on this database).
It prints the query plan (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), which must use
ix_appointment_start, and the target: due under 20 ms (median). It also times the same query with the index dropped,
for comparison (the planner then falls back on another plan: PostgreSQL scans much more; SQLite, after ANALYZE, may
skip-scan the customer index).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from domain.reminders import ReminderSettings  # noqa: E402
from domain.settings import PanelSettings  # noqa: E402
from storage import catalog as catalog_db  # noqa: E402
from storage import reminders as reminder_db  # noqa: E402
from storage import tables as t  # noqa: E402
from storage import tenants as tenant_db  # noqa: E402
from storage.db import Database, migrate, table_of  # noqa: E402

TARGET_MS = 20.0
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
TENANTS = 3
CUSTOMERS = 2000


def seed(db: Database, upcoming: int) -> list[reminder_db.RuleGroup]:
    """The businesses, their customers and appointments, and the reminders already handled; returns the rules."""
    tenants: list[tuple[int, list[int], list[int], PanelSettings]] = []
    with db.write() as s:
        for n in range(TENANTS):
            tenant = tenant_db.create_tenant(s, slug=f'bench-{n}', name=f'Bench {n}', timezone='Europe/Lisbon')
            services = [catalog_db.create_service(s, tenant_id=tenant, name=f'Service {i}', duration_min=45)
                        for i in range(4)]
            staff = [catalog_db.create_staff(s, tenant_id=tenant, name=f'Staff {i}', service_ids=services)
                     for i in range(6)]
            settings = PanelSettings(reminders=ReminderSettings(minutes_before=(1440, 120),
                                                                per_service={services[0]: (60,)}))
            tenant_db.save_panel_settings(s, tenant_id=tenant, settings=settings)
            tenants.append((tenant, services, staff, settings))
    customers: dict[int, list[int]] = {}
    with db.write() as s:
        conn = s.connection()
        for tenant, *_ in tenants:
            conn.execute(sa.insert(t.Customer), [
                {'tenant_id': tenant, 'first_name': 'C', 'last_name': str(i), 'email': f'c{i}@t{tenant}.example',
                 'email_norm': f'c{i}@t{tenant}.example', 'phone': '', 'gender': '', 'avatar_version': 0,
                 'email_reminders': i % 10 != 0, 'created_at': NOW - timedelta(days=400)}
                for i in range(CUSTOMERS // TENANTS)])
            customers[tenant] = list(conn.execute(sa.select(t.Customer.id).where(
                t.Customer.tenant_id == tenant)).scalars())
    span = timedelta(days=90)
    rows: list[dict[str, Any]] = []
    for i in range(upcoming * 2):
        tenant, services, staff, _ = tenants[i % TENANTS]
        ahead = i < upcoming
        offset = span * ((i if ahead else i - upcoming) + 0.5) / upcoming
        start = (NOW + offset) if ahead else (NOW - offset)
        rows.append({'tenant_id': tenant, 'customer_id': customers[tenant][i % len(customers[tenant])],
                     'service_id': services[i % len(services)], 'staff_id': staff[i % len(staff)], 'location_id': None,
                     'start': start, 'end': start + timedelta(minutes=45), 'seats': 1,
                     'status_key': 'canceled' if i % 10 == 3 else ('pending' if i % 4 == 0 else 'approved'),
                     'price': 4500, 'deposit': 0, 'amount_paid': 0, 'notes': '', 'customer_package_id': None,
                     'reschedule_count': 0, 'created_at': start - timedelta(days=30)})
    with db.write() as s:
        for chunk in range(0, len(rows), 10_000):
            s.connection().execute(sa.insert(t.Appointment), rows[chunk:chunk + 10_000])
    # The steady state: what became due more than a minute ago was handled by the last rounds.
    handled: list[dict[str, Any]] = []
    with db.read() as s:
        window = s.execute(sa.select(t.Appointment.id, t.Appointment.tenant_id, t.Appointment.service_id,
                                     t.Appointment.start).where(t.Appointment.start > NOW,
                                                                t.Appointment.start <= NOW + timedelta(days=1))).all()
    by_tenant = {tenant: settings for tenant, _, _, settings in tenants}
    for appt_id, tenant, service_id, start in window:
        for minutes in by_tenant[tenant].reminders.offsets_for(service_id):
            if start - timedelta(minutes=minutes) <= NOW - timedelta(minutes=1):
                handled.append({'tenant_id': tenant, 'appointment_id': appt_id, 'kind': 'reminder',
                                'for_start': start, 'minutes_before': minutes, 'skipped': False, 'sent_at': NOW})
    # ...and the rows of every past appointment: the table only grows, the query must not mind.
    with db.read() as s:
        past = s.execute(sa.select(t.Appointment.id, t.Appointment.tenant_id, t.Appointment.service_id,
                                   t.Appointment.start).where(t.Appointment.start <= NOW)).all()
    history = [{'tenant_id': tenant, 'appointment_id': appt_id, 'kind': 'reminder', 'for_start': start,
                'minutes_before': minutes, 'skipped': False, 'sent_at': start - timedelta(minutes=minutes)}
               for appt_id, tenant, service_id, start in past
               for minutes in by_tenant[tenant].reminders.offsets_for(service_id)]
    with db.write() as s:
        for chunk in range(0, len(handled + history), 10_000):
            s.connection().execute(sa.insert(t.ReminderSent), (handled + history)[chunk:chunk + 10_000])
    with db.read() as s:
        settings_now = [(tid, ps.reminders) for tid, ps in tenant_db.all_panel_settings(s) if ps is not None]
    print(f'  seeded {upcoming:,} upcoming and {upcoming:,} past appointments, {len(window):,} in the next day, '
          f'{len(handled):,} of their reminders already handled, {len(history):,} rows for past ones')
    if db.is_postgres:
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level='AUTOCOMMIT').exec_driver_sql('VACUUM ANALYZE')
    else:
        with db.engine.begin() as conn:
            conn.exec_driver_sql('ANALYZE')
    return reminder_db.rule_groups(settings_now)


def explain(db: Database, stmt: sa.Select[Any]) -> str:
    """The database's plan for `stmt` with its real parameters."""
    with db.engine.connect() as conn:
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={'render_postcompile': True})
        params = {k: (v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v)
                  for k, v in compiled.construct_params().items()}
        if db.is_postgres:
            rows = conn.exec_driver_sql('EXPLAIN (ANALYZE, COSTS OFF) ' + str(compiled), params).all()
            return '\n'.join(f'    {r[0]}' for r in rows)
        args = tuple(str(params[name]) if isinstance(params[name], datetime) else params[name]
                     for name in compiled.positiontup or ())
        rows = conn.exec_driver_sql('EXPLAIN QUERY PLAN ' + str(compiled), args).all()
        return '\n'.join(f'    {r[-1]}' for r in rows)


def timed(runs: int, jobs: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    """Each job `runs` times, taking turns; milliseconds."""
    out: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(runs):
        for name, job in jobs.items():
            begin = time.perf_counter()
            job()
            out[name].append((time.perf_counter() - begin) * 1000)
    return out


def bench(db: Database, label: str, upcoming: int, runs: int) -> None:
    print(f'\n== {label}')
    groups = seed(db, upcoming)
    some_id = upcoming // 2

    def due() -> object:
        with db.read() as s:
            return reminder_db.due_reminders(s, groups, now=NOW)

    def baseline() -> object:
        with db.read() as s:
            return s.connection().execute(sa.select(t.Appointment.id, t.Appointment.start).where(
                t.Appointment.id == some_id)).first()

    found = due()
    assert isinstance(found, list)
    print(f'  due now: {len(found)} appointments (those whose reminder came due in the last minute)')
    print('  plan:')
    print(explain(db, reminder_db.due_statement(groups, now=NOW, limit=500)))
    for _ in range(3):  # warm the caches and the statement cache
        due(), baseline()
    times = timed(runs, {'due': due, 'baseline': baseline})
    due_best, due_median = min(times['due']), statistics.median(times['due'])
    base_best, base_median = min(times['baseline']), statistics.median(times['baseline'])
    print(f'  due reminders: best {due_best:.2f} ms, median {due_median:.2f} ms')
    print(f'  baseline (one row by primary key): best {base_best:.2f} ms, median {base_median:.2f} ms')
    print(f'  due / baseline (median): {due_median / base_median:.1f}x')
    print(f'  target: due under {TARGET_MS:.0f} ms (median): {"PASS" if due_median < TARGET_MS else "FAIL"}')

    with db.engine.begin() as conn:
        conn.execute(sa.text('DROP INDEX ix_appointment_start'))
    try:
        without = timed(max(3, runs // 5), {'due': due})['due']
        print(f'  the same query without ix_appointment_start: median {statistics.median(without):.2f} ms '
              f'({statistics.median(without) / due_median:.1f}x the indexed one)')
    finally:
        with db.engine.begin() as conn:
            sa.Index('ix_appointment_start', table_of(t.Appointment).c.start).create(conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--appointments', type=int, default=100_000)
    parser.add_argument('--runs', type=int, default=30)
    parser.add_argument('--postgres-url', default=os.environ.get('KAIROS_BENCH_POSTGRES_URL'))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f'sqlite:///{folder}/bench.sqlite3'
        migrate(url)
        db = Database(url)
        try:
            bench(db, 'SQLite', args.appointments, args.runs)
        finally:
            db.dispose()
    if args.postgres_url:
        name = f'kairos_bench_{uuid.uuid4().hex[:8]}'
        admin = sa.create_engine(args.postgres_url, isolation_level='AUTOCOMMIT')
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE {name}')
        url = args.postgres_url.rsplit('/', 1)[0] + '/' + name
        try:
            migrate(url)
            db = Database(url)
            try:
                bench(db, 'PostgreSQL', args.appointments, args.runs)
            finally:
                db.dispose()
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')
            admin.dispose()


if __name__ == '__main__':
    main()
