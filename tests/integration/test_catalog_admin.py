"""The admin's catalog and schedules against a real database (SQLite, then PostgreSQL): what the booking page offers
afterwards, what is refused and why, what a change strands, and that one business never reaches another's rows.

The studio (tests/support/seed.py) is in Berlin; Mia and Leo work Monday to Saturday 09:00-12:00 and 13:00-18:00.
NOW is Monday 23 November 2026, 09:00 in Berlin.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from domain.catalog import LocationInput, ServiceInput, StaffInput
from services import availability, booking, events, panel
from services import catalog as catalog_service
from services import schedules as schedule_service
from services.catalog import CatalogRefused
from tests.support.seed import World, add_appointment, seed_world

BERLIN = ZoneInfo('Europe/Berlin')
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures('private_outbox')


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def hm(text: str) -> time:
    return time.fromisoformat(text)


@pytest.fixture
def heard():
    got: list[dict] = []
    stops = []

    def listen(tenant_id: int) -> None:
        stops.append(events.subscribe(events.availability_topic(tenant_id), got.append))

    yield got, listen
    for stop in stops:
        stop()


def words(refused: pytest.ExceptionInfo[CatalogRefused]) -> dict[str, str]:
    return {k: str(v) for k, v in refused.value.problems.items()}


def bookable_names(db, world: World) -> list[str]:
    return [s.name for s in availability.bookable_services(db, tenant_id=world.tenant_id)]


def two(db) -> tuple[World, World]:
    return seed_world(db, now=NOW, slug='studio'), seed_world(db, now=NOW, slug='clinic')


# ---- services -----------------------------------------------------------------------------------------------------


def test_a_new_service_with_its_staff_is_bookable_at_once_and_the_calendars_hear_of_it(db, heard) -> None:
    world = seed_world(db, now=NOW)
    got, listen = heard
    listen(world.tenant_id)
    new = catalog_service.save_service(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, value=ServiceInput(
        name=' Beard trim ', category='Men', duration_min=20, price=1500, slot_step_min=20,
        staff_ids=(world.staff['leo'], world.staff['leo'])))
    assert 'Beard trim' in bookable_names(db, world)
    slots = availability.day_slots(db, tenant_id=world.tenant_id, service_id=new, staff_id=None,
                                   day=date(2026, 11, 24), now=NOW)
    assert slots[0].start == local(24, 9) and slots[1].start == local(24, 9, 20)
    assert got, 'an open slot picker hears that the times may have changed'
    found = next(s for s in catalog_service.catalog(db, tenant_id=world.tenant_id).services if s.id == new)
    assert (found.name, found.category, found.price, found.active) == ('Beard trim', 'Men', 1500, True)
    leo = next(p for p in catalog_service.catalog(db, tenant_id=world.tenant_id).staff if p.id == world.staff['leo'])
    assert new in leo.service_ids


def test_every_wrong_field_is_refused_with_its_reason_and_nothing_is_saved(db) -> None:
    world = seed_world(db, now=NOW)
    before = catalog_service.catalog(db, tenant_id=world.tenant_id)
    with pytest.raises(CatalogRefused) as refused:
        catalog_service.save_service(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, value=ServiceInput(
            name='', duration_min=0, price=1000, deposit=2000, meeting_url='javascript:alert(1)'))
    assert words(refused) == {
        'name': 'Enter a name.', 'duration_min': 'A service lasts from 5 to 1,439 minutes.',
        'deposit': 'The deposit cannot be more than the price.',
        'meeting_url': 'The meeting link must be a web address starting with https:// or http://.'}
    assert catalog_service.catalog(db, tenant_id=world.tenant_id) == before


def test_editing_a_service_changes_what_is_offered_and_who_offers_it(db) -> None:
    world = seed_world(db, now=NOW)
    cut = world.services['cut']
    catalog_service.save_service(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, service_id=cut,
                                 value=ServiceInput(name='Haircut', duration_min=60, price=5000, slot_step_min=60,
                                                    staff_ids=(world.staff['mia'],)))
    staff = availability.staff_for_service(db, tenant_id=world.tenant_id, service_id=cut)
    assert [p.name for p in staff] == ['Mia Wong']
    slots = availability.day_slots(db, tenant_id=world.tenant_id, service_id=cut, staff_id=None,
                                   day=date(2026, 11, 24), now=NOW)
    assert [s.start for s in slots][:3] == [local(24, 9), local(24, 10), local(24, 11)]


def test_an_archived_service_keeps_its_history_but_can_no_longer_be_booked_and_comes_back(db) -> None:
    world = seed_world(db, now=NOW)
    add_appointment(db, world, start=local(24, 10))
    cut = world.services['cut']
    catalog_service.set_archived(db, tenant_id=world.tenant_id, admin_id=None, kind='service', row_id=cut,
                                 archived=True, now=NOW)
    assert 'Haircut' not in bookable_names(db, world)
    assert availability.month_dates(db, tenant_id=world.tenant_id, service_id=cut, staff_id=None, year=2026,
                                    month=11, now=NOW) == []
    history = panel.all_appointments(db, tenant_id=world.tenant_id, customer_id=world.ada)
    assert [a.service.name for a in history] == ['Haircut']
    listed = next(s for s in catalog_service.catalog(db, tenant_id=world.tenant_id).services if s.id == cut)
    assert listed.active is False
    catalog_service.set_archived(db, tenant_id=world.tenant_id, admin_id=None, kind='service', row_id=cut,
                                 archived=False, now=NOW)
    assert 'Haircut' in bookable_names(db, world)


def test_an_archived_staff_member_is_offered_nowhere_and_their_services_go_when_nobody_else_offers_them(db) -> None:
    world = seed_world(db, now=NOW)
    ahead = add_appointment(db, world, start=local(25, 10), customer=world.bob)
    add_appointment(db, world, start=local(20, 10))  # already over: not listed
    left = catalog_service.set_archived(db, tenant_id=world.tenant_id, admin_id=None, kind='staff',
                                        row_id=world.staff['mia'], archived=True, now=NOW)
    assert [(v.appointment_id, v.customer_name) for v in left] == [(ahead, 'Bob Byte')]  # still hers, to be moved
    staff = availability.staff_for_service(db, tenant_id=world.tenant_id, service_id=world.services['cut'])
    assert [p.name for p in staff] == ['Leo Park']
    assert 'Colour & cut' not in bookable_names(db, world)  # only Mia offered it
    slots = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'], staff_id=None,
                                   day=date(2026, 11, 24), now=NOW)
    assert slots and all(s.staff_ids == (world.staff['leo'],) for s in slots)
    assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'],
                                  staff_id=world.staff['mia'], day=date(2026, 11, 24), now=NOW) == []


def test_the_server_refuses_a_booking_with_an_archived_staff_member_or_service(db) -> None:
    world = seed_world(db, now=NOW)
    catalog_service.set_archived(db, tenant_id=world.tenant_id, admin_id=None, kind='staff',
                                 row_id=world.staff['mia'], archived=True, now=NOW)
    with pytest.raises(booking.BookingRefused):
        booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                     staff_id=world.staff['mia'], start=local(24, 10), now=NOW)
    catalog_service.set_archived(db, tenant_id=world.tenant_id, admin_id=None, kind='service',
                                 row_id=world.services['cut'], archived=True, now=NOW)
    with pytest.raises(booking.BookingRefused):
        booking.book(db, tenant_id=world.tenant_id, customer_id=world.ada, service_id=world.services['cut'],
                     staff_id=world.staff['leo'], start=local(24, 10), now=NOW)


def test_an_archived_location_is_no_longer_a_choice(db) -> None:
    world = seed_world(db, now=NOW)
    catalog_service.set_archived(db, tenant_id=world.tenant_id, admin_id=None, kind='location',
                                 row_id=world.locations['park'], archived=True, now=NOW)
    places = availability.locations_for_service(db, tenant_id=world.tenant_id, service_id=world.services['yoga'])
    assert [p.name for p in places] == ['Main Street 1']
    leo = availability.staff_for_service(db, tenant_id=world.tenant_id, service_id=world.services['yoga'])[0]
    assert leo.location_ids == (world.locations['main'],)
    assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['yoga'], staff_id=None,
                                  day=date(2026, 11, 24), now=NOW, location_id=world.locations['park']) == []


def test_staff_and_locations_are_created_and_edited_with_their_links(db) -> None:
    world = seed_world(db, now=NOW)
    spa = catalog_service.save_location(db, tenant_id=world.tenant_id, admin_id=None, now=NOW,
                                        value=LocationInput(name='Spa', address='Lake Road 3'))
    zoe = catalog_service.save_staff(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, value=StaffInput(
        name='Zoe', email='zoe@example.com', location_ids=(spa,), service_ids=(world.services['cut'],)))
    catalog_service.save_location(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, location_id=spa,
                                  value=LocationInput(name='Lake Spa', address='Lake Road 3'))
    catalog_service.save_staff(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=zoe, value=StaffInput(
        name='Zoe Lake', email='', location_ids=(spa, world.locations['main']), service_ids=()))
    found = catalog_service.catalog(db, tenant_id=world.tenant_id)
    person = next(p for p in found.staff if p.id == zoe)
    assert (person.name, person.email, set(person.location_ids), person.service_ids) == \
        ('Zoe Lake', '', {spa, world.locations['main']}, ())
    assert next(p for p in found.locations if p.id == spa).name == 'Lake Spa'
    with pytest.raises(CatalogRefused) as refused:
        catalog_service.save_staff(db, tenant_id=world.tenant_id, admin_id=None, now=NOW,
                                   value=StaffInput(name='Max', email='max@'))
    assert words(refused) == {'email': 'Enter an email address like name@example.com.'}


def test_a_staff_photo_goes_through_the_avatar_pipeline(db) -> None:
    world = seed_world(db, now=NOW)
    raw = io.BytesIO()
    Image.new('RGB', (900, 600), 'teal').save(raw, format='PNG')
    url = catalog_service.save_staff_photo(db, tenant_id=world.tenant_id, admin_id=None, staff_id=world.staff['mia'],
                                           data=raw.getvalue(), now=NOW)
    assert url.startswith(f'/staff-photo/{world.staff["mia"]}?v=')
    kind, data = catalog_service.staff_photo(db, tenant_id=world.tenant_id, staff_id=world.staff['mia'])
    assert kind == 'image/webp' and max(Image.open(io.BytesIO(data)).size) == 512
    mia = availability.staff_for_service(db, tenant_id=world.tenant_id, service_id=world.services['colour'])[0]
    assert mia.avatar_url == url
    with pytest.raises(CatalogRefused) as refused:
        catalog_service.save_staff_photo(db, tenant_id=world.tenant_id, admin_id=None, staff_id=world.staff['mia'],
                                         data=b'<svg onload=alert(1)>', now=NOW)
    assert words(refused) == {'photo': 'That file is not a JPG, PNG or WEBP image.'}
    catalog_service.remove_staff_photo(db, tenant_id=world.tenant_id, admin_id=None, staff_id=world.staff['mia'],
                                       now=NOW)
    assert catalog_service.staff_photo(db, tenant_id=world.tenant_id, staff_id=world.staff['mia']) is None


def test_one_business_can_neither_see_nor_change_nor_link_another_businesses_catalog(db) -> None:
    studio, clinic = two(db)
    listed = catalog_service.catalog(db, tenant_id=studio.tenant_id)
    assert {s.id for s in listed.services} == set(studio.services.values())
    assert {p.id for p in listed.staff} == set(studio.staff.values())
    refusals = [
        lambda: catalog_service.save_service(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW,
                                             service_id=clinic.services['cut'], value=ServiceInput(name='Mine')),
        lambda: catalog_service.save_staff(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW,
                                           staff_id=clinic.staff['mia'], value=StaffInput(name='Mine')),
        lambda: catalog_service.save_location(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW,
                                              location_id=clinic.locations['main'], value=LocationInput(name='Mine')),
        lambda: catalog_service.set_archived(db, tenant_id=studio.tenant_id, admin_id=None, kind='staff',
                                             row_id=clinic.staff['mia'], archived=True, now=NOW),
        lambda: catalog_service.remove_staff_photo(db, tenant_id=studio.tenant_id, admin_id=None,
                                                   staff_id=clinic.staff['mia'], now=NOW),
        lambda: schedule_service.save_week(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW,
                                           staff_id=clinic.staff['mia'], weekly={}, breaks={}),
        lambda: schedule_service.set_special_day(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW,
                                                 staff_id=clinic.staff['mia'], day=date(2026, 11, 30), hours=[]),
        lambda: schedule_service.add_day_off(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW,
                                             staff_id=clinic.staff['mia'], day=date(2026, 11, 30)),
    ]
    for attempt in refusals:
        with pytest.raises(CatalogRefused) as refused:
            attempt()
        assert words(refused) == {'': 'That was not found in this business. Reload the page.'}
    with pytest.raises(CatalogRefused) as refused:  # linking the clinic's staff to the studio's service
        catalog_service.save_service(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW,
                                     value=ServiceInput(name='Mine', staff_ids=(clinic.staff['mia'],)))
    assert words(refused) == {'staff_ids': 'Choose staff members of this business.'}
    assert schedule_service.staff_schedule(db, tenant_id=studio.tenant_id, staff_id=clinic.staff['mia'],
                                           today=date(2026, 11, 23)) is None
    clinic_after = catalog_service.catalog(db, tenant_id=clinic.tenant_id)
    assert all(p.active for p in clinic_after.staff) and {p.name for p in clinic_after.staff} == {'Mia Wong',
                                                                                                   'Leo Park'}


# ---- schedules ----------------------------------------------------------------------------------------------------


def test_a_week_with_several_intervals_and_breaks_is_saved_and_offered(db, heard) -> None:
    world = seed_world(db, now=NOW)
    got, listen = heard
    listen(world.tenant_id)
    mia = world.staff['mia']
    stranded = schedule_service.save_week(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia,
                                          weekly={1: [(hm('08:00'), hm('11:00')), (hm('14:00'), hm('16:00'))]},
                                          breaks={1: [(hm('09:00'), hm('09:45'))]})
    assert stranded == []
    assert got and got[-1]['staff_id'] == mia
    mine = schedule_service.staff_schedule(db, tenant_id=world.tenant_id, staff_id=mia, today=date(2026, 11, 23))
    assert mine is not None and mine.weekly == {1: ((hm('08:00'), hm('11:00')), (hm('14:00'), hm('16:00')))}
    assert mine.breaks == {1: ((hm('09:00'), hm('09:45')),)}
    slots = availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['colour'],
                                   staff_id=mia, day=date(2026, 11, 24), now=NOW)
    assert [s.start for s in slots] == [local(24, 14)]  # 2 hours fit only in the afternoon
    assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['colour'], staff_id=mia,
                                  day=date(2026, 11, 25), now=NOW) == []


def test_overlapping_or_inverted_intervals_are_refused_and_the_old_week_stays(db) -> None:
    world = seed_world(db, now=NOW)
    mia = world.staff['mia']
    with pytest.raises(CatalogRefused) as refused:
        schedule_service.save_week(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia,
                                   weekly={0: [(hm('09:00'), hm('12:00')), (hm('11:00'), hm('13:00'))],
                                           2: [(hm('17:00'), hm('08:00'))]}, breaks={})
    assert words(refused) == {'hours-0': '09:00-12:00 overlaps 11:00-13:00.',
                              'hours-2': '17:00-08:00 ends before it starts.'}
    mine = schedule_service.staff_schedule(db, tenant_id=world.tenant_id, staff_id=mia, today=date(2026, 11, 23))
    assert mine is not None and mine.weekly[0] == ((hm('09:00'), hm('12:00')), (hm('13:00'), hm('18:00')))


def test_a_week_that_strands_bookings_lists_them(db) -> None:
    world = seed_world(db, now=NOW)
    mia = world.staff['mia']
    kept = add_appointment(db, world, start=local(24, 9))
    stranded_one = add_appointment(db, world, start=local(24, 16), customer=world.bob)
    add_appointment(db, world, start=local(24, 17), status='canceled')  # frees its slot: not stranded
    add_appointment(db, world, start=local(24, 16), staff='leo')  # another staff member's
    stranded = schedule_service.save_week(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia,
                                          weekly={1: [(hm('09:00'), hm('12:00'))]}, breaks={})
    assert [(v.appointment_id, v.service_name, v.customer_name) for v in stranded] == [
        (stranded_one, 'Haircut', 'Bob Byte')]
    assert kept not in [v.appointment_id for v in stranded]


def test_a_holiday_closes_the_business_for_everyone_and_lists_whose_bookings_it_strands(db, heard) -> None:
    world = seed_world(db, now=NOW)
    got, listen = heard
    listen(world.tenant_id)
    mias = add_appointment(db, world, start=local(26, 10))
    leos = add_appointment(db, world, start=local(26, 14), staff='leo')
    stranded = schedule_service.add_day_off(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=None,
                                            day=date(2026, 11, 26), reason='Open day at the town hall')
    assert sorted(v.appointment_id for v in stranded) == sorted([mias, leos])
    assert got[-1] == {'kind': 'schedule', 'day': '2026-11-26'}
    assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'], staff_id=None,
                                  day=date(2026, 11, 26), now=NOW) == []
    [holiday] = schedule_service.holidays(db, tenant_id=world.tenant_id, today=date(2026, 11, 23))
    assert (holiday.day, holiday.reason) == (date(2026, 11, 26), 'Open day at the town hall')
    with pytest.raises(CatalogRefused) as refused:
        schedule_service.add_day_off(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=None,
                                     day=date(2026, 11, 26))
    assert words(refused) == {'day': 'That day is already off.'}
    schedule_service.remove_day_off(db, tenant_id=world.tenant_id, admin_id=None, day_off_id=holiday.id, now=NOW)
    assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=world.services['cut'], staff_id=None,
                                  day=date(2026, 11, 26), now=NOW)


def test_a_day_off_and_a_special_day_change_one_staff_members_day(db) -> None:
    world = seed_world(db, now=NOW)
    mia = world.staff['mia']
    cut, day = world.services['cut'], date(2026, 11, 27)
    schedule_service.add_day_off(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia, day=day)
    assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=cut, staff_id=mia, day=day,
                                  now=NOW) == []
    assert availability.day_slots(db, tenant_id=world.tenant_id, service_id=cut, staff_id=world.staff['leo'],
                                  day=day, now=NOW)
    with pytest.raises(CatalogRefused) as refused:
        schedule_service.add_day_off(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia,
                                     day=date(2026, 11, 20))
    assert words(refused) == {'day': 'Choose today or a later date.'}
    saturday = date(2026, 11, 28)
    booked = add_appointment(db, world, start=local(28, 9))
    stranded = schedule_service.set_special_day(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia,
                                                day=saturday, hours=[(hm('19:00'), hm('21:00'))])
    assert [v.appointment_id for v in stranded] == [booked]
    slots = availability.day_slots(db, tenant_id=world.tenant_id, service_id=cut, staff_id=mia, day=saturday, now=NOW)
    assert slots[0].start == local(28, 19)
    mine = schedule_service.staff_schedule(db, tenant_id=world.tenant_id, staff_id=mia, today=date(2026, 11, 23))
    assert mine is not None and mine.special_days == {saturday: ((hm('19:00'), hm('21:00')),)}
    assert [d.day for d in mine.days_off] == [day]
    with pytest.raises(CatalogRefused) as refused:
        schedule_service.set_special_day(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia,
                                         day=saturday, hours=[(hm('21:00'), hm('19:00'))])
    assert words(refused) == {'special_day': '21:00-19:00 ends before it starts.'}
    schedule_service.set_special_day(db, tenant_id=world.tenant_id, admin_id=None, now=NOW, staff_id=mia,
                                     day=saturday, hours=[])
    slots = availability.day_slots(db, tenant_id=world.tenant_id, service_id=cut, staff_id=mia, day=saturday, now=NOW)
    assert slots[0].start == local(28, 9, 45)  # the week rules again; 09:00 is booked


def test_every_change_leaves_an_audit_entry_with_who_and_what_before_and_after(db) -> None:
    from domain.admins import AuditFilter
    from services import audit
    from tests.support.seed import add_admin

    world = seed_world(db, now=NOW)
    olga = add_admin(db, world)
    cut = world.services['cut']
    catalog_service.save_service(db, tenant_id=world.tenant_id, admin_id=olga, now=NOW, service_id=cut,
                                 value=ServiceInput(name='Haircut', duration_min=30, price=4500,
                                                    staff_ids=(world.staff['mia'],)))
    catalog_service.set_archived(db, tenant_id=world.tenant_id, admin_id=olga, kind='location',
                                 row_id=world.locations['park'], archived=True, now=NOW)
    schedule_service.save_week(db, tenant_id=world.tenant_id, admin_id=olga, now=NOW, staff_id=world.staff['leo'],
                               weekly={0: [(hm('10:00'), hm('14:00'))]}, breaks={})
    schedule_service.add_day_off(db, tenant_id=world.tenant_id, admin_id=olga, now=NOW, staff_id=None,
                                 day=date(2026, 12, 24), reason='Christmas Eve')
    with pytest.raises(CatalogRefused):  # a refused change leaves nothing behind
        catalog_service.save_service(db, tenant_id=world.tenant_id, admin_id=olga, now=NOW, value=ServiceInput(name=''))
    view = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=olga, where=AuditFilter())
    entries = {e.action: e for e in view.page.entries}
    assert list(entries) == ['schedule.holiday_add', 'schedule.week', 'location.archive', 'service.update']
    assert all(e.admin_id == olga for e in entries.values())
    changed = entries['service.update']
    assert (changed.before['duration_min'], changed.after['duration_min']) == (45, 30)
    assert (changed.before['staff_ids'], changed.after['staff_ids']) == ([world.staff['mia'], world.staff['leo']],
                                                                           [world.staff['mia']])
    assert entries['schedule.week'].after == {'hours': {'0': [['10:00', '14:00']]}, 'breaks': {}}
    assert (entries['schedule.week'].target, entries['location.archive'].target) == ('Leo Park', 'Park Avenue 9')
    assert entries['schedule.holiday_add'].after == {'day': '2026-12-24', 'reason': 'Christmas Eve'}
