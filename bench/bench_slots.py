"""Benchmark of the slot engine: a month of one service, 10 staff, 20,000 existing bookings.

Run: .venv/bin/python bench/bench_slots.py [--runs N] [--reference-runs N]

It times the engine answering `available_dates` for the month and `free_slots` for every day of it, times the
brute-force reference (tests/unit/slot_reference.py) on the same questions, checks both give identical answers and
prints the figures. Targets: engine under 50 ms, and at least 20x faster than the reference.

`build_bench_case` is the in-memory case; a database timing can load the same rows and hand them to the engine.
"""

from __future__ import annotations

import argparse
import calendar
import gc
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / 'tests' / 'unit')]

from slot_reference import reference_available_dates, reference_free_slots  # noqa: E402

from domain.availability import (  # noqa: E402
    Booking,
    ServiceRules,
    Slot,
    SlotFinder,
    SlotRequest,
    StaffSchedule,
    available_dates,
    free_slots,
    wall_to_utc,
)

T = TypeVar('T')
MIN = timedelta(minutes=1)
ENGINE_TARGET_MS = 50.0
SPEED_UP_TARGET = 20.0


@dataclass(frozen=True, slots=True, kw_only=True)
class BenchCase:
    request: SlotRequest
    year: int
    month: int
    now: datetime

    @property
    def days(self) -> list[date]:
        return [date(self.year, self.month, n) for n in range(1, calendar.monthrange(self.year, self.month)[1] + 1)]


