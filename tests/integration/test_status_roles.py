"""A business that renamed every status keeps every rule: the code reads a status's role, never its key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from domain.model import DEFAULT_STATUSES, Status, StatusRole
from domain.settings import PanelSettings, SettingsError
from services import accounts, appointments, booking, panel
from storage import tables as t
from storage import tenants as tenant_db
from tests.support.seed import add_appointment, seed_world

BERLIN = ZoneInfo('Europe/Berlin')
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
RENAMED = {'pending': 'awaiting', 'approved': 'confirmed', 'canceled': 'called-off', 'rejected': 'declined',
           'no-show': 'absent'}
SETTINGS = PanelSettings(reschedule_from_statuses=('awaiting', 'confirmed'), status_after_reschedule='awaiting',
                         status_transitions={'called-off': ('awaiting', 'confirmed')})

pytestmark = pytest.mark.usefixtures('private_outbox')


def local(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=BERLIN).astimezone(UTC)


def test_renamed_statuses_keep_the_rules(db) -> None:
    world = seed_world(db, now=NOW, settings=SETTINGS)
    with db.write() as s:
        for old, new in RENAMED.items():
            s.execute(sa.update(t.Status).where(t.Status.tenant_id == world.tenant_id, t.Status.key == old)
                      .values(key=new, label=new.capitalize()))
    came = add_appointment(db, world, start=NOW - timedelta(days=3), status='confirmed')
    add_appointment(db, world, start=NOW - timedelta(days=2), status='absent')

    # A new booking waits for the business, and its calendar entry says so.
    booked = booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                          staff_id=world.staff['mia'], start=local(24, 10), now=NOW)
    assert booked.status.key == 'awaiting'
    _, ics = appointments.appointment_calendar(db, tenant_id=world.tenant_id, customer_id=world.ada,
                                               appointment_id=booked.id, now=NOW)
    assert b'STATUS:TENTATIVE' in ics

    # A visit that took place is completed; a no-show, whatever it is called, is not.
    with db.read() as s:
        statuses = tenant_db.statuses(s, tenant_id=world.tenant_id)
    data = panel.load_panel(db, tenant_id=world.tenant_id, customer_id=world.ada, now=NOW, statuses=statuses)
    assert (data.counts['completed'], data.counts['upcoming']) == (1, 1)
    done = panel.appointment_detail(db, tenant_id=world.tenant_id, customer_id=world.ada, appointment_id=came)
    assert done is not None and done.is_completed(NOW)

    # Closing the account sets what a customer's cancel sets.
    accounts.delete_account(db, tenant_id=world.tenant_id, customer_id=world.ada, confirmation='DELETE', now=NOW)
    with db.read() as s:
        assert s.get(t.Appointment, booked.id).status_key == 'called-off'


def test_a_business_cannot_be_made_with_two_statuses_for_one_singular_role(db) -> None:
    doubled = (*DEFAULT_STATUSES, Status(key='waiting', label='Waiting', color='#000000', icon='label', busy=True,
                                         role=StatusRole.NEW_BOOKING))
    with db.write() as s, pytest.raises(SettingsError) as refused:
        tenant_db.create_tenant(s, slug='twice', name='Twice', statuses=doubled)
    assert str(refused.value) == 'Only one status can have the role new_booking: pending, waiting.'
    world = seed_world(db, now=NOW)
    with pytest.raises(sa.exc.IntegrityError), db.write() as s:  # the database holds the same line
        s.execute(sa.update(t.Status).where(t.Status.tenant_id == world.tenant_id, t.Status.key == 'approved')
                  .values(role='new_booking'))
