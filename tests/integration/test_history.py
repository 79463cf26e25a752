"""Every change of an appointment is recorded (who, when, from, to, why) and reads as a timeline in your zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from domain import history as dh
from domain.settings import PanelSettings
from services import appointments, events, panel
from storage import tables as t
from tests.support.seed import add_appointment, seed_world
from tests.unit.test_history import ENTRIES
from ui.components.history_timeline import timeline_items

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
BERLIN, TOKYO = ZoneInfo('Europe/Berlin'), ZoneInfo('Asia/Tokyo')
BACK_AND_FORTH = PanelSettings(status_transitions={'canceled': ('pending', 'approved'), 'pending': ('canceled',)},
                               allow_busy_targets=True)


# No SMTP here: the change emails land in a private outbox (test_notify reads real ones).
pytestmark = pytest.mark.usefixtures('private_outbox')


def detail(db, world, appointment_id: int):
    appt = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                    appointment_id=appointment_id)
    assert appt is not None
    return appt


def test_each_change_adds_one_entry_in_order(db) -> None:
    world = seed_world(db, now=NOW, settings=BACK_AND_FORTH)
    appt_id = add_appointment(db, world, start=START)
    steps = [('canceled', 'Flu'), ('pending', 'Better now'), ('canceled', '')]
    for minutes, (target, why) in enumerate(steps, start=1):
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target=target, reason=why, now=NOW + timedelta(minutes=minutes))
    history = detail(db, world, appt_id).history
    assert [(h.action, h.data, h.actor) for h in history] == [
        ('booked', {'status': 'approved'}, 'system'),
        ('status_changed', {'from': 'approved', 'to': 'canceled', 'reason': 'Flu'}, 'customer'),
        ('status_changed', {'from': 'canceled', 'to': 'pending', 'reason': 'Better now'}, 'customer'),
        ('status_changed', {'from': 'pending', 'to': 'canceled'}, 'customer'),
    ]
    assert [h.at for h in history[1:]] == [NOW + timedelta(minutes=m) for m in (1, 2, 3)]


def test_a_reschedule_records_the_move_and_the_status_it_brought(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    before = detail(db, world, appt_id)
    new_start = START + timedelta(days=1)
    with db.write() as s:
        s.execute(sa.update(t.Appointment).where(t.Appointment.id == appt_id).values(
            start=new_start, end=new_start + timedelta(minutes=45), status_key='pending', reschedule_count=1))
        appointments.record_reschedule(s, tenant_id=world.tenant_id, before=before, new_start=new_start,
                                       new_status='pending', reason='', now=NOW)
    history = detail(db, world, appt_id).history
    assert [(h.actor, h.action, h.data) for h in history[1:]] == [
        ('customer', 'rescheduled', {'from': START.isoformat(), 'to': new_start.isoformat()}),
        ('system', 'status_changed', {'from': 'approved', 'to': 'pending', 'cause': 'awaits_confirmation'}),
    ]
    items = timeline_items(detail(db, world, appt_id), BERLIN)
    assert [(i.title, i.body) for i in items] == [
        ('Approved → Pending', 'Reason: The new time waits for the business to confirm it.'),
        ('Rescheduled', 'Thu 26 Nov 2026, 10:00–10:45 → Fri 27 Nov 2026, 10:00–10:45'),
        ('Booked', 'Status: Approved'),
    ]


def test_the_timeline_reads_in_the_readers_zone_and_says_who(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                               target='canceled', reason='Away', now=NOW)
    top = timeline_items(detail(db, world, appt_id), TOKYO)[0]
    assert top.title == 'Approved → Canceled'
    assert top.subtitle == 'Mon 23 Nov 2026, 17:00 · by you'
    assert top.body == 'Reason: Away'


def test_a_refused_change_leaves_no_trace(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=NOW + timedelta(minutes=20))
    with pytest.raises(appointments.NotAllowed):
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target='canceled', reason='late', now=NOW)
    assert [h.action for h in detail(db, world, appt_id).history] == ['booked']


def test_history_is_only_shown_to_the_owner(db) -> None:
    world = seed_world(db, now=NOW)
    bobs = add_appointment(db, world, customer=world.bob, start=START)
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.bob, appointment_id=bobs,
                               target='canceled', reason='private reason', now=NOW)
    assert panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=bobs) is None


def test_a_change_is_published_to_the_customers_open_panels_and_to_slot_pickers(db, monkeypatch) -> None:
    # Only this test's listeners: every test has a runtime (and so an event bus) of its own (tests/conftest.py).
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    heard: list[tuple[str, dict]] = []
    stop_customer = events.subscribe(events.customer_topic(world.tenant_id, world.ada),
                                     lambda payload: heard.append(('customer', payload)))
    stop_slots = events.subscribe(events.availability_topic(world.tenant_id),
                                  lambda payload: heard.append(('slots', payload)))
    stop_bob = events.subscribe(events.customer_topic(world.tenant_id, world.bob),
                                lambda payload: heard.append(('bob', payload)))
    try:
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target='canceled', now=NOW)
    finally:
        stop_customer(), stop_slots(), stop_bob()
    assert heard == [
        ('customer', {'type': 'appointment.changed', 'appointment_id': appt_id, 'kind': 'status'}),
        ('slots', {'staff_id': world.staff['mia'], 'day': '2026-11-26'}),
    ]


def test_the_timeline_names_a_change_of_staff(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    with db.write() as s:
        appointments.record_history(s, tenant_id=world.tenant_id, appointment_id=appt_id, entry=dh.staff_changed(
            at=NOW, actor='customer', from_staff='Mia Wong', to_staff='Leo Park'))
    top = timeline_items(detail(db, world, appt_id), BERLIN)[0]
    assert (top.title, top.body, top.icon) == ('Staff changed', 'Mia Wong → Leo Park', 'person')


@pytest.mark.parametrize(('entry', 'data', 'words'), ENTRIES)
def test_each_action_is_stored_and_read_back_as_it_was(db, entry, data, words) -> None:
    """Every action through the real table (its JSON column) on both databases, and the timeline's words for it."""
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=START)
    with db.write() as s:
        appointments.record_history(s, tenant_id=world.tenant_id, appointment_id=appt_id, entry=entry)
    back = detail(db, world, appt_id).history[-1]
    assert back == entry and back.data == data
    top = timeline_items(detail(db, world, appt_id), BERLIN)[0]
    assert (top.title, top.body) == words
