"""Demo data: a believable salon and wellness studio with two years of history, the same every time for a given
`now` and seed, written with the storage creators in one transaction.

Every appointment is placed the way the business would accept it: inside the staff member's working hours in the
studio's time zone (breaks, days off, holidays and special days respected), never on top of another booking of the
same person (buffers included), and group classes share a start until their seats run out.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from domain import history as dh
from domain.model import DEFAULT_STATUSES, HistoryEntry, PaymentStatus, StatusRole, payment_status
from services.auth import hash_password
from storage import admins as admin_db
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import packages as package_db
from storage import payments as payment_db
from storage import schedules as schedule_db
from storage import tables as t
from storage import tenants as tenant_db
from storage.db import Database

DEMO_SLUG = 'default'
TIMEZONE = 'Europe/Lisbon'
CURRENCY = 'EUR'
ADA_EMAIL = 'ada@example.com'
ADA_PASSWORD = 'kairos-demo'
GRACE_EMAIL = 'grace@example.com'
ADMIN_EMAIL = 'admin@example.com'
ADMIN_PASSWORD = 'kairos-admin'


class DemoExists(RuntimeError):
    """The demo tenant is already there: loading twice would double every booking."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoLogin:
    role: str
    email: str
    password: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(role='customer', email=ADA_EMAIL, password=ADA_PASSWORD),
    DemoLogin(role='customer', email=GRACE_EMAIL, password=ADA_PASSWORD),
    DemoLogin(role='admin', email=ADMIN_EMAIL, password=ADMIN_PASSWORD),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoSummary:
    tenant_id: int
    tenant_name: str
    locations: int
    staff: int
    services: int
    packages: int
    customers: int
    appointments: int
    ada_appointments: int
    payments: int
    logins: tuple[DemoLogin, ...] = DEMO_LOGINS


# ---- the studio -------------------------------------------------------------------------------------------------

Hours = tuple[tuple[time, time], ...]


@dataclass(frozen=True, slots=True)
class _ServicePlan:
    key: str
    name: str
    category: str
    minutes: int
    price: int
    deposit: int = 0
    capacity: int = 1
    step: int = 15
    buffer_after: int = 0
    meeting_url: str | None = None
    color: str = '#6366f1'


@dataclass(frozen=True, slots=True)
class _StaffPlan:
    key: str
    name: str
    email: str
    locations: tuple[str, ...]  # the first is where they work unless `elsewhere` says otherwise
    services: tuple[str, ...]
    weekly: dict[int, Hours]
    breaks: dict[int, Hours]
    elsewhere: dict[int, str]  # weekday -> location key


def _h(*pairs: tuple[str, str]) -> Hours:
    return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs)


LOCATIONS = {
    'baixa': ('Lumen Studio Baixa', 'Rua Augusta 120, 1100-053 Lisboa'),
    'principe': ('Lumen Studio Príncipe Real', 'Rua da Escola Politécnica 45, 1250-099 Lisboa'),
}

SERVICES = (
    _ServicePlan('haircut', 'Haircut & style', 'Hair', 45, 4500, color='#0ea5e9'),
    _ServicePlan('colour', 'Colour & cut', 'Hair', 120, 12000, deposit=3000, color='#db2777'),
    _ServicePlan('beard', 'Beard trim', 'Hair', 30, 2000, color='#64748b'),
    _ServicePlan('deep', 'Deep-tissue massage', 'Massage', 60, 6500, buffer_after=15, color='#16a34a'),
    _ServicePlan('hotstone', 'Hot-stone massage', 'Massage', 90, 8500, buffer_after=15, color='#ea580c'),
    _ServicePlan('pilates', 'Pilates mat class', 'Classes', 55, 1800, capacity=6, step=60, buffer_after=5,
                 color='#7c3aed'),
    _ServicePlan('facial', 'Signature facial', 'Skin', 60, 7000, color='#e11d48'),
    _ServicePlan('consult', 'Online wellness consultation', 'Wellness', 30, 3500,
                 meeting_url='https://meet.example.com/lumen-consult', color='#0891b2'),
)

WEEKDAYS_TUE_SAT = (1, 2, 3, 4, 5)

