"""A small, readable business for tests: one studio, two staff, a few services, Ada and Bob."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from domain.settings import PanelSettings
from services import auth
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import customers as customer_db
from storage import tenants as tenant_db
from storage.db import Database

WEEK = {day: [(time(9), time(12)), (time(13), time(18))] for day in range(6)}


@dataclass
class World:
    tenant_id: int
    ada: int
    bob: int
    services: dict[str, int]
    staff: dict[str, int]
    locations: dict[str, int]
    appointments: dict[str, int] = field(default_factory=dict)


def seed_world(db: Database, *, now: datetime | None = None, settings: PanelSettings | None = None,
               tz: str = 'Europe/Berlin', slug: str = 'default', host: str | None = None,
               ada_email: str = 'ada@example.com') -> World:
    now = now or datetime.now(UTC)
    with db.write() as s:
        tenant = tenant_db.create_tenant(s, slug=slug, name='Lumen Studio', timezone=tz, host=host, settings=settings)
        main = catalog_db.create_location(s, tenant_id=tenant, name='Main Street 1')
        park = catalog_db.create_location(s, tenant_id=tenant, name='Park Avenue 9')
        cut = catalog_db.create_service(s, tenant_id=tenant, name='Haircut', duration_min=45, price=4500)
        colour = catalog_db.create_service(s, tenant_id=tenant, name='Colour & cut', duration_min=120, price=12000,
                                           deposit=3000)
        yoga = catalog_db.create_service(s, tenant_id=tenant, name='Pilates mat class', duration_min=60, price=2000,
                                         capacity=6)
        mia = catalog_db.create_staff(s, tenant_id=tenant, name='Mia Wong', service_ids=[cut, colour],
                                      location_ids=[main], weekly=WEEK)
        leo = catalog_db.create_staff(s, tenant_id=tenant, name='Leo Park', service_ids=[cut, yoga],
                                      location_ids=[main, park], weekly=WEEK)
        ada = customer_db.create_customer(s, tenant_id=tenant, email=ada_email, first_name='Ada', last_name='Lovelace',
                                          password_hash=auth.hash_password('kairos-demo'),
                                          now=now - timedelta(days=400))
        bob = customer_db.create_customer(s, tenant_id=tenant, email='bob@example.com', first_name='Bob',
                                          last_name='Byte',
                                          password_hash=auth.hash_password('bob-password'),
                                          now=now - timedelta(days=30))
        world = World(tenant_id=tenant, ada=ada, bob=bob, services={'cut': cut, 'colour': colour, 'yoga': yoga},
                      staff={'mia': mia, 'leo': leo}, locations={'main': main, 'park': park})
    return world


def at(now: datetime, days: int, hour: int = 10) -> datetime:
    """A whole hour `days` from now (UTC), clear of any 'now' edge."""
    base = (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return base


def open_at(now: datetime, days: int, hour: int = 10) -> datetime:
    """Like `at`, but on a day the seeded staff work (WEEK: Monday to Saturday), for what books through the rules:
    the first such day at least `days` from now."""
    start = at(now, days, hour)
    while start.weekday() not in WEEK:
        start += timedelta(days=1)
    return start


def add_appointment(db: Database, world: World, *, customer: int | None = None, service: str = 'cut',
                    staff: str = 'mia', start: datetime, status: str = 'approved', paid: int = 0,
                    location: str = 'main', minutes: int = 45, price: int = 4500, deposit: int = 0) -> int:
    with db.write() as s:
        return appointment_db.create_appointment(
            s, tenant_id=world.tenant_id, customer_id=customer or world.ada, service_id=world.services[service],
            staff_id=world.staff[staff], location_id=world.locations[location], start=start,
            duration=timedelta(minutes=minutes), status_key=status, price=price, deposit=deposit, amount_paid=paid)


ADMIN_PASSWORD = 'kairos-admin'


def add_admin(db: Database, world: World, *, email: str = 'owner@example.com', password: str = ADMIN_PASSWORD,
              name: str = 'Olga Owner', role: str = 'owner') -> int:
    """An admin of the world's business (owner unless told)."""
    from domain.admins import AdminRole
    from storage import admins as admin_db

    with db.write() as s:
        return admin_db.create_admin(s, tenant_id=world.tenant_id, email=email, name=name, role=AdminRole(role),
                                     password_hash=auth.hash_password(password))
