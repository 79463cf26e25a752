"""Benchmark of availability from a real database: a month of one service, 10 staff, 20,000 stored appointments.

Run: .venv/bin/python bench/bench_availability.py [--runs N] [--reference-runs N]

It stores bench_slots.build_bench_case() in a fresh, migrated SQLite file (tenant, services, staff with their hours,
breaks, days off, special day and the business holiday, one appointment row per booking), then times:
- load: storage.schedules reading everything the month needs (service, staff, schedules, busy bookings) and
  turning the rows into the engine's values, as services.availability.month_dates does before asking the engine;
- engine: the slot engine on those loaded inputs, for the month's dates (what the calendar asks), and for the
  month's dates plus every day's slots (bench_slots.py's question);
- reference: the brute-force reference (tests/unit/slot_reference.py) on the same inputs;
and checks that the engine on the loaded inputs, the engine on the in-memory case and the reference agree.
Targets: the month under 50 ms, the engine at most 2x the load time, at least 20x faster than the reference.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / 'bench'), str(ROOT / 'tests' / 'unit')]

from bench_slots import BenchCase, best_of, build_bench_case  # noqa: E402
from slot_reference import reference_available_dates, reference_free_slots  # noqa: E402

from domain.availability import SlotFinder, SlotRequest  # noqa: E402
from services.availability import day_window, month_dates  # noqa: E402
from storage import catalog as catalog_db  # noqa: E402
from storage import customers as customer_db  # noqa: E402
from storage import schedules as schedule_db  # noqa: E402
from storage import tables as t  # noqa: E402
from storage import tenants as tenant_db  # noqa: E402
from storage.db import Database, migrate  # noqa: E402

MONTH_TARGET_MS = 50.0
LOAD_RATIO_TARGET = 2.0
SPEED_UP_TARGET = 20.0


def store_case(db: Database, case: BenchCase) -> tuple[int, int]:
    """Write the case into the database: (tenant id, id of the booked service). Staff and appointment ids are kept."""
    request = case.request
    rules = request.rules
    minutes = lambda delta: int(delta.total_seconds() // 60)  # noqa: E731
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug='bench', name='Bench Studio', timezone=request.zone.key)
        service_ids: dict[tuple[int, timedelta, timedelta], int] = {}
        service_ids[(request.service_id, rules.buffer_before, rules.buffer_after)] = catalog_db.create_service(
            s, tenant_id=tenant, name='Class', duration_min=minutes(rules.duration), slot_step_min=minutes(rules.step),
            capacity=rules.capacity, buffer_before_min=minutes(rules.buffer_before),
            buffer_after_min=minutes(rules.buffer_after), min_notice_min=minutes(rules.min_notice),
            max_days_ahead=rules.max_days_ahead)
        for b in request.bookings:  # other services: one row per (service, buffers) the case uses
            key = (b.service_id, b.buffer_before, b.buffer_after)
            if key not in service_ids:
                service_ids[key] = catalog_db.create_service(s, tenant_id=tenant, name=f'Other {len(service_ids)}',
                                                             buffer_before_min=minutes(b.buffer_before),
                                                             buffer_after_min=minutes(b.buffer_after))
        main = service_ids[(request.service_id, rules.buffer_before, rules.buffer_after)]
        customer = customer_db.create_customer(s, tenant_id=tenant, email='bench@example.com', now=case.now)
        conn = s.connection()
        conn.execute(sa.insert(t.Staff), [{'id': x.staff_id, 'tenant_id': tenant, 'name': f'Staff {x.staff_id}'}
                                          for x in request.staff])
        conn.execute(sa.insert(t.StaffService), [{'staff_id': x.staff_id, 'service_id': main} for x in request.staff])
        hours = [{'tenant_id': tenant, 'staff_id': x.staff_id, 'weekday': wd, 'start': a, 'end': b}
                 for x in request.staff for wd, spans in x.weekly.items() for a, b in spans]
        conn.execute(sa.insert(t.WorkingHours), hours)
        pauses = [{'tenant_id': tenant, 'staff_id': x.staff_id, 'weekday': wd, 'start': a, 'end': b}
                  for x in request.staff for wd, spans in x.breaks.items() for a, b in spans]
        conn.execute(sa.insert(t.BreakTime), pauses)
        off = [{'tenant_id': tenant, 'staff_id': x.staff_id, 'day': day, 'reason': ''}
               for x in request.staff for day in x.days_off]
        off += [{'tenant_id': tenant, 'staff_id': None, 'day': day, 'reason': 'holiday'} for day in request.holidays]
        conn.execute(sa.insert(t.DayOff), off)
        special = [{'tenant_id': tenant, 'staff_id': x.staff_id, 'day': day, 'start': a, 'end': b}
                   for x in request.staff for day, spans in x.special_days.items() for a, b in spans]
        if special:
            conn.execute(sa.insert(t.SpecialDay), special)
        conn.execute(sa.insert(t.Appointment), [
            {'id': b.appointment_id, 'tenant_id': tenant, 'customer_id': customer, 'staff_id': b.staff_id,
             'service_id': service_ids[(b.service_id, b.buffer_before, b.buffer_after)], 'location_id': None,
             'start': b.start, 'end': b.end, 'seats': b.seats, 'status_key': 'approved', 'price': 0, 'deposit': 0,
             'amount_paid': 0, 'notes': '', 'customer_package_id': None, 'reschedule_count': 0,
             'created_at': case.now}
            for b in request.bookings])
    return tenant, main


def load_month(db: Database, case: BenchCase, *, tenant_id: int, service_id: int) -> SlotRequest:
    """What month_dates reads before asking the engine: the service, its staff, their schedules and bookings."""
    first, last = case.days[0], case.days[-1]
    with db.read() as s:
        found = catalog_db.bookable_service(s, tenant_id=tenant_id, service_id=service_id)
        assert found is not None
        staff_ids = catalog_db.staff_ids_for(s, tenant_id=tenant_id, service_id=service_id)
        lo, hi = day_window(first, last, found.zone)
        return schedule_db.slot_request(s, tenant_id=tenant_id, found=found, staff_ids=staff_ids, start=lo, end=hi,
                                        ignore_appointment_id=case.request.ignore_appointment_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=15)
    parser.add_argument('--reference-runs', type=int, default=1)
    args = parser.parse_args()

    case = build_bench_case()
    with tempfile.TemporaryDirectory() as folder:
        url = f'sqlite:///{folder}/bench.sqlite3'
        migrate(url)
        db = Database(url)
        started = time.perf_counter()
        tenant_id, service_id = store_case(db, case)
        print(f'stored {len(case.request.bookings):,} appointments, {len(case.request.staff)} staff in SQLite '
              f'({(time.perf_counter() - started) * 1000:.0f} ms); month {case.year}-{case.month:02d} in '
              f'{case.request.zone.key}')

        load_ms, loaded = best_of(args.runs, lambda: load_month(db, case, tenant_id=tenant_id, service_id=service_id))
        year, month, now = case.year, case.month, case.now
        dates_ms, dates = best_of(args.runs, lambda: SlotFinder(loaded).available_dates(year=year, month=month,
                                                                                         now=now))

        def month_and_days(request: SlotRequest) -> tuple[list, dict]:
            finder = SlotFinder(request)
            return (finder.available_dates(year=year, month=month, now=now),
                    {day: finder.free_slots(day=day, now=now) for day in case.days})

        every_ms, every = best_of(args.runs, lambda: month_and_days(loaded))
        service_ms, served = best_of(args.runs, lambda: month_dates(
            db, tenant_id=tenant_id, service_id=service_id, staff_id=None, year=year, month=month, now=now,
            ignore_appointment_id=case.request.ignore_appointment_id))

        def reference() -> tuple[list, dict]:
            return (reference_available_dates(loaded, year=year, month=month, now=now),
                    {day: reference_free_slots(loaded, day=day, now=now) for day in case.days})

        reference_ms, expected = best_of(args.reference_runs, reference)
        in_memory = month_and_days(case.request)

    identical = every == expected == in_memory and dates == expected[0] == served
    slot_count = sum(len(x) for x in every[1].values())
    print(f'loaded {len(loaded.bookings):,} busy bookings of {len(loaded.staff)} staff')
    print(f'answers: {len(dates)} available dates, {slot_count} slots over {len(case.days)} days')
    print(f'load from the database (storage.schedules):      {load_ms:8.1f} ms')
    print(f'engine, month dates (the calendar):               {dates_ms:8.1f} ms')
    print(f"engine, month dates + every day's slots:          {every_ms:8.1f} ms")
    print(f'month_dates() end to end (load + engine):         {service_ms:8.1f} ms')
    print(f"reference, month dates + every day's slots:       {reference_ms:8.1f} ms")
    print(f'machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs')
    print(f'identical output (loaded engine = in-memory engine = reference = month_dates): '
          f'{"PASS" if identical else "FAIL"}')
    for name, engine_ms in (('month dates', dates_ms), ('month dates + every day', every_ms)):
        ratio, speed_up = engine_ms / load_ms, reference_ms / every_ms
        print(f'[{name}] engine < {MONTH_TARGET_MS:.0f} ms: {"PASS" if engine_ms < MONTH_TARGET_MS else "FAIL"} '
              f'({engine_ms:.1f} ms)')
        print(f'[{name}] engine <= {LOAD_RATIO_TARGET:.0f}x load: '
              f'{"PASS" if ratio <= LOAD_RATIO_TARGET else "FAIL"} ({ratio:.2f}x)')
        if name != 'month dates':
            print(f'[{name}] >= {SPEED_UP_TARGET:.0f}x faster than the reference: '
                  f'{"PASS" if speed_up >= SPEED_UP_TARGET else "FAIL"} ({speed_up:.0f}x)')
    if not identical:
        sys.exit(1)


if __name__ == '__main__':
    main()
