"""The demo studio holds what a person trying Kairos expects to see, and nothing a real business would refuse:
no double-booked staff, nothing outside working hours, every status and payment state, packages, sign-ins."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from domain.model import PaymentStatus, payment_status
from services import auth, demo
from storage import tables as t

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def loaded(db):
    summary = demo.load_demo(db, now=NOW)
    with db.read() as s:
        rows = {
            'tenant': s.exec(select(t.Tenant)).one(),
            'appointments': s.exec(select(t.Appointment)).all(),
            'services': {r.id: r for r in s.exec(select(t.Service)).all()},
            'staff': s.exec(select(t.Staff)).all(),
            'locations': s.exec(select(t.Location)).all(),
            'packages': {r.id: r for r in s.exec(select(t.Package)).all()},
            'customer_packages': s.exec(select(t.CustomerPackage)).all(),
            'hours': s.exec(select(t.WorkingHours)).all(),
            'breaks': s.exec(select(t.BreakTime)).all(),
            'days_off': s.exec(select(t.DayOff)).all(),
            'special': s.exec(select(t.SpecialDay)).all(),
            'statuses': {r.key: r for r in s.exec(select(t.Status)).all()},
            'payments': s.exec(select(t.Payment)).all(),
            'ada': s.exec(select(t.Customer).where(t.Customer.email == 'ada@example.com')).one(),
        }
    return summary, rows


def test_the_studio_has_its_locations_staff_services_and_packages(loaded) -> None:
    summary, rows = loaded
    tenant = rows['tenant']
    assert (tenant.slug, tenant.name, tenant.currency) == ('default', 'Lumen Studio', 'EUR')
    assert tenant.booking_url == '/book'
    assert tenant.timezone != 'UTC'
    ZoneInfo(tenant.timezone)
    assert len(rows['locations']) == 2 and len(rows['staff']) == 5 and len(rows['services']) == 8
    assert len(rows['packages']) == 2
    services = list(rows['services'].values())
    assert [s.capacity for s in services if s.name == 'Pilates mat class'] == [6]
    assert [(s.price, s.deposit) for s in services if s.deposit] == [(12000, 3000)]
    assert [s.meeting_url for s in services if s.meeting_url] == ['https://meet.example.com/lumen-consult']
    assert (summary.staff, summary.services, summary.packages, summary.locations) == (5, 8, 2, 2)
    assert {(login.email, login.password) for login in summary.logins} >= {
        ('ada@example.com', 'kairos-demo'), ('admin@example.com', 'kairos-admin')}


def test_every_staff_member_has_a_day_off_a_break_or_split_day_and_the_calendar_has_closures(loaded) -> None:
    _, rows = loaded
    tz = ZoneInfo(rows['tenant'].timezone)
    today = NOW.astimezone(tz).date()
    for staff in rows['staff']:
        weekdays = {h.weekday for h in rows['hours'] if h.staff_id == staff.id}
        assert weekdays and len(weekdays) < 7, staff.name
    split_or_break = {h.staff_id for h in rows['breaks']}
    per_day = defaultdict(int)
    for h in rows['hours']:
        per_day[(h.staff_id, h.weekday)] += 1
    split_or_break |= {staff_id for (staff_id, _), n in per_day.items() if n > 1}
    assert split_or_break == {s.id for s in rows['staff']}
    holidays = [d for d in rows['days_off'] if d.staff_id is None]
    staff_days_off = [d for d in rows['days_off'] if d.staff_id is not None]
    assert holidays and staff_days_off and len(rows['special']) == 1
    assert all(today < d.day <= today + timedelta(days=180) for d in rows['days_off'])


def test_ada_can_sign_in_and_has_two_years_of_history_with_everything_the_panel_shows(db, loaded) -> None:
    _, rows = loaded
    ada = rows['ada']
    signed = auth.sign_in(db, tenant_id=rows['tenant'].id, email='ada@example.com', password='kairos-demo', now=NOW)
    assert signed.customer.full_name == 'Ada Lovelace'
    with pytest.raises(auth.SignInFailed):
        auth.sign_in(db, tenant_id=rows['tenant'].id, email='ada@example.com', password='kairos-admin', now=NOW)

    mine = [a for a in rows['appointments'] if a.customer_id == ada.id]
    assert 130 <= len(mine) <= 170
    starts = sorted(a.start for a in mine)
    assert starts[0] <= NOW - timedelta(days=600)
    assert starts[-1] <= NOW + timedelta(days=60)
    assert {a.status_key for a in mine} == {'pending', 'approved', 'canceled', 'rejected', 'no-show'}
    states = {payment_status(price=a.price, deposit=a.deposit, paid=a.amount_paid) for a in mine}
    assert states == set(PaymentStatus)

    upcoming = [a for a in mine if a.start > NOW]
    assert 6 <= len(upcoming) <= 12
    assert max(a.start for a in upcoming) <= NOW + timedelta(weeks=6)
    services = rows['services']
    assert {'pending', 'approved'} <= {a.status_key for a in upcoming}
    assert any(services[a.service_id].deposit and a.amount_paid == a.deposit for a in upcoming)
    assert any(services[a.service_id].meeting_url and a.location_id is None for a in upcoming)
    assert all(a.end <= NOW for a in mine if a.start <= NOW), 'nothing is in progress at the demo instant'

    # her own bookings never overlap each other
    mine_busy = sorted((a.start, a.end) for a in mine)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(mine_busy, mine_busy[1:], strict=False))


def test_ada_owns_a_paid_package_partly_used_and_an_unpaid_one(loaded) -> None:
    _, rows = loaded
    ada = rows['ada']
    busy = {k for k, st in rows['statuses'].items() if st.busy}
    owned = [cp for cp in rows['customer_packages'] if cp.customer_id == ada.id]
    assert len(owned) == 2
    by_state = {}
    for cp in owned:
        package = rows['packages'][cp.package_id]
        used = sum(1 for a in rows['appointments'] if a.customer_package_id == cp.id and a.status_key in busy)
        by_state['paid' if cp.amount_paid >= package.price else 'unpaid'] = (package, used, cp)
    paid_package, used, cp = by_state['paid']
    assert 0 < used < paid_package.sessions
    assert cp.expires_at > NOW
    assert any(p.customer_package_id == cp.id and p.amount == paid_package.price for p in rows['payments'])
    assert by_state['unpaid'][2].amount_paid == 0


def test_what_was_paid_is_backed_by_payments_and_fits_the_price(loaded) -> None:
    _, rows = loaded
    paid_by = defaultdict(int)
    for p in rows['payments']:
        assert p.state == 'succeeded' and p.currency == 'EUR' and p.created_at <= NOW
        if p.appointment_id:
            paid_by[p.appointment_id] += p.amount
    for a in rows['appointments']:
        assert paid_by.get(a.id, 0) == a.amount_paid
        assert 0 <= a.amount_paid <= a.price
        assert a.created_at <= min(a.start, NOW)


def test_no_staff_member_is_double_booked_and_classes_stay_within_their_seats(loaded) -> None:
    _, rows = loaded
    services = rows['services']
    busy = {k for k, st in rows['statuses'].items() if st.busy}
    sessions: dict[tuple[int, datetime], list[t.Appointment]] = defaultdict(list)
    for a in rows['appointments']:
        if a.status_key in busy:
            sessions[(a.staff_id, a.start)].append(a)
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    shared = 0
    for (staff_id, start), group in sessions.items():
        service_ids = {a.service_id for a in group}
        assert len(service_ids) == 1, 'only one service per slot'
        service = services[service_ids.pop()]
        assert sum(a.seats for a in group) <= service.capacity
        assert len({a.customer_id for a in group}) == len(group), 'nobody takes two seats of one class'
        shared += len(group) > 1
        end = group[0].end + timedelta(minutes=service.buffer_after_min)
        spans[staff_id].append((start - timedelta(minutes=service.buffer_before_min), end))
    assert shared > 0, 'some classes have several people in them'
    for staff_id, items in spans.items():
        items.sort()
        for (_, first_end), (second_start, _) in zip(items, items[1:], strict=False):
            assert first_end <= second_start, f'staff {staff_id} double-booked at {second_start}'


def test_every_appointment_lies_inside_its_staff_members_working_hours_in_the_studio_time_zone(loaded) -> None:
    _, rows = loaded
    tz = ZoneInfo(rows['tenant'].timezone)
    weekly: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for h in rows['hours']:
        weekly[(h.staff_id, h.weekday)].append((h.start, h.end))
    breaks: dict[tuple[int, int], list[tuple[time, time]]] = defaultdict(list)
    for b in rows['breaks']:
        breaks[(b.staff_id, b.weekday)].append((b.start, b.end))
    special = {(sd.staff_id, sd.day): [(sd.start, sd.end)] for sd in rows['special']}
    closed = {(d.staff_id, d.day) for d in rows['days_off']}
    for a in rows['appointments']:
        start, end = a.start.astimezone(tz), a.end.astimezone(tz)
        day: date = start.date()
        assert end.date() == day
        assert (None, day) not in closed and (a.staff_id, day) not in closed
        if (a.staff_id, day) in special:
            hours, cuts = special[(a.staff_id, day)], []
        else:
            hours, cuts = weekly[(a.staff_id, day.weekday())], breaks[(a.staff_id, day.weekday())]
        assert any(h_start <= start.time() and end.time() <= h_end for h_start, h_end in hours), (
            f'appointment {a.id} at {start} is outside the hours of staff {a.staff_id}')
        assert not any(b_start < end.time() and start.time() < b_end for b_start, b_end in cuts), (
            f'appointment {a.id} at {start} falls in a break')


def test_other_customers_have_history_and_take_slots_in_the_coming_weeks(loaded) -> None:
    summary, rows = loaded
    others = [a for a in rows['appointments'] if a.customer_id != rows['ada'].id]
    assert len({a.customer_id for a in others}) == 10 == summary.customers - 1
    assert sum(1 for a in others if NOW < a.start <= NOW + timedelta(days=31)) >= 20
    assert sum(1 for a in others if a.start < NOW) >= 80


def test_the_day_it_is_loaded_has_visits_still_to_come_for_the_front_desk(db, loaded) -> None:
    """Loaded at 09:30 UTC (Lisbon: the same), the studio has visits later that day, none for the two customers who
    sign in (their journeys expect their own appointments), none in the past or the coming hour."""
    _, rows = loaded
    zone = ZoneInfo(rows['tenant'].timezone)
    with db.read() as s:
        grace = s.exec(select(t.Customer).where(t.Customer.email == demo.GRACE_EMAIL)).one()
    today = [a for a in rows['appointments'] if a.start.astimezone(zone).date() == NOW.astimezone(zone).date()]
    assert 2 <= len(today) <= 4
    assert all(a.start >= NOW + timedelta(hours=1) for a in today)
    assert not {a.customer_id for a in today} & {rows['ada'].id, grace.id}


def test_loading_twice_is_refused_and_reset_reloads_the_same_studio(db, loaded) -> None:
    summary, rows = loaded
    with pytest.raises(demo.DemoExists, match='already exists'):
        demo.load_demo(db, now=NOW)
    again = demo.reset_demo(db, now=NOW)
    assert again.appointments == summary.appointments and again.ada_appointments == summary.ada_appointments
    with db.read() as s:
        starts = sorted(a.start for a in s.exec(select(t.Appointment)).all())
        assert len(s.exec(select(t.Tenant)).all()) == 1
    assert starts == sorted(a.start for a in rows['appointments'])


def test_the_demo_loads_in_a_few_seconds_on_sqlite(sqlite_db) -> None:
    import time as clock

    began = clock.perf_counter()
    demo.load_demo(sqlite_db, now=NOW, seed=11)
    assert clock.perf_counter() - began < 3


# ---- the command line --------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch):
    import shutil

    from services.config import reset_config
    from services.context import reset_db

    path = tmp_path / 'cli.sqlite3'
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv('KAIROS_DATABASE_URL', f'sqlite:///{path}')
    reset_config()
    reset_db()
    yield CliRunner()
    reset_config()
    reset_db()


def test_cli_demo_then_settings_set_validates_and_saves(cli_env: CliRunner) -> None:
    from ui.cli import app

    loaded = cli_env.invoke(app, ['demo'])
    assert loaded.exit_code == 0, loaded.output
    assert 'ada@example.com / kairos-demo' in loaded.output and 'admin@example.com / kairos-admin' in loaded.output
    kept = cli_env.invoke(app, ['demo', '--if-empty'])
    assert kept.exit_code == 0 and 'keeping it' in kept.output and 'ada@example.com' in kept.output
    assert cli_env.invoke(app, ['demo']).exit_code == 1

    for key, value in (('designer.show_price', 'false'), ('reschedule_closes_minutes', '30'),
                       ('status_transitions', '{"canceled":["pending"]}'), ('booking_url', '/book/lumen')):
        result = cli_env.invoke(app, ['settings', 'set', key, value])
        assert result.exit_code == 0, result.output
    shown = json.loads(cli_env.invoke(app, ['settings', 'show']).output)
    assert shown['designer']['show_price'] is False
    assert shown['reschedule_closes_minutes'] == 30
    assert shown['status_transitions'] == {'canceled': ['pending']}
    assert shown['booking_url'] == '/book/lumen'

    for key, value, message in (
        ('status_transitions', '{"canceled":["bogus"]}', 'Unknown status: bogus'),
        ('designer.show_prices', 'false', 'Unknown setting: designer.show_prices'),
        ('reschedule_enabled', 'maybe', 'reschedule_enabled must be true or false'),
        ('change_closes_minutes', '-5', 'zero or more'),
        ('no_such_setting', '1', 'Unknown setting: no_such_setting'),
        # A customer must never approve their own booking by accident: a busy target needs the admin's confirmation.
        ('status_transitions', '{"approved":["pending"]}', 'allow_busy_targets'),
    ):
        result = cli_env.invoke(app, ['settings', 'set', '--', key, value])
        assert result.exit_code == 1, (key, result.output)
        assert message in result.output, (key, result.output)
    assert json.loads(cli_env.invoke(app, ['settings', 'show']).output) == shown, 'refused changes leave no trace'


def test_cli_branding_refuses_a_colour_white_text_cannot_be_read_on(cli_env: CliRunner) -> None:
    """The business picks its colour and theme; a colour its customers could not read buttons on is refused."""
    from domain.model import Branding
    from services.tenants import forget_tenants, resolve_tenant
    from ui.cli import app

    assert cli_env.invoke(app, ['demo']).exit_code == 0
    refused = cli_env.invoke(app, ['branding', '--color', '#FDE047'])
    assert refused.exit_code == 1
    assert 'White text on #fde047 has a contrast of 1.' in refused.output
    assert 'A darker shade such as #' in refused.output
    assert cli_env.invoke(app, ['branding', '--color', 'yellow']).exit_code == 1
    forget_tenants()
    assert resolve_tenant(None).branding.primary_color == '#0f766e'  # the demo's teal, untouched

    saved = cli_env.invoke(app, ['branding', '--color', '#1D4ED8', '--dark'])
    assert saved.exit_code == 0, saved.output
    assert 'Primary colour #1d4ed8, dark theme.' in saved.output
    forget_tenants()
    assert resolve_tenant(None).branding == Branding(primary_color='#1d4ed8', dark=True)
    assert cli_env.invoke(app, ['branding', '--light']).exit_code == 0
    forget_tenants()
    assert resolve_tenant(None).branding.dark is False
