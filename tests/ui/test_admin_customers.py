"""The desk's customers and packages in the browser: search, a customer's page, a new customer with the welcome
link, editing, closing, selling a package, the ratings; and a business that never sees another's customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nicegui.testing import User

from domain.customer_desk import PackageInput
from services import customer_desk as desk
from services import packages
from storage import customers as customer_db
from tests.support.seed import add_appointment, seed_world
from tests.ui.conftest import admin_in, field

NOW = datetime.now(UTC)


async def test_the_desk_searches_and_opens_a_customers_page(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/customers')
    add_appointment(db, world, start=NOW + timedelta(days=3), status='approved')
    await user.should_see('2 customers', retries=50)
    await user.open('/admin/customers?q=love')
    await user.should_see('1 customer', retries=50)
    await user.should_see('Ada Lovelace')
    await user.should_not_see('Bob Byte')
    await user.open(f'/admin/customers/{world.ada}')
    await user.should_see(marker='customer-profile', retries=50)
    await user.should_see('ada@example.com')
    await user.should_see('Haircut with Mia Wong')
    await user.open('/admin/customers?q=nobody')
    await user.should_see('No customer matches this search.', retries=50)



async def test_a_customers_page_links_to_all_their_appointments_in_the_paged_list(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/customers')
    ada = add_appointment(db, world, start=NOW + timedelta(days=3), status='approved')
    bob = add_appointment(db, world, customer=world.bob, start=NOW + timedelta(days=4), status='approved')
    await user.open(f'/admin/customers/{world.ada}')
    await user.should_see(marker='customer-all-appointments', retries=50)
    link = next(iter(user.find(marker='customer-all-appointments').elements))
    assert link.props['href'] == f'/admin/appointments?customer={world.ada}'
    await user.open(link.props['href'])
    await user.should_see(marker=f'appt-{ada}', retries=50)
    await user.should_not_see(marker=f'appt-{bob}')
    await user.should_see('1 appointment')
    user.find(marker='appt-every-customer').click()
    await user.should_see(marker=f'appt-{bob}', retries=50)
    await user.should_see(marker=f'appt-{ada}')

async def test_a_new_customer_is_refused_field_by_field_then_made_and_welcomed(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/customers')
    user.find(marker='customer-new').click()
    await user.should_see(marker='customer-dialog')
    user.find(marker='customer-email').type('not-an-email')
    user.find(marker='customer-save').click()
    await user.should_see('Please correct the fields marked in red.', retries=50)
    field(user, 'customer-first-name').value = 'Grace'
    field(user, 'customer-last-name').value = 'Hopper'
    field(user, 'customer-email').value = 'grace@example.com'
    user.find(marker='customer-save').click()
    await user.should_see('Grace Hopper is added; the welcome email is on its way.', retries=50)
    with db.read() as s:
        grace = customer_db.active_customer_by_email(s, tenant_id=world.tenant_id, email='grace@example.com')
    assert grace is not None and not grace.has_password


async def test_closing_from_the_desk_cancels_what_is_ahead(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/customers')
    ahead = add_appointment(db, world, start=NOW + timedelta(days=3), status='approved')
    await user.open(f'/admin/customers/{world.ada}')
    user.find(marker='customer-close').click()
    await user.should_see(marker='close-dialog', retries=50)
    user.find(marker='close-confirm').click()
    await user.should_see('The account is closed; 1 appointment was canceled.', retries=50)
    found = desk.customer_file(db, tenant_id=world.tenant_id, admin_id=None, customer_id=world.ada)
    assert not found.customer.active
    assert next(a for a in found.appointments if a.id == ahead).status.key == 'canceled'



async def test_a_package_made_in_the_catalog_is_sold_unpaid_for_the_panel(user: User, db) -> None:
    world = await admin_in(user, db, now=NOW, target='/admin/packages')
    await user.should_see('No packages yet. Add the first one.', retries=50)
    user.find(marker='package-new').click()
    await user.should_see(marker='package-dialog')
    user.find(marker='package-save').click()
    await user.should_see('Enter a name.', retries=50)
    user.find(marker='package-name').type('Five cuts')
    field(user, 'package-price').value = 200
    field(user, 'package-services').value = [world.services['cut']]
    user.find(marker='package-save').click()
    await user.should_see('Five cuts is saved.', retries=50)
    await user.open(f'/admin/customers/{world.bob}')
    user.find(marker='customer-sell').click()
    await user.should_see(marker='sell-dialog', retries=50)
    field(user, 'sell-paid').value = False
    user.find(marker='sell-confirm').click()
    await user.should_see('The package is sold.', retries=50)
    held = packages.customer_packages(db, tenant_id=world.tenant_id, customer_id=world.bob)
    assert [(p.package.name, p.paid, p.package.price) for p in held] == [('Five cuts', False, 20000)]


async def test_another_business_customers_are_not_found_nor_opened(user: User, db) -> None:
    await admin_in(user, db, now=NOW, target='/admin/customers')
    other = seed_world(db, now=NOW, slug='clinic', ada_email='ada@clinic.example')
    desk.save_package(db, tenant_id=other.tenant_id, admin_id=None, now=NOW, value=PackageInput(
        name='Clinic plan', sessions=3, price=100, validity_days=30, service_ids=(other.services['cut'],)))
    await user.open('/admin/customers?q=ada')
    await user.should_see('ada@example.com', retries=50)
    await user.should_not_see('ada@clinic.example')
    await user.open(f'/admin/customers/{other.ada}')
    await user.should_see('That was not found in this business. Reload the page.', retries=50)
    await user.should_not_see('ada@clinic.example')
    await user.open('/admin/packages')
    await user.should_see('No packages yet. Add the first one.', retries=50)


async def test_the_ratings_page_says_when_there_are_none(user: User, db) -> None:
    await admin_in(user, db, now=NOW, target='/admin/ratings')
    await user.should_see('No ratings yet.', retries=50)


async def test_the_csv_holds_the_current_search(user: User, db) -> None:
    await admin_in(user, db, now=NOW, target='/admin/customers?q=love')
    await user.should_see('1 customer', retries=50)
    user.find(marker='customer-export').click()
    response = await user.download.next(timeout=10)
    text = response.content.decode('utf-8-sig')
    assert text.splitlines()[0].startswith('id,first_name,last_name,email')
    assert 'ada@example.com' in text and 'bob@example.com' not in text