def build_bench_case(
    *,
    staff_count: int = 10,
    booking_count: int = 20_000,
    year: int = 2026,
    month: int = 3,
    tz: str = 'Europe/Berlin',
    seed: int = 20260323,
) -> BenchCase:
    """A busy month of one group class (30 minutes on a 15-minute grid, 10 seats) with `booking_count` bookings.

    March in Berlin by default, so the month contains a clock change. Staff work Monday to Saturday 08:00-12:00 and
    13:00-20:00 with a 16:00-16:15 break; each has a day off, the business has a holiday and staff 1 a special day.
    Classes run every 45 minutes per staff member (staggered between staff), and 90% of the bookings are seats in
    them; 5% are other services anywhere on the quarter hour, which block whatever they touch; 5% fall just outside
    the month, as a date-range query would also return. Bookings come in start order, as a query ordered by start.
    """
    rng = random.Random(seed)
    zone = ZoneInfo(tz)
    service_id, other_services = 1, (2, 3, 4)
    rules = ServiceRules(
        duration=30 * MIN,
        step=15 * MIN,
        capacity=10,
        buffer_before=5 * MIN,
        buffer_after=5 * MIN,
        min_notice=120 * MIN,
        max_days_ahead=60,
    )
    hours = ((clock(8), clock(12)), (clock(13), clock(20)))
    days = [date(year, month, n) for n in range(1, calendar.monthrange(year, month)[1] + 1)]
    staff = tuple(
        StaffSchedule(
            staff_id=staff_id,
            weekly={weekday: hours for weekday in range(6)},
            breaks={weekday: ((clock(16), clock(16, 15)),) for weekday in range(6)},
            days_off=frozenset({days[(staff_id * 3) % len(days)]}),
            special_days={days[20]: ((clock(10), clock(14)),)} if staff_id == 1 else {},
        )
        for staff_id in range(1, staff_count + 1)
    )
    classes = {
        staff_id: [
            wall_to_utc(datetime.combine(day, start) + (staff_id % 3) * rules.step + k * 45 * MIN, zone)[0]
            for day in days
            if day.weekday() < 6
            for start, end in hours
            for k in range(((end.hour - start.hour) * 60 - 30 - (staff_id % 3) * 15) // 45 + 1)
        ]
        for staff_id in range(1, staff_count + 1)
    }
    first_day = wall_to_utc(datetime.combine(days[0], clock()), zone)[0]
    after_last = wall_to_utc(datetime.combine(days[-1] + timedelta(days=1), clock()), zone)[0]
    bookings = []
    for n in range(booking_count):
        staff_id = rng.randint(1, staff_count)
        buffer_before = buffer_after = 0 * MIN
        if n % 20 == 0:
            start = rng.choice((first_day - 2 * 24 * 60 * MIN, after_last)) + rng.randint(0, 191) * 15 * MIN
            length, service = 30 * MIN, rng.choice(other_services)
        elif n % 20 == 1:
            start = first_day + rng.randint(0, len(days) * 96 - 1) * 15 * MIN
            length, service, buffer_after = rng.choice((15, 30, 45, 60)) * MIN, rng.choice(other_services), 10 * MIN
        else:
            start, length, service = rng.choice(classes[staff_id]), rules.duration, service_id
            buffer_before, buffer_after = rules.buffer_before, rules.buffer_after
        bookings.append(
            Booking(
                staff_id=staff_id,
                start=start,
                end=start + length,
                service_id=service,
                seats=rng.choice((1, 1, 1, 2)),
                buffer_before=buffer_before,
                buffer_after=buffer_after,
                appointment_id=n + 1,
            )
        )
    bookings.sort(key=lambda b: (b.start, b.staff_id))
    request = SlotRequest(
        tz=zone,
        service_id=service_id,
        rules=rules,
        staff=staff,
        holidays=frozenset({days[5]}),
        bookings=tuple(bookings),
        ignore_appointment_id=bookings[len(bookings) // 2].appointment_id,
    )
    now = datetime(year, month, 1, 7, 0, tzinfo=UTC) - timedelta(days=1)
    return BenchCase(request=request, year=year, month=month, now=now)


Answers = tuple[list[date], dict[date, list[Slot]]]


def engine_answers(case: BenchCase) -> Answers:
    """The engine prepared once for the month, asked for the month's dates and every day's slots."""
    finder = SlotFinder(case.request)
    dates = finder.available_dates(year=case.year, month=case.month, now=case.now)
    return dates, {day: finder.free_slots(day=day, now=case.now) for day in case.days}


def engine_answers_unprepared(case: BenchCase) -> Answers:
    """The same through the one-shot functions, which index the bookings again on every call."""
    dates = available_dates(case.request, year=case.year, month=case.month, now=case.now)
    return dates, {day: free_slots(case.request, day=day, now=case.now) for day in case.days}


def reference_answers(case: BenchCase) -> Answers:
    dates = reference_available_dates(case.request, year=case.year, month=case.month, now=case.now)
    return dates, {day: reference_free_slots(case.request, day=day, now=case.now) for day in case.days}


def best_of(runs: int, work: Callable[[], T]) -> tuple[float, T]:
    """The fastest of `runs` runs in wall-clock milliseconds (time.perf_counter), and the last answer."""
    best = float('inf')
    for _ in range(runs):
        gc.collect()  # each run starts from a clean heap, not from the garbage of the one before
        started = time.perf_counter()
        answer = work()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best, answer


def best_cpu_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of `runs` runs in CPU milliseconds of this process: less disturbed by a busy machine."""
    best = float('inf')
    for _ in range(runs):
        started = time.process_time()
        work()
        best = min(best, (time.process_time() - started) * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=15)
    parser.add_argument('--reference-runs', type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    case = build_bench_case()
    build_ms = (time.perf_counter() - started) * 1000
    request = case.request
    print(
        f'case: {len(request.staff)} staff, {len(request.bookings)} bookings, {case.year}-{case.month:02d} in '
        f'{request.zone.key} (built in {build_ms:.0f} ms)'
    )

    engine_ms, engine = best_of(args.runs, lambda: engine_answers(case))
    engine_cpu_ms = best_cpu_of(args.runs, lambda: engine_answers(case))
    dates_ms, _ = best_of(args.runs, lambda: available_dates(request, year=case.year, month=case.month, now=case.now))
    day_ms, _ = best_of(args.runs, lambda: free_slots(request, day=case.days[15], now=case.now))
    unprepared_ms, unprepared = best_of(max(1, args.runs // 3), lambda: engine_answers_unprepared(case))
    reference_ms, reference = best_of(args.reference_runs, lambda: reference_answers(case))

    identical = engine == reference == unprepared
    slot_count = sum(len(slots) for slots in engine[1].values())
    speed_up = reference_ms / engine_ms
    print(f'answers: {len(engine[0])} available dates, {slot_count} slots over {len(case.days)} days')
    print(f'engine, month dates + every day (prepared once): {engine_ms:8.1f} ms  (CPU {engine_cpu_ms:.1f} ms)')
    print(f'  available_dates(request, month) alone:          {dates_ms:8.1f} ms')
    print(f'  free_slots(request, day) alone, one day:        {day_ms:8.1f} ms')
    print(f'  month dates + every day via one-shot calls:     {unprepared_ms:8.1f} ms')
    print(f'reference, month dates + every day:              {reference_ms:8.1f} ms')
    print(f'speed-up: {speed_up:.0f}x')
    print(f'machine load average (1 min) while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs')
    print(f'identical: {"yes" if identical else "NO"}')
    print(f'target engine < {ENGINE_TARGET_MS:.0f} ms: {"met" if engine_ms < ENGINE_TARGET_MS else "NOT met"}')
    print(f'target >= {SPEED_UP_TARGET:.0f}x faster: {"met" if speed_up >= SPEED_UP_TARGET else "NOT met"}')
    if not identical:
        sys.exit(1)


if __name__ == '__main__':
    main()
