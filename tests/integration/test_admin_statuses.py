"""The business edits its statuses: add, rename per language, reorder, delete an unused one, merge one in use (its
appointments move, each with a line in its history); every change keeps the list sound and the settings valid,
reaches open panels, and never touches another business."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import history as dh
from domain.model import StatusRole
from services import events, panel
from services import statuses as svc
from services.history_words import describe
from storage import appointments as appointment_db
from storage import tenants as tenant_db
from tests.support.seed import add_appointment, at, seed_world

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
R = StatusRole

pytestmark = pytest.mark.usefixtures('private_outbox')


def keys(db, tenant_id: int) -> list[str]:
    return [st.key for st in svc.status_list(db, tenant_id=tenant_id).statuses]


def by_key(db, tenant_id: int, key: str):
    return next(st for st in svc.status_list(db, tenant_id=tenant_id).statuses if st.key == key)


def test_renaming_keeps_the_key_and_gives_labels_per_language(db) -> None:
    world = seed_world(db, now=NOW)
    heard: list[dict] = []
    unsubscribe = events.subscribe(events.statuses_topic(world.tenant_id), heard.append)
    try:
        svc.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', label='Called off',
                          color='#6b7280', icon='event_busy', busy=False, role=R.CUSTOMER_CANCEL,
                          labels={'pt_PT': 'Desmarcado', 'de': '  ', 'es': ''}, now=NOW)
    finally:
        unsubscribe()
    called_off = by_key(db, world.tenant_id, 'canceled')
    assert (called_off.label, called_off.icon, dict(called_off.labels)) == ('Called off', 'event_busy',
                                                                             {'pt_PT': 'Desmarcado'})
    assert heard and heard[0]['type'] == 'statuses.changed'
    # Each reader sees the label in their language: their own translation, else the default label.
    assert svc.label_in(called_off, 'pt_PT') == 'Desmarcado'
    assert svc.label_in(called_off, 'de') == 'Called off'
    assert svc.label_in(called_off, 'en') == 'Called off'


def test_the_default_names_read_in_the_readers_language_until_the_business_renames_them(db) -> None:
    world = seed_world(db, now=NOW)
    pending = by_key(db, world.tenant_id, 'pending')
    assert svc.label_in(pending, 'en') == 'Pending'
    assert svc.label_in(pending, 'de') not in ('', 'Pending')  # the catalog's German


def test_a_new_status_gets_a_key_from_its_label_and_goes_last(db) -> None:
    world = seed_world(db, now=NOW)
    made = svc.add_status(db, tenant_id=world.tenant_id, admin_id=None, label='Checked in', color='#0f766e',
                          icon='login', busy=True, now=NOW)
    again = svc.add_status(db, tenant_id=world.tenant_id, admin_id=None, label='Checked  in', color='#0f766e',
                           icon='login', busy=True, now=NOW)
    assert (made.key, again.key) == ('checked-in', 'checked-in-2')
    assert keys(db, world.tenant_id)[-2:] == ['checked-in', 'checked-in-2']


@pytest.mark.parametrize(('change', 'field'), [
    ({'label': ''}, 'label'),
    ({'label': 'x' * 41}, 'label'),
    ({'color': 'red; background: url(x)'}, 'color'),
    ({'icon': 'check" onclick="x'}, 'icon'),
    ({'labels': {'fr': 'Annulé'}}, 'label_fr'),
])
def test_a_field_that_cannot_be_drawn_is_refused_next_to_it(db, change: dict, field: str) -> None:
    world = seed_world(db, now=NOW)
    values = {'label': 'Canceled', 'color': '#6b7280', 'icon': 'cancel', 'labels': {}} | change
    with pytest.raises(svc.StatusRefused) as refused:
        svc.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', busy=False,
                          role=R.CUSTOMER_CANCEL, now=NOW, **values)
    assert field in refused.value.problems
    assert by_key(db, world.tenant_id, 'canceled').label == 'Canceled'


def test_a_second_status_with_a_singular_role_is_refused(db) -> None:
    world = seed_world(db, now=NOW)
    with pytest.raises(svc.StatusRefused) as refused:
        svc.add_status(db, tenant_id=world.tenant_id, admin_id=None, label='Also new', color='#0f766e',
                       icon='schedule', busy=True, role=R.NEW_BOOKING, now=NOW)
    assert 'new_booking' in str(refused.value.reason)
    assert 'also-new' not in keys(db, world.tenant_id)


def test_a_change_the_settings_cannot_live_with_is_refused(db) -> None:
    """Rescheduled appointments get 'pending' (the default): it may not stop occupying the slot."""
    world = seed_world(db, now=NOW)
    with pytest.raises(svc.StatusRefused) as refused:
        svc.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='approved', label='Approved',
                          color='#15803d', icon='check_circle', busy=True, role=R.CONFIRMED, now=NOW)
        svc.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='pending', label='Pending',
                          color='#b45309', icon='hourglass_empty', busy=False, role=R.OTHER, now=NOW)
    assert 'status_after_reschedule' in str(refused.value.reason)
    assert by_key(db, world.tenant_id, 'pending').busy


def test_roles_can_move_from_one_status_to_another(db) -> None:
    world = seed_world(db, now=NOW)
    svc.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='no-show', label='No-show', color='#7c3aed',
                      icon='person_off', busy=True, role=R.OTHER, now=NOW)
    svc.add_status(db, tenant_id=world.tenant_id, admin_id=None, label='Absent', color='#7c3aed', icon='person_off',
                   busy=True, role=R.NO_SHOW, now=NOW)
    assert by_key(db, world.tenant_id, 'absent').role == R.NO_SHOW


def test_reordering_names_every_status_once(db) -> None:
    world = seed_world(db, now=NOW)
    order = ['approved', 'pending', 'no-show', 'rejected', 'canceled']
    svc.reorder_statuses(db, tenant_id=world.tenant_id, admin_id=None, keys=order, now=NOW)
    assert keys(db, world.tenant_id) == order
    with pytest.raises(svc.StatusRefused):
        svc.reorder_statuses(db, tenant_id=world.tenant_id, admin_id=None, keys=order[:-1], now=NOW)
    assert keys(db, world.tenant_id) == order


def test_a_status_in_use_cannot_be_deleted_one_unused_can(db) -> None:
    world = seed_world(db, now=NOW)
    add_appointment(db, world, start=at(NOW, 2), status='rejected')
    with pytest.raises(svc.StatusInUse) as in_use:
        svc.delete_status(db, tenant_id=world.tenant_id, admin_id=None, key='rejected', now=NOW)
    assert in_use.value.count == 1
    svc.delete_status(db, tenant_id=world.tenant_id, admin_id=None, key='no-show', now=NOW)
    assert 'no-show' not in keys(db, world.tenant_id)
    assert svc.status_list(db, tenant_id=world.tenant_id).in_use == {'rejected': 1}


def test_deleting_a_status_the_settings_name_makes_them_forget_it(db) -> None:
    world = seed_world(db, now=NOW)
    svc.delete_status(db, tenant_id=world.tenant_id, admin_id=None, key='approved', now=NOW)
    with db.read() as s:
        settings = tenant_db.panel_settings(s, tenant_id=world.tenant_id)
    assert settings.reschedule_from_statuses == ('pending',)
    assert settings.status_transitions == {'canceled': ('pending',)}
    with pytest.raises(svc.StatusRefused):  # reschedules end in 'pending': it can only be merged away
        svc.delete_status(db, tenant_id=world.tenant_id, admin_id=None, key='pending', now=NOW)


def test_merging_moves_the_appointments_and_records_it_in_their_history(db) -> None:
    world = seed_world(db, now=NOW)
    first = add_appointment(db, world, start=at(NOW, 2), status='canceled')
    second = add_appointment(db, world, customer=world.bob, start=at(NOW, 3), status='canceled')
    kept = add_appointment(db, world, start=at(NOW, 4), status='approved')
    moved = svc.merge_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', into='rejected',
                             now=NOW)
    assert moved == 2
    statuses = svc.status_list(db, tenant_id=world.tenant_id)
    assert 'canceled' not in [st.key for st in statuses.statuses]
    assert statuses.in_use == {'rejected': 2, 'approved': 1}
    with db.read() as s:
        appt = appointment_db.customer_appointment(s, tenant_id=world.tenant_id, customer_id=world.ada,
                                                   appointment_id=first, status_list=statuses.statuses)
        settings = tenant_db.panel_settings(s, tenant_id=world.tenant_id)
    assert appt is not None and appt.status.key == 'rejected'
    last = appt.history[-1]
    assert (last.action, last.actor, last.data['from'], last.data['to'], last.data['cause']) == (
        dh.STATUS_CHANGED, dh.ADMIN, 'canceled', 'rejected', dh.STATUS_MERGED)
    words = describe(last, tz=world_zone(), status_labels={st.key: st.label for st in statuses.statuses},
                     duration=timedelta(hours=1))
    assert words.title == 'Canceled → Rejected'  # the merged status's name as it was
    # The settings name the status it went into: customers may now set 'rejected' where they could cancel.
    assert settings.status_transitions == {'rejected': ('pending', 'approved')}
    assert second and kept


def world_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo('Europe/Berlin')


def test_merging_into_a_status_that_occupies_the_slot_against_the_settings_is_refused(db) -> None:
    """Customers may cancel (set 'canceled'); merged into 'approved' they could set a busy status, which the
    settings do not allow: refused, nothing moves."""
    world = seed_world(db, now=NOW)
    appt = add_appointment(db, world, start=at(NOW, 2), status='canceled')
    with pytest.raises(svc.StatusRefused) as refused:
        svc.merge_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', into='approved', now=NOW)
    assert 'allow_busy_targets' in str(refused.value.reason)
    with db.read() as s:
        still = appointment_db.customer_appointment(s, tenant_id=world.tenant_id, customer_id=world.ada,
                                                    appointment_id=appt,
                                                    status_list=tenant_db.statuses(s, tenant_id=world.tenant_id))
    assert still is not None and still.status.key == 'canceled'


def test_one_business_never_touches_anothers_statuses(db) -> None:
    a = seed_world(db, now=NOW, slug='a', host='a.example.com')
    b = seed_world(db, now=NOW, slug='b', host='b.example.com', ada_email='ada@b.example.com')
    add_appointment(db, b, start=at(NOW, 2), status='rejected')
    svc.update_status(db, tenant_id=a.tenant_id, admin_id=None, key='canceled', label='Called off', color='#6b7280',
                      icon='cancel', busy=False, role=R.CUSTOMER_CANCEL, now=NOW)
    svc.merge_status(db, tenant_id=a.tenant_id, admin_id=None, key='rejected', into='canceled', now=NOW)
    assert by_key(db, b.tenant_id, 'canceled').label == 'Canceled'
    assert svc.status_list(db, tenant_id=b.tenant_id).in_use == {'rejected': 1}
    assert svc.status_list(db, tenant_id=a.tenant_id).in_use == {}


def test_the_panel_reads_the_renamed_label(db) -> None:
    world = seed_world(db, now=NOW)
    add_appointment(db, world, start=at(NOW, 2), status='canceled')
    svc.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', label='Called off',
                      color='#6b7280', icon='cancel', busy=False, role=R.CUSTOMER_CANCEL, now=NOW)
    statuses = svc.status_list(db, tenant_id=world.tenant_id).statuses
    data = panel.load_panel(db, tenant_id=world.tenant_id, customer_id=world.ada, now=NOW, statuses=statuses)
    assert [a.status.label for a in data.page] == ['Called off']


def test_every_change_is_in_the_audit_log_with_before_and_after(db) -> None:
    from domain.admins import AuditFilter
    from storage import admins as admin_db
    from storage import audit as audit_db

    world = seed_world(db, now=NOW)
    with db.write() as s:
        owner = admin_db.create_admin(s, tenant_id=world.tenant_id, email='owner@lumen.example', password_hash='x')
    add_appointment(db, world, start=at(NOW, 2), status='rejected')
    svc.update_status(db, tenant_id=world.tenant_id, admin_id=owner, key='canceled', label='Called off',
                      color='#6b7280', icon='cancel', busy=False, role=R.CUSTOMER_CANCEL, now=NOW)
    svc.add_status(db, tenant_id=world.tenant_id, admin_id=owner, label='Checked in', color='#0f766e', icon='login',
                   busy=True, now=NOW)
    svc.merge_status(db, tenant_id=world.tenant_id, admin_id=owner, key='rejected', into='canceled', now=NOW)
    with pytest.raises(svc.StatusRefused):  # a refused change leaves no entry
        svc.delete_status(db, tenant_id=world.tenant_id, admin_id=owner, key='nope', now=NOW)
    with db.read() as s:
        log = audit_db.entries(s, tenant_id=world.tenant_id, where=AuditFilter()).entries
    assert [(e.action, e.target, e.admin_id) for e in reversed(log)] == [
        ('status.update', 'canceled', owner), ('status.create', 'checked-in', owner),
        ('status.merge', 'rejected', owner)]
    renamed = log[-1]
    assert (renamed.before['label'], renamed.after['label']) == ('Canceled', 'Called off')
    assert log[0].after == {'into': 'canceled', 'appointments': 1}