STAFF = (
    _StaffPlan('sofia', 'Sofia Almeida', 'sofia@lumen.example', ('baixa',), ('haircut', 'colour'),
               weekly={d: _h(('09:00', '13:00'), ('14:00', '18:00')) for d in WEEKDAYS_TUE_SAT},
               breaks={}, elsewhere={}),
    _StaffPlan('rui', 'Rui Santos', 'rui@lumen.example', ('principe',), ('haircut', 'colour', 'beard'),
               weekly={d: _h(('10:00', '19:00')) for d in range(6)},
               breaks={d: _h(('13:00', '14:00')) for d in range(6)}, elsewhere={}),
    _StaffPlan('mateus', 'Mateus Costa', 'mateus@lumen.example', ('baixa', 'principe'), ('deep', 'hotstone'),
               weekly={d: _h(('10:00', '14:00'), ('15:00', '20:00')) for d in range(5)},
               breaks={d: _h(('17:00', '17:30')) for d in (1, 3)}, elsewhere={3: 'principe', 4: 'principe'}),
    _StaffPlan('ines', 'Inês Ferreira', 'ines@lumen.example', ('baixa',), ('pilates',),
               weekly={0: _h(('07:30', '11:30'), ('17:30', '20:30')), 1: _h(('09:00', '12:00')),
                       2: _h(('07:30', '11:30'), ('17:30', '20:30')), 3: _h(('09:00', '12:00')),
                       4: _h(('07:30', '11:30'), ('17:30', '20:30')), 5: _h(('09:00', '12:00'))},
               breaks={d: _h(('09:30', '10:30')) for d in (0, 2, 4)}, elsewhere={}),
    _StaffPlan('clara', 'Clara Nunes', 'clara@lumen.example', ('principe',), ('facial', 'consult'),
               weekly={**{d: _h(('11:00', '19:00')) for d in (1, 2, 3, 4)}, 5: _h(('10:00', '14:00'))},
               breaks={d: _h(('14:00', '15:00')) for d in (1, 2, 3, 4)}, elsewhere={}),
)

# Portugal's fixed-date public holidays: the studio closes on them.
HOLIDAYS = ((1, 1), (4, 25), (5, 1), (6, 10), (6, 13), (8, 15), (10, 5), (11, 1), (12, 1), (12, 8), (12, 25))

OTHER_CUSTOMERS = (
    ('Grace', 'Hopper', GRACE_EMAIL),
    ('Tiago', 'Moreira', 'tiago.moreira@example.com'),
    ('Beatriz', 'Lopes', 'beatriz.lopes@example.com'),
    ('Hannah', 'Schmidt', 'hannah.schmidt@example.com'),
    ('Lucas', 'Martin', 'lucas.martin@example.com'),
    ('Mariana', 'Sousa', 'mariana.sousa@example.com'),
    ('Oliver', 'Brown', 'oliver.brown@example.com'),
    ('Yara', 'Haddad', 'yara.haddad@example.com'),
    ('Kenji', 'Watanabe', 'kenji.watanabe@example.com'),
    ('Carolina', 'Ribeiro', 'carolina.ribeiro@example.com'),
)

# What Ada books over two years, by weight, and the exact mix of outcomes of her past visits.
ADA_SERVICE_WEIGHTS = {'pilates': 34, 'deep': 12, 'hotstone': 5, 'haircut': 16, 'colour': 6, 'facial': 10,
                       'consult': 7}
# Planned by what each status means (its role); the studio is made with the default statuses, one per role.
NEW, CONFIRMED, CANCELED, REJECTED, NO_SHOW = (StatusRole.NEW_BOOKING, StatusRole.CONFIRMED,
                                               StatusRole.CUSTOMER_CANCEL, StatusRole.REJECTED, StatusRole.NO_SHOW)
STATUS_KEY = {st.role: st.key for st in DEFAULT_STATUSES}
ADA_PAST_STATUSES = {CONFIRMED: 118, CANCELED: 14, NO_SHOW: 6, REJECTED: 4, NEW: 2}
OTHER_SERVICE_WEIGHTS = {'pilates': 30, 'deep': 10, 'hotstone': 5, 'haircut': 18, 'colour': 6, 'beard': 8,
                         'facial': 10, 'consult': 5}


# ---- commands -------------------------------------------------------------------------------------------------


def demo_exists(db: Database, *, slug: str = DEMO_SLUG) -> bool:
    with db.read() as s:
        return tenant_db.tenant_by_slug(s, slug=slug) is not None


