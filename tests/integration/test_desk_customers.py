"""The front desk's customers and packages against a real database (SQLite, then PostgreSQL): search, create with
the welcome link, edit, close with the customer's own deletion's semantics, ratings, the package catalog and
selling, the CSV; and one business never reaching another's customers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from domain.customer_desk import CustomerInput, PackageInput
from services import accounts, packages, panel
from services import customer_desk as desk
from services.customer_desk import DeskRefused
from storage import appointments as appointment_db
from storage import customers as customer_db
from tests.support.seed import World, add_appointment, seed_world
from tests.support.smtp import text_of, token_in

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
TODAY = NOW.date()
pytestmark = pytest.mark.usefixtures('fresh_limits')


def add_people(db, world: World, people: list[tuple[str, str, str, str]]) -> dict[str, int]:
    with db.write() as s:
        return {email: customer_db.create_customer(s, tenant_id=world.tenant_id, email=email, first_name=first,
                                                   last_name=last, phone=phone, now=NOW)
                for first, last, email, phone in people}


def names(page) -> list[str]:
    return [c.full_name for c in page.customers]


def find(db, world: World, query: str, **kw):
    return desk.search(db, tenant_id=world.tenant_id, admin_id=None, query=query, **kw)


def test_the_desk_finds_a_customer_by_the_start_of_a_name_email_or_phone_and_only_its_own(db) -> None:
    studio, clinic = seed_world(db, now=NOW, slug='studio'), seed_world(db, now=NOW, slug='clinic')
    add_people(db, studio, [('Ana', 'Silva', 'ana.silva@mail.pt', '+351 912 000 111'),
                            ('Anabela', 'Costa', 'bela@mail.pt', '+351 913 222 333'),
                            ('João', 'Anacleto', 'joao@mail.pt', ''),
                            ('Rui', 'Silvestre', 'rui_50%@mail.pt', '')])
    add_people(db, clinic, [('Ana', 'Other', 'ana@clinic.example', '+351 912 999 999')])

    assert names(find(db, studio, 'ana')) == ['João Anacleto', 'Anabela Costa', 'Ana Silva']  # first or last name
    assert names(find(db, studio, '  ANA   SIL ')) == ['Ana Silva']  # first name then last name
    assert names(find(db, studio, 'silv')) == ['Ana Silva', 'Rui Silvestre']
    assert names(find(db, studio, 'bela@')) == ['Anabela Costa']
    assert names(find(db, studio, '+351 912')) == ['Ana Silva']  # not the clinic's Ana
    assert names(find(db, studio, 'rui_50%')) == ['Rui Silvestre']  # wildcards are plain characters
    assert names(find(db, studio, 'rui_5_')) == []
    assert names(find(db, studio, 'lovelace')) == ['Ada Lovelace']
    assert names(find(db, studio, 'zzz')) == []
    everyone = find(db, studio, '')
    assert everyone.total == 6 and 'Ana Other' not in names(everyone)
    assert names(find(db, clinic, 'ana')) == ['Ana Other']


def test_a_long_list_comes_in_pages_in_name_order(db) -> None:
    studio = seed_world(db, now=NOW)
    add_people(db, studio, [('Pat', f'Page{n:02d}', f'pat{n}@example.com', '') for n in range(30)])
    first = find(db, studio, 'pat', page_size=25)
    second = find(db, studio, 'pat', page=1, page_size=25)
    assert first.total == second.total == 30
    assert names(first)[:2] == ['Pat Page00', 'Pat Page01'] and len(first.customers) == 25
    assert names(second) == [f'Pat Page{n}' for n in range(25, 30)]


def test_a_customer_made_at_the_desk_gets_the_welcome_link_and_can_choose_a_password(db, inbox) -> None:
    studio = seed_world(db, now=NOW)
    new = desk.create_customer(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW, value=CustomerInput(
        first_name=' Grace ', last_name='Hopper', email='Grace@Example.com', phone='+1 555 0100'))
    mail = inbox.to('Grace@Example.com')
    assert len(mail) == 1 and 'Grace' in text_of(mail[0])
    token = token_in(mail[0], '/set-password')
    accounts.set_password_with_link(db, tenant_id=studio.tenant_id, purpose=accounts.Purpose.WELCOME, token=token,
                                    password='violet-harbour-71-tandem', confirm='violet-harbour-71-tandem', now=NOW)
    found = desk.customer_file(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=new).customer
    assert (found.full_name, found.email, found.phone, found.has_password) == (
        'Grace Hopper', 'Grace@Example.com', '+1 555 0100', True)

    with pytest.raises(DeskRefused) as taken:
        desk.create_customer(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW, value=CustomerInput(
            first_name='Other', last_name='Grace', email='grace@example.COM'))
    assert str(taken.value.problems['email']) == 'Another customer already uses this email.'
    with pytest.raises(DeskRefused) as wrong:
        desk.create_customer(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW, value=CustomerInput(
            first_name='', last_name='X', email='not-an-email', phone='abc'))
    assert set(wrong.value.problems) == {'first_name', 'email', 'phone'}


def test_the_desk_edits_a_customer_and_a_new_email_must_be_free(db) -> None:
    studio = seed_world(db, now=NOW)
    desk.update_customer(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada, today=TODAY,
                         now=NOW, birth_date=TODAY - timedelta(days=365 * 30), value=CustomerInput(
                             first_name='Augusta Ada', last_name='King', email='ada.king@example.com',
                             phone='+44 20 7946 0000'))
    ada = desk.customer_file(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada).customer
    assert (ada.full_name, ada.email, ada.phone) == ('Augusta Ada King', 'ada.king@example.com', '+44 20 7946 0000')
    assert names(find(db, studio, 'ada.king')) == ['Augusta Ada King']
    with pytest.raises(DeskRefused) as taken:
        desk.update_customer(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada, today=TODAY,
                             now=NOW, value=CustomerInput(first_name='A', last_name='K', email='bob@example.com'))
    assert 'email' in taken.value.problems


def test_closing_at_the_desk_is_the_customers_own_deletion_by_the_staff(db, inbox) -> None:
    studio = seed_world(db, now=NOW)
    with db.write() as s:
        s.execute(sa.text("UPDATE staff SET email='mia@example.com' WHERE id=:i"), {'i': studio.staff['mia']})
    ahead = add_appointment(db, studio, start=NOW + timedelta(days=2), status='approved')
    past = add_appointment(db, studio, start=NOW - timedelta(days=2), status='approved')
    bobs = add_appointment(db, studio, customer=studio.bob, start=NOW + timedelta(days=3), status='approved')
    assert desk.close_customer(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada, now=NOW) == 1

    def status(customer: int, appointment: int) -> str:
        found = panel.appointment_detail(db, tenant_id=studio.tenant_id, customer_id=customer,
                                         appointment_id=appointment)
        assert found is not None
        return found.status.key

    assert (status(studio.ada, ahead), status(studio.ada, past), status(studio.bob, bobs)) == (
        'canceled', 'approved', 'approved')
    history = panel.appointment_detail(db, tenant_id=studio.tenant_id, customer_id=studio.ada,
                                       appointment_id=ahead).history
    last = history[-1]
    assert (last.actor, last.data['cause']) == ('staff', 'account_closed')
    assert len(inbox.to('mia@example.com')) == 1
    ada = desk.customer_file(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada).customer
    assert not ada.active
    with pytest.raises(accounts.AccountError):
        accounts.ensure_can_book(db, tenant_id=studio.tenant_id, customer_id=studio.ada)
    with pytest.raises(DeskRefused):  # once is enough
        desk.close_customer(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada, now=NOW)


def test_ratings_are_averaged_per_staff_member_and_service(db) -> None:
    studio = seed_world(db, now=NOW)
    visits = [add_appointment(db, studio, customer=c, staff=st, start=NOW - timedelta(days=n + 1))
              for n, (c, st) in enumerate([(studio.ada, 'mia'), (studio.bob, 'mia'), (studio.ada, 'leo')])]
    with db.write() as s:
        for visit, stars, who in zip(visits, (5, 4, 2), (studio.ada, studio.bob, studio.ada), strict=True):
            appointment_db.add_rating(s, tenant_id=studio.tenant_id, customer_id=who, appointment_id=visit,
                                      stars=stars, comment='', now=NOW)
    found = desk.ratings(db, tenant_id=studio.tenant_id, admin_id=None)
    assert [(r.name, r.count, r.average) for r in found.staff] == [('Mia Wong', 2, 4.5), ('Leo Park', 1, 2.0)]
    assert [(r.name, r.count, r.average) for r in found.services] == [('Haircut', 3, 3.67)]
    ada = desk.customer_file(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada)
    assert [(r.name, r.average) for r in ada.staff_ratings] == [('Mia Wong', 5.0), ('Leo Park', 2.0)]
    other = seed_world(db, now=NOW, slug='clinic')
    assert desk.ratings(db, tenant_id=other.tenant_id, admin_id=None).staff == []


def test_a_package_is_made_sold_paid_or_left_for_the_panel(db) -> None:
    studio = seed_world(db, now=NOW)
    other = seed_world(db, now=NOW, slug='clinic')
    value = PackageInput(name='Five cuts', sessions=5, price=20000, validity_days=90,
                         service_ids=(studio.services['cut'],))
    made = desk.save_package(db, tenant_id=studio.tenant_id, admin_id=None, value=value, now=NOW)
    with pytest.raises(DeskRefused) as wrong:
        desk.save_package(db, tenant_id=studio.tenant_id, admin_id=None, now=NOW, value=PackageInput(
            name='', sessions=0, price=-1, validity_days=0, service_ids=(other.services['cut'],)))
    assert set(wrong.value.problems) == {'name', 'sessions', 'price', 'validity_days', 'service_ids'}
    with pytest.raises(DeskRefused):  # another business's package
        desk.sell_package(db, tenant_id=other.tenant_id, admin_id=None, customer_id=other.ada, package_id=made,
                          paid=True, now=NOW)
    paid = desk.sell_package(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.ada, package_id=made,
                             paid=True, now=NOW)
    owed = desk.sell_package(db, tenant_id=studio.tenant_id, admin_id=None, customer_id=studio.bob, package_id=made,
                             paid=False, now=NOW)
    ada = {p.id: p for p in packages.customer_packages(db, tenant_id=studio.tenant_id, customer_id=studio.ada)}
    bob = {p.id: p for p in packages.customer_packages(db, tenant_id=studio.tenant_id, customer_id=studio.bob)}
    assert ada[paid].paid and ada[paid].expires_at == NOW + timedelta(days=90) and ada[paid].sessions_left == 5
    assert not bob[owed].paid  # the panel offers Bob to pay it
    desk.save_package(db, tenant_id=studio.tenant_id, admin_id=None, package_id=made, now=NOW, value=PackageInput(
        name='Six cuts', sessions=6, price=22000, validity_days=120, service_ids=(studio.services['cut'],)))
    catalog = desk.package_catalog(db, tenant_id=studio.tenant_id, admin_id=None)
    assert [(p.name, p.sessions) for p in catalog.packages] == [('Six cuts', 6)]
    assert desk.package_catalog(db, tenant_id=other.tenant_id, admin_id=None).packages == []


def test_the_csv_is_the_current_search_and_safe_in_a_spreadsheet(db) -> None:
    studio = seed_world(db, now=NOW)
    add_people(db, studio, [('=HYPERLINK("http://x")', 'Evil', 'evil@example.com', '+351 1'),
                            ('Ann', '@SUM(A1)', 'ann@example.com', '')])
    rows = list(csv.DictReader(io.StringIO(desk.customers_csv(db, tenant_id=studio.tenant_id, admin_id=None,
                                                               query='e'))))
    assert [r['email'] for r in rows] == ['evil@example.com']
    assert rows[0]['first_name'] == '\'=HYPERLINK("http://x")' and rows[0]['phone'] == "'+351 1"
    every = list(csv.DictReader(io.StringIO(desk.customers_csv(db, tenant_id=studio.tenant_id, admin_id=None,
                                                                query=''))))
    assert len(every) == 4 and "'@SUM(A1)" in [r['last_name'] for r in every]
