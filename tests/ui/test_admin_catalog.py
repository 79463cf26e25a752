"""The admin's catalog and hours in the browser: what an admin types, the reasons shown next to the fields, what the
booking side offers afterwards, and that one business's pages never show or change another's."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

from nicegui import ui
from nicegui.testing import User

from domain.catalog import StaffInput
from services import availability, catalog, schedules
from tests.support.seed import add_appointment, seed_world
from tests.ui.conftest import admin_in, field, times_shown

NOW = datetime.now(UTC)


async def test_a_new_service_is_refused_field_by_field_then_saved_and_bookable(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/services')
    await user.should_see('Haircut')
    user.find(marker='service-new').click()
    await user.should_see(marker='service-dialog')
    field(user, 'service-duration').value = 0
    user.find(marker='service-save').click()
    await user.should_see('Enter a name.', retries=50)
    await user.should_see('A service lasts from 5 to 1,439 minutes.')
    user.find(marker='service-name').type('Beard trim')
    field(user, 'service-duration').value = 20
    field(user, 'service-price').value = 15.5
    field(user, 'service-staff').value = [world.staff['leo']]
    user.find(marker='service-save').click()
    await user.should_see('Beard trim is saved.', retries=50)
    offered = {s.name: s for s in availability.bookable_services(db, tenant_id=world.tenant_id)}
    assert offered['Beard trim'].price == 1550 and offered['Beard trim'].duration.total_seconds() == 20 * 60


async def test_archiving_a_service_marks_it_and_the_booking_side_stops_offering_it(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/services')
    await user.should_see('Haircut')
    user.find(marker=f'service-archive-{world.services["cut"]}').click()
    await user.should_see('Haircut is archived.', retries=50)
    await user.should_see(marker='service-archived')
    assert 'Haircut' not in [s.name for s in availability.bookable_services(db, tenant_id=world.tenant_id)]


async def test_archiving_a_staff_member_lists_the_bookings_they_still_have(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/staff')
    add_appointment(db, world, start=datetime(2030, 1, 8, 15, tzinfo=UTC), customer=world.bob)
    await user.should_see('Mia Wong')
    user.find(marker=f'staff-archive-{world.staff["mia"]}').click()
    await user.should_see('Mia Wong still has 1 upcoming booking:', retries=50)
    await user.should_see('Bob Byte')
    await user.should_see(marker='staff-archived')


async def test_staff_and_locations_are_edited_in_their_pages(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/locations')
    user.find(marker='location-new').click()
    user.find(marker='location-name').type('Lake Spa')
    user.find(marker='location-save').click()
    await user.should_see('Lake Spa is saved.', retries=50)
    await user.open('/admin/staff')
    await user.should_see('Mia Wong')
    user.find(marker=f'staff-edit-{world.staff["mia"]}').click()
    await user.should_see(marker='staff-dialog')
    user.find(marker='staff-email').clear().type('not an email')
    user.find(marker='staff-save').click()
    await user.should_see('Enter an email address like name@example.com.', retries=50)
    user.find(marker='staff-email').clear().type('mia@example.com')
    user.find(marker='staff-save').click()
    await user.should_see('Mia Wong is saved.', retries=50)
    mia = next(p for p in catalog.catalog(db, tenant_id=world.tenant_id).staff if p.id == world.staff['mia'])
    assert mia.email == 'mia@example.com'


async def test_the_week_is_drawn_refuses_overlaps_and_lists_the_bookings_it_strands(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW)
    mia = world.staff['mia']
    booked = add_appointment(db, world, start=datetime(2030, 1, 8, 15, tzinfo=UTC), customer=world.bob)  # a Tuesday
    await user.open(f'/admin/schedules?staff={mia}')
    await user.should_see(marker='week-view')
    await user.should_see('09:00–12:00, 13:00–18:00')  # Monday to Saturday, in words under each day
    field(user, 'hours-1-start-1').value = '11:00'  # Tuesday: 09:00-12:00 and now 11:00-18:00
    user.find(marker='week-save').click()
    await user.should_see('09:00-12:00 overlaps 11:00-18:00.', retries=50)
    field(user, 'hours-1-start-1').value = '13:00'
    field(user, 'hours-1-end-1').value = '15:00'
    user.find(marker='week-save').click()
    await user.should_see('1 booking is now outside working hours:', retries=50)
    await user.should_see('Bob Byte')
    mine = schedules.staff_schedule(db, tenant_id=world.tenant_id, staff_id=mia, today=NOW.date())
    assert mine is not None and mine.weekly[1] == ((time(9), time(12)), (time(13), time(15)))
    assert booked


async def test_a_holiday_is_added_from_the_hours_page(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/schedules')
    await user.should_see(marker='holiday-list')
    field(user, 'holiday-date').value = '2030-12-24'
    user.find(marker='holiday-reason').type('Christmas Eve')
    user.find(marker='holiday-add').click()
    await user.should_see(marker='holiday-item', retries=50)
    days = schedules.holidays(db, tenant_id=world.tenant_id, today=NOW.date())
    assert [(d.day.isoformat(), d.reason) for d in days] == [('2030-12-24', 'Christmas Eve')]
    field(user, 'holiday-date').value = '2001-01-01'
    user.find(marker='holiday-add').click()
    await user.should_see('Choose today or a later date.', retries=50)


async def test_another_business_staff_member_is_never_shown_or_changed(user: User, db) -> None:
    other = seed_world(db, now=NOW, slug='clinic')
    catalog.save_staff(db, tenant_id=other.tenant_id, admin_id=None, now=NOW,
                       value=StaffInput(name='Secret Sam'))
    world = await admin_in(user, db, now=NOW)
    await user.open(f'/admin/schedules?staff={other.staff["mia"]}')
    await user.should_see(marker='week-view')
    picker = field(user, 'schedule-staff')
    assert picker.value in world.staff.values() and picker.value != other.staff['mia']
    await user.open('/admin/staff')
    await user.should_see('Mia Wong')
    await user.should_not_see('Secret Sam')
    assert isinstance(picker, ui.select)


async def test_a_day_off_empties_an_open_booking_calendar_without_a_reload(user: User, db) -> None:
    """A guest has the booking page open; the admin, in another browser, gives Mia (the only one offering colour)
    the shown day off: its times go at once."""
    from tests.ui.test_book import picked_day, shown_slots

    world = seed_world(db, now=NOW)
    await user.open(f'/book?service={world.services["colour"]}')
    label = (await shown_slots(user))[0]
    day = picked_day(user)
    schedules.add_day_off(db, tenant_id=world.tenant_id, admin_id=None, staff_id=world.staff['mia'], day=day,
                          now=datetime.now(UTC))
    for _ in range(40):
        if label not in times_shown(user):
            break
        await asyncio.sleep(0.05)
    assert label not in times_shown(user)


async def test_a_staff_photo_is_served_to_anyone_within_its_business_only(user: User, db) -> None:
    import io

    from PIL import Image

    other = seed_world(db, now=NOW, slug='clinic')
    world = seed_world(db, now=NOW)
    raw = io.BytesIO()
    Image.new('RGB', (64, 64), 'orange').save(raw, format='JPEG')
    url = catalog.save_staff_photo(db, tenant_id=world.tenant_id, admin_id=None, staff_id=world.staff['mia'],
                                   data=raw.getvalue(), now=NOW)
    catalog.save_staff_photo(db, tenant_id=other.tenant_id, admin_id=None, staff_id=other.staff['mia'],
                             data=raw.getvalue(), now=NOW)
    answer = await user.http_client.get(url)
    assert answer.status_code == 200 and answer.headers['content-type'] == 'image/webp'
    assert answer.headers['x-content-type-options'] == 'nosniff'
    # The clinic's Mia is another business's: this host's business answers as if there were no photo.
    assert (await user.http_client.get(f'/staff-photo/{other.staff["mia"]}')).status_code == 404