def database_has_tenants(db: Database) -> bool:
    with db.read() as s:
        return s.exec(select(t.Tenant.id).limit(1)).first() is not None


def load_demo(db: Database, *, now: datetime, seed: int = 7) -> DemoSummary:
    """Write the demo studio; refuse when the demo tenant already exists."""
    if now.tzinfo is None:
        raise ValueError('now must be an aware datetime')
    if demo_exists(db):
        raise DemoExists(f"The demo business '{DEMO_SLUG}' already exists; use reset to wipe and reload it.")
    customer_hash = hash_password(ADA_PASSWORD)
    admin_hash = hash_password(ADMIN_PASSWORD)
    with db.write() as s:
        return _Builder(s, now=now.astimezone(UTC), rng=random.Random(seed)).build(customer_hash, admin_hash)


def reset_demo(db: Database, *, now: datetime, seed: int = 7) -> DemoSummary:
    """Wipe the demo tenant and everything it owns, then load the demo again."""
    wipe_tenant(db, slug=DEMO_SLUG)
    return load_demo(db, now=now, seed=seed)


def wipe_tenant(db: Database, *, slug: str) -> bool:
    """Delete one tenant and every row it owns (children first); other tenants stay untouched."""
    with db.write() as s:
        tenant_id = s.exec(select(t.Tenant.id).where(t.Tenant.slug == slug)).first()
        if tenant_id is None:
            return False
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name == 'tenant':
                continue
            if 'tenant_id' in table.c:
                s.execute(table.delete().where(table.c.tenant_id == tenant_id))
                continue
            # link tables (staff_service, package_service...) carry no tenant: go through a parent that does
            for fk in table.foreign_keys:
                parent = fk.column.table
                if 'tenant_id' in parent.c:
                    owned = sa.select(fk.column).where(parent.c.tenant_id == tenant_id)
                    s.execute(table.delete().where(fk.parent.in_(owned)))
                    break
        s.execute(sa.delete(t.Tenant).where(col(t.Tenant.id) == tenant_id))
    return True


# ---- the builder ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Booked:
    customer_id: int
    service: _ServicePlan
    staff: str
    start: datetime


