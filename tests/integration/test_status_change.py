"""Change status through the service, on a real database: the rules hold whatever the browser sent."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.rules import NotAllowed
from domain.settings import PanelSettings
from services import appointments, panel
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import tenants as tenant_db
from tests.support.seed import add_appointment, seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SOON = NOW + timedelta(days=2)  # well inside the window
RESTORE = PanelSettings(status_transitions={'canceled': ('pending', 'approved'), 'pending': ('canceled',)},
                        allow_busy_targets=True)


# No SMTP here: the change emails land in a private outbox (test_notify reads real ones).
pytestmark = pytest.mark.usefixtures('private_outbox')


def history(db, world, appointment_id: int, customer: int | None = None) -> list[tuple[str, str, str, str, str]]:
    appt = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=customer or world.ada,
                                    appointment_id=appointment_id)
    assert appt is not None
    return [(h.actor, h.action, h.data.get('from', ''), h.data.get('to', h.data.get('status', '')),
             h.data.get('reason', '')) for h in appt.history]


def test_cancel_inside_the_window_changes_the_status_and_records_why(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=SOON)
    changed = appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                         appointment_id=appt_id, target='canceled', reason='  Feeling   ill ',
                                         now=NOW)
    assert changed.status.key == 'canceled'
    assert history(db, world, appt_id)[-1] == ('customer', 'status_changed', 'approved', 'canceled', 'Feeling ill')
    assert changed.history[-1].at == NOW
    stored = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id)
    assert stored is not None and stored.status.label == 'Canceled'


def test_after_the_window_the_change_is_refused_with_the_reason_and_nothing_is_written(db) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=NOW + timedelta(minutes=45))
    before = history(db, world, appt_id)
    with pytest.raises(NotAllowed) as refused:
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target='canceled', now=NOW)
    assert str(refused.value.message) == 'Changes close 60 minutes before the start.'
    assert history(db, world, appt_id) == before
    stored = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id)
    assert stored is not None and stored.status.key == 'approved'


@pytest.mark.parametrize(('status', 'target', 'start', 'message'), [
    ('approved', 'approved', SOON, 'The appointment is already approved.'),
    ('pending', 'rejected', SOON, 'An appointment that is pending cannot be set to rejected online.'),
    ('pending', 'approved', SOON, 'An appointment that is pending cannot be set to approved online.'),
    ('canceled', 'pending', SOON, 'An appointment that is canceled cannot be changed online.'),
    ('approved', 'canceled', NOW - timedelta(days=1), 'This appointment is over, so it can no longer be changed.'),
    ('approved', 'vanished', SOON, 'That status is not one this business uses.'),
])
def test_the_service_refuses_what_the_rules_forbid(db, status: str, target: str, start: datetime,
                                                   message: str) -> None:
    world = seed_world(db, now=NOW)
    appt_id = add_appointment(db, world, start=start, status=status)
    with pytest.raises(NotAllowed) as refused:
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target=target, now=NOW)
    assert str(refused.value.message) == message


def test_a_busy_target_needs_the_business_confirmation_even_when_listed(db) -> None:
    world = seed_world(db, now=NOW, settings=replace(RESTORE, allow_busy_targets=False))
    appt_id = add_appointment(db, world, start=SOON, status='canceled')
    with pytest.raises(NotAllowed) as refused:
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target='pending', now=NOW)
    assert str(refused.value.message) == 'Only the business can set an appointment to pending.'


def test_nobody_changes_another_customers_appointment(db) -> None:
    world = seed_world(db, now=NOW)
    bobs = add_appointment(db, world, customer=world.bob, start=SOON)
    with pytest.raises(NotAllowed) as refused:
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=bobs,
                                   target='canceled', now=NOW)
    assert str(refused.value.message) == str(appointments.NOT_YOURS)
    other = seed_world(db, now=NOW, slug='other', host='other.example')
    with pytest.raises(NotAllowed):
        appointments.change_status(db, tenant_id=other.tenant_id, customer_id=world.bob, appointment_id=bobs,
                                   target='canceled', now=NOW)
    assert history(db, world, bobs, customer=world.bob)[-1][1] == 'booked'


def test_restoring_a_canceled_appointment_takes_the_slot_back_when_it_is_still_free(db) -> None:
    world = seed_world(db, now=NOW, settings=RESTORE)
    appt_id = add_appointment(db, world, start=SOON, status='canceled')
    add_appointment(db, world, customer=world.bob, start=SOON + timedelta(minutes=45))  # touches the end: fine
    changed = appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                         appointment_id=appt_id, target='pending', now=NOW)
    assert changed.status.key == 'pending'
    assert history(db, world, appt_id)[-1][:4] == ('customer', 'status_changed', 'canceled', 'pending')


def test_restoring_is_refused_when_someone_booked_the_time_since(db) -> None:
    world = seed_world(db, now=NOW, settings=RESTORE)
    appt_id = add_appointment(db, world, start=SOON, status='canceled')
    add_appointment(db, world, customer=world.bob, start=SOON + timedelta(minutes=30), status='pending')
    with pytest.raises(NotAllowed) as refused:
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target='pending', now=NOW)
    assert str(refused.value.message) == ('That time is no longer free, so the appointment cannot be restored. '
                                     'Please book a new time.')


def test_a_freed_slot_still_blocks_nothing_and_buffers_count(db) -> None:
    world = seed_world(db, now=NOW, settings=RESTORE)
    with db.write() as s:
        buffered = catalog_db.create_service(s, tenant_id=world.tenant_id, name='Massage', duration_min=45,
                                             buffer_after_min=30)
    appt_id = add_appointment(db, world, start=SOON, status='canceled')
    # Bob's canceled booking at the same time does not block; his buffered massage right before it does.
    add_appointment(db, world, customer=world.bob, start=SOON, status='canceled')
    with db.write() as s:
        appointment_db.create_appointment(s, tenant_id=world.tenant_id, customer_id=world.bob, service_id=buffered,
                                          staff_id=world.staff['mia'], start=SOON - timedelta(minutes=60),
                                          duration=timedelta(minutes=45), status_key='approved')
    with pytest.raises(NotAllowed):
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=appt_id,
                                   target='pending', now=NOW)


def test_a_group_class_is_restored_only_while_seats_remain(db) -> None:
    world = seed_world(db, now=NOW, settings=RESTORE)
    ada = add_appointment(db, world, service='yoga', staff='leo', start=SOON, status='canceled', minutes=60)
    for _ in range(5):
        add_appointment(db, world, customer=world.bob, service='yoga', staff='leo', start=SOON, minutes=60)
    assert appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=ada,
                                      target='pending', now=NOW).status.key == 'pending'
    appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=ada,
                               target='canceled', now=NOW)
    add_appointment(db, world, customer=world.bob, service='yoga', staff='leo', start=SOON, minutes=60)  # 6 of 6
    with pytest.raises(NotAllowed) as refused:
        appointments.change_status(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=ada,
                                   target='pending', now=NOW)
    assert 'All seats at that time are taken' in str(refused.value.message)


def test_two_restorations_racing_for_one_slot_never_both_win(db) -> None:
    world = seed_world(db, now=NOW, settings=RESTORE)
    ada = add_appointment(db, world, start=SOON, status='canceled')
    bob = add_appointment(db, world, customer=world.bob, start=SOON, status='canceled')
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def restore(customer: int, appointment_id: int) -> None:
        barrier.wait()
        try:
            appointments.change_status(db, tenant_id=world.tenant_id, customer_id=customer,
                                       appointment_id=appointment_id, target='pending', now=NOW)
            outcomes[customer] = 'ok'
        except NotAllowed as refused:
            outcomes[customer] = str(refused.message)

    threads = [threading.Thread(target=restore, args=args) for args in ((world.ada, ada), (world.bob, bob))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert list(outcomes.values()).count('ok') == 1, outcomes
    with db.read() as s:
        busy = [a for a in (appointment_db.customer_appointment(s, tenant_id=world.tenant_id, customer_id=c,
                                                                appointment_id=i,
                                                                status_list=tenant_db.statuses(s,
                                                                                               tenant_id=world.tenant_id))
                            for c, i in ((world.ada, ada), (world.bob, bob))) if a and a.status.busy]
    assert len(busy) == 1