class _Builder:
    def __init__(self, session: Session, *, now: datetime, rng: random.Random) -> None:
        self.s = session
        self.now = now
        self.rng = rng
        self.tz = ZoneInfo(TIMEZONE)
        self.today = now.astimezone(self.tz).date()
        self.services = {p.key: p for p in SERVICES}
        self.staff_plans = {p.key: p for p in STAFF}
        self.staff_for: dict[str, list[str]] = defaultdict(list)
        for plan in STAFF:
            for key in plan.services:
                self.staff_for[key].append(plan.key)
        self.holidays: set[date] = set()
        self.days_off: set[tuple[str, date]] = set()
        self.special: dict[tuple[str, date], Hours] = {}
        # busy spans per staff and local day (buffers included), per customer and day, and seats per class start
        self.staff_busy: dict[tuple[str, date], list[tuple[datetime, datetime]]] = defaultdict(list)
        self.customer_busy: dict[tuple[int, date], list[tuple[datetime, datetime]]] = defaultdict(list)
        self.seats: dict[tuple[str, datetime], set[int]] = {}
        self.ids: dict[str, int] = {}
        self.bookings: list[tuple[t.Appointment, list[HistoryEntry], dict[str, Any] | None]] = []
        self.others: dict[str, int] = {}  # the other customers' ids by email
        self.payments = 0

    def build(self, customer_hash: str, admin_hash: str) -> DemoSummary:
        s, now = self.s, self.now
        self.tenant = tenant_db.create_tenant(s, slug=DEMO_SLUG, name='Lumen Studio', timezone=TIMEZONE,
                                              currency=CURRENCY, booking_url='/book', primary_color='#0f766e',
                                              statuses=DEFAULT_STATUSES)
        for key, (name, address) in LOCATIONS.items():
            self.ids[f'loc:{key}'] = catalog_db.create_location(s, tenant_id=self.tenant, name=name, address=address)
        for p in SERVICES:
            self.ids[f'svc:{p.key}'] = catalog_db.create_service(
                s, tenant_id=self.tenant, name=p.name, category=p.category, duration_min=p.minutes, price=p.price,
                deposit=p.deposit, capacity=p.capacity, slot_step_min=p.step, buffer_after_min=p.buffer_after,
                meeting_url=p.meeting_url, color=p.color)
        for who in STAFF:
            self.ids[f'staff:{who.key}'] = catalog_db.create_staff(
                s, tenant_id=self.tenant, name=who.name, email=who.email,
                location_ids=[self.ids[f'loc:{k}'] for k in who.locations],
                service_ids=[self.ids[f'svc:{k}'] for k in who.services], weekly=dict(who.weekly),
                breaks=dict(who.breaks))
        self._closures()
        pilates_pack = package_db.create_package(s, tenant_id=self.tenant, name='10 pilates classes', sessions=10,
                                                 price=15000, validity_days=180, service_ids=[self.ids['svc:pilates']])
        massage_pack = package_db.create_package(s, tenant_id=self.tenant, name='5 massages', sessions=5, price=30000,
                                                 validity_days=365,
                                                 service_ids=[self.ids['svc:deep'], self.ids['svc:hotstone']])
        admin_db.create_admin(s, tenant_id=self.tenant, email=ADMIN_EMAIL, password_hash=admin_hash,
                               name='Studio admin')

        ada = customer_db.create_customer(s, tenant_id=self.tenant, email=ADA_EMAIL, first_name='Ada',
                                          last_name='Lovelace',
                                          password_hash=customer_hash, phone='+351 912 345 678',
                                          now=now - timedelta(days=760))
        ada_pack = self._ada_packages(ada, pilates_pack, massage_pack)
        before = len(self.bookings)
        self._ada_upcoming(ada, ada_pack)
        self._ada_past(ada, ada_pack)
        ada_count = len(self.bookings) - before
        others = self._other_customers(customer_hash)
        self._later_today()
        self._write_bookings()
        return DemoSummary(tenant_id=self.tenant, tenant_name='Lumen Studio', locations=len(LOCATIONS),
                           staff=len(STAFF), services=len(SERVICES), packages=2, customers=1 + others,
                           appointments=len(self.bookings), ada_appointments=ada_count, payments=self.payments)

    # -- schedule --

    def _closures(self) -> None:
        """Holidays in the coming months, a few staff days off and one special day."""
        for year in range(self.today.year - 2, self.today.year + 2):
            for month, day_of_month in HOLIDAYS:
                self.holidays.add(date(year, month, day_of_month))
        for day in sorted(h for h in self.holidays if self.today < h <= self.today + timedelta(days=150))[:4]:
            schedule_db.create_day_off(self.s, tenant_id=self.tenant, day=day, reason='Public holiday')
        # Sofia's short holiday, Mateus's training day, Inês's workshop: working days a few weeks out
        for key, offset, length, reason in (('sofia', 18, 3, 'Holiday'), ('mateus', 9, 1, 'Training course'),
                                            ('ines', 25, 1, 'Teaching a workshop')):
            day = self._next_working_day(key, self.today + timedelta(days=offset))
            for i in range(length):
                self.days_off.add((key, day + timedelta(days=i)))
                schedule_db.create_day_off(self.s, tenant_id=self.tenant, staff_id=self.ids[f'staff:{key}'],
                                           day=day + timedelta(days=i), reason=reason)
        # Clara opens on a Monday (normally her day off) for a skin-care day
        monday = self.today + timedelta(days=7 + (7 - self.today.weekday()) % 7)
        while monday in self.holidays:
            monday += timedelta(days=7)
        self.special[('clara', monday)] = _h(('10:00', '16:00'))
        schedule_db.create_special_day(self.s, tenant_id=self.tenant, staff_id=self.ids['staff:clara'], day=monday,
                                       start=time(10), end=time(16))

    def _next_working_day(self, key: str, day: date) -> date:
        while day.weekday() not in self.staff_plans[key].weekly or day in self.holidays:
            day += timedelta(days=1)
        return day

    def _hours(self, key: str, day: date) -> list[tuple[datetime, datetime]]:
        """The staff member's working spans of one local day, in UTC."""
        if day in self.holidays or (key, day) in self.days_off:
            return []
        plan = self.staff_plans[key]
        special = self.special.get((key, day))
        weekly = special if special is not None else plan.weekly.get(day.weekday(), ())
        breaks = () if special is not None else plan.breaks.get(day.weekday(), ())
        spans: list[tuple[time, time]] = []
        for start, end in weekly:
            pieces = [(start, end)]
            for b_start, b_end in breaks:
                pieces = [p for a, z in pieces for p in ((a, min(z, b_start)), (max(a, b_end), z)) if p[0] < p[1]]
            spans.extend(pieces)
        return [(self._utc(day, a), self._utc(day, z)) for a, z in spans]

    def _utc(self, day: date, wall: time) -> datetime:
        return datetime.combine(day, wall, tzinfo=self.tz).astimezone(UTC)

    # -- placing a booking --

    def _place(self, customer: int, service: str, day: date, staff: str | None = None,
               prefer: tuple[time, time] | None = None) -> tuple[str, datetime] | None:
        """A free start for this customer, service and local day (optionally a given staff member and time window)."""
        plan = self.services[service]
        length = timedelta(minutes=plan.minutes)
        pad = timedelta(minutes=plan.buffer_after)
        options: list[tuple[str, datetime]] = []
        joinable: list[tuple[str, datetime]] = []
        for key in [staff] if staff else self.staff_for[service]:
            for span_start, span_end in self._hours(key, day):
                start = span_start
                while start + length <= span_end:
                    if self._fits(customer, plan, key, day, start, length, pad, prefer):
                        if plan.capacity > 1 and (key, start) in self.seats:
                            joinable.append((key, start))
                        else:
                            options.append((key, start))
                    start += timedelta(minutes=plan.step)
        if joinable and (not options or self.rng.random() < 0.75):
            return self.rng.choice(joinable)
        return self.rng.choice(options) if options else None

    def _fits(self, customer: int, plan: _ServicePlan, key: str, day: date, start: datetime, length: timedelta,
              pad: timedelta, prefer: tuple[time, time] | None) -> bool:
        end = start + length
        if prefer is not None:
            local = start.astimezone(self.tz).time()
            if not prefer[0] <= local < prefer[1]:
                return False
        if any(a < end and start < z for a, z in self.customer_busy[(customer, day)]):
            return False
        seats = self.seats.get((key, start))
        if seats is not None and plan.capacity > 1:  # an existing class at this very start: join while seats remain
            return len(seats) < plan.capacity
        return not any(a < end + pad and start < z for a, z in self.staff_busy[(key, day)])

    def _book(self, *, customer: int, service: str, staff: str, start: datetime, status: StatusRole, paid: str,
              customer_package_id: int | None = None) -> t.Appointment:
        """Plan one appointment (with its history and payment) and mark its time as taken."""
        plan = self.services[service]
        day = start.astimezone(self.tz).date()
        length = timedelta(minutes=plan.minutes)
        self.customer_busy[(customer, day)].append((start, start + length))
        if plan.capacity > 1:
            if (staff, start) not in self.seats:
                self.seats[(staff, start)] = set()
                self.staff_busy[(staff, day)].append((start, start + length + timedelta(minutes=plan.buffer_after)))
            self.seats[(staff, start)].add(customer)
        else:
            self.staff_busy[(staff, day)].append((start, start + length + timedelta(minutes=plan.buffer_after)))
        staff_plan = self.staff_plans[staff]
        location = None if plan.meeting_url else self.ids[
            f'loc:{staff_plan.elsewhere.get(day.weekday(), staff_plan.locations[0])}']
        price = 0 if customer_package_id else plan.price
        amount = {'paid': price, 'deposit': plan.deposit or price, 'unpaid': 0}[paid]
        created = min(start - timedelta(days=self.rng.randint(1, 21)),
                      self.now - timedelta(hours=self.rng.randint(2, 72)))
        row = t.Appointment(tenant_id=self.tenant, customer_id=customer, service_id=self.ids[f'svc:{service}'],
                            staff_id=self.ids[f'staff:{staff}'], location_id=location, start=start,
                            end=start + length, status_key=STATUS_KEY[status], price=price, deposit=plan.deposit,
                            amount_paid=amount, customer_package_id=customer_package_id, created_at=created)
        history = [dh.booked(at=created, actor=dh.CUSTOMER, status=STATUS_KEY[NEW])]
        if status in (CANCELED, REJECTED):
            actor, reason = (dh.CUSTOMER, 'Plans changed.') if status == CANCELED else (dh.STAFF, 'Fully booked.')
            history.append(dh.status_changed(at=min(start - timedelta(hours=self.rng.randint(3, 48)), self.now),
                                             actor=actor, from_status=STATUS_KEY[NEW], to_status=STATUS_KEY[status],
                                             reason=reason))
        elif status in (CONFIRMED, NO_SHOW):
            history.append(dh.status_changed(at=min(created + timedelta(hours=2), self.now), actor=dh.STAFF,
                                             from_status=STATUS_KEY[NEW], to_status=STATUS_KEY[CONFIRMED]))
            if status == NO_SHOW:
                history.append(dh.status_changed(at=start + length, actor=dh.STAFF, from_status=STATUS_KEY[CONFIRMED],
                                                 to_status=STATUS_KEY[NO_SHOW]))
        payment: dict[str, Any] | None = None
        if amount:
            at_desk = start <= self.now and self.rng.random() < 0.4
            paid_at = min(start + length if at_desk else created + timedelta(minutes=5), self.now)
            method = 'cash' if at_desk else 'card'
            payment = dict(amount=amount, method=method, created_at=paid_at)
            history.append(dh.paid(at=paid_at, actor=dh.STAFF if at_desk else dh.CUSTOMER, amount=amount,
                                   currency=CURRENCY, method=method, from_status=PaymentStatus.UNPAID,
                                   to_status=payment_status(price=price, deposit=plan.deposit, paid=amount)))
        self.bookings.append((row, history, payment))
        return row

    def _write_bookings(self) -> None:
        """Insert every appointment in one batch, then their history and payments in another."""
        self.s.add_all([row for row, _, _ in self.bookings])
        self.s.flush()
        extras: list[SQLModel] = []
        for row, history, payment in self.bookings:
            assert row.id is not None
            extras += [t.AppointmentHistory(tenant_id=self.tenant, appointment_id=row.id, at=h.at, actor=h.actor,
                                            action=h.action, data=dict(h.data)) for h in history]
            if payment is not None:
                card = payment['method'] == 'card'
                extras.append(t.Payment(tenant_id=self.tenant, appointment_id=row.id, currency=CURRENCY,
                                        state='succeeded', provider_ref=f'pi_demo_{row.id:05d}' if card else '',
                                        **payment))
                self.payments += 1
        self.s.add_all(extras)
        self.s.flush()

    def _later_today(self) -> None:
        """A few visits later today, for customers other than the two who sign in (Ada, Grace), so the admin's
        overview and the day's calendar show a working day. Drawn after everything else, so the rest of the studio is
        what the seed always made; none when the studio's day is nearly over."""
        after = (self.now + timedelta(hours=1)).astimezone(self.tz)
        if after.date() != self.today:
            return
        services, weights = zip(*OTHER_SERVICE_WEIGHTS.items(), strict=True)
        people = [customer for email, customer in self.others.items() if email != GRACE_EMAIL]
        for customer in self.rng.sample(people, k=min(4, len(people))):
            service = self.rng.choices(services, weights)[0]
            found = self._place(customer, service, self.today, prefer=(after.time(), time(23, 59)))
            if found is None:
                continue
            status = CONFIRMED if self.rng.random() < 0.7 else NEW
            paid = 'deposit' if self.services[service].deposit else 'unpaid'
            self._book(customer=customer, service=service, staff=found[0], start=found[1], status=status, paid=paid)

    def _past_payment(self, service: str, status: StatusRole, age_days: int) -> str:
        """How a past visit was settled: most paid, a few left open, deposits kept when someone did not come."""
        has_deposit = bool(self.services[service].deposit)
        if status == CONFIRMED:
            r = self.rng.random()
            if r < (0.25 if age_days < 45 else 0.05):
                return 'deposit' if has_deposit else 'unpaid'
            return 'paid'
        if status == NO_SHOW:
            return 'deposit' if has_deposit else 'unpaid'
        return 'unpaid'

    # -- Ada --

    def _ada_packages(self, ada: int, pilates_pack: int, massage_pack: int) -> int:
        bought = self.now - timedelta(days=45)
        pack = package_db.create_customer_package(self.s, tenant_id=self.tenant, customer_id=ada,
                                                  package_id=pilates_pack,
                                                  purchased_at=bought, validity_days=180, amount_paid=15000)
        payment_db.create_payment(self.s, tenant_id=self.tenant, amount=15000, currency=CURRENCY, method='card',
                                  state='succeeded', created_at=bought, customer_package_id=pack,
                                  provider_ref='pi_demo_pack_pilates')
        self.payments += 1
        package_db.create_customer_package(self.s, tenant_id=self.tenant, customer_id=ada, package_id=massage_pack,
                                           purchased_at=self.now - timedelta(days=3), validity_days=365, amount_paid=0)
        # three classes already taken from the pilates package
        taken, day = 0, self.today - timedelta(days=40)
        while taken < 3 and day < self.today:
            found = self._place(ada, 'pilates', day)
            if found:
                self._book(customer=ada, service='pilates', staff=found[0], start=found[1], status=CONFIRMED,
                           paid='paid', customer_package_id=pack)
                taken += 1
                day += timedelta(days=self.rng.randint(6, 10))
            else:
                day += timedelta(days=1)
        return pack

    def _ada_upcoming(self, ada: int, pack: int) -> None:
        """About eight bookings in the coming weeks, one of each kind the panel must show."""
        plan = (
            # (days ahead, service, status, payment, from the package, preferred local window)
            (2, 'haircut', CONFIRMED, 'unpaid', False, (time(10), time(13))),
            (5, 'pilates', CONFIRMED, 'paid', True, None),
            (8, 'consult', CONFIRMED, 'paid', False, None),
            (11, 'deep', NEW, 'unpaid', False, None),
            (15, 'colour', CONFIRMED, 'deposit', False, None),
            (19, 'pilates', NEW, 'unpaid', False, None),
            (24, 'hotstone', CANCELED, 'unpaid', False, None),
            (30, 'facial', NEW, 'unpaid', False, None),
        )
        for ahead, service, status, paid, from_pack, window in plan:
            day, found = self.today + timedelta(days=ahead), None
            while found is None:
                found = self._place(ada, service, day, prefer=window) or self._place(ada, service, day)
                day += timedelta(days=1)
            self._book(customer=ada, service=service, staff=found[0], start=found[1], status=status, paid=paid,
                       customer_package_id=pack if from_pack else None)

    def _ada_past(self, ada: int, pack: int) -> None:
        statuses = [k for k, n in ADA_PAST_STATUSES.items() for _ in range(n)]
        self.rng.shuffle(statuses)
        services, weights = zip(*ADA_SERVICE_WEIGHTS.items(), strict=True)
        attempts = 0
        while statuses and attempts < 5000:
            attempts += 1
            age = self.rng.randint(1, 728)
            day = self.today - timedelta(days=age)
            service = self.rng.choices(services, weights)[0]
            found = self._place(ada, service, day)
            if found is None:
                continue
            status = statuses.pop()
            self._book(customer=ada, service=service, staff=found[0], start=found[1], status=status,
                       paid=self._past_payment(service, status, age))

    # -- everyone else --

    def _other_customers(self, password_hash: str) -> int:
        services, weights = zip(*OTHER_SERVICE_WEIGHTS.items(), strict=True)
        for i, (first, last, email) in enumerate(OTHER_CUSTOMERS):
            since = self.rng.randint(120, 720)
            customer = self.others[email] = customer_db.create_customer(
                self.s, tenant_id=self.tenant, email=email, first_name=first, last_name=last,
                password_hash=password_hash if email == GRACE_EMAIL else None,
                phone=f'+351 91{i} {self.rng.randint(100, 999)} {self.rng.randint(100, 999)}',
                now=self.now - timedelta(days=since + 10))
            visits = [('past', self.rng.randint(1, since)) for _ in range(self.rng.randint(10, 20))]
            visits += [('upcoming', self.rng.randint(1, 30)) for _ in range(self.rng.randint(3, 6))]
            for when, days in visits:
                day = self.today - timedelta(days=days) if when == 'past' else self.today + timedelta(days=days)
                service = self.rng.choices(services, weights)[0]
                found = self._place(customer, service, day)
                if found is None:
                    continue
                r = self.rng.random()
                if when == 'past':
                    status = CONFIRMED if r < 0.82 else CANCELED if r < 0.92 else NO_SHOW if r < 0.96 else REJECTED
                    paid = self._past_payment(service, status, days)
                else:
                    status = CONFIRMED if r < 0.6 else NEW if r < 0.92 else CANCELED
                    paid = 'deposit' if self.services[service].deposit and status != CANCELED else (
                        'paid' if status == CONFIRMED and self.rng.random() < 0.3 else 'unpaid')
                self._book(customer=customer, service=service, staff=found[0], start=found[1], status=status,
                           paid=paid)
        return len(OTHER_CUSTOMERS)
