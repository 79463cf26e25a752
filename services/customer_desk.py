"""The front desk's customers and packages: search, a customer's file, create (with the welcome link), edit,
close, ratings, the package catalog and selling a package; and the customers CSV.

Every function is called through the admin shell's `act` (session and role checked first) with `tenant_id` and
`admin_id`; each checks values with the domain (domain.customer_desk, domain.accounts) on the server and writes in one
transaction with its audit entry (services.audit).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain import customer_desk as rules
from domain import history as dh
from domain import model as d
from domain.accounts import ProfileInput, profile_problems
from domain.customer_desk import PAGE_SIZE, CustomerInput, PackageInput
from domain.desk import csv_cell
from domain.i18n import Text, lazy
from services import accounts, audit
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage import customer_desk as desk_db
from storage import customers as customer_db
from storage import packages as package_db
from storage import tenants as tenant_db
from storage.customer_desk import CustomerPage as CustomerPage
from storage.customer_desk import RatingSummary as RatingSummary
from storage.db import Database

NOT_FOUND = lazy('That was not found in this business. Reload the page.')
EMAIL_TAKEN = lazy('Another customer already uses this email.')


class DeskRefused(Exception):
    """A refusal with the reasons: one per field that is wrong, or one for the whole form (key '')."""

    def __init__(self, problems: dict[str, Text] | Text) -> None:
        self.problems: dict[str, Text] = dict(problems) if isinstance(problems, dict) else {'': problems}
        super().__init__('; '.join(f'{k}: {v}' if k else str(v) for k, v in self.problems.items()))

    @property
    def message(self) -> Text:
        return next(iter(self.problems.values()))


# ---- search and export --------------------------------------------------------------------------------------------


def search(db: Database, *, tenant_id: int, admin_id: int | None, query: str, page: int = 0,
           page_size: int = PAGE_SIZE) -> CustomerPage:
    """One page of the customers whose email, name or phone starts with `query` (every customer when empty)."""
    with db.read() as s:
        return desk_db.search_customers(s, tenant_id=tenant_id, terms=rules.search_terms(query), page=page,
                                        page_size=page_size)


CSV_COLUMNS = ('id', 'first_name', 'last_name', 'email', 'phone', 'birth_date', 'language', 'created_at',
               'closed_at')


def customers_csv(db: Database, *, tenant_id: int, admin_id: int | None, query: str) -> str:
    """Every customer the search finds as CSV (the columns of CSV_COLUMNS; times in UTC, ISO 8601), each cell safe
    to open in a spreadsheet (domain.customer_desk.csv_cell)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with db.read() as s:
        for c in desk_db.iter_customers(s, tenant_id=tenant_id, terms=rules.search_terms(query)):
            writer.writerow([csv_cell(v) for v in (
                c.id, c.first_name, c.last_name, c.email, c.phone, c.birth_date.isoformat() if c.birth_date else '',
                c.language or '', c.created_at.isoformat() if c.created_at else '',
                c.deleted_at.isoformat() if c.deleted_at else '')])
    return out.getvalue()


# ---- a customer's file ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerFile:
    """What the desk sees of one customer: profile, appointments (newest first), packages and their ratings."""

    customer: d.Customer
    appointments: list[d.Appointment]
    packages: list[d.CustomerPackage]
    staff_ratings: list[RatingSummary]
    service_ratings: list[RatingSummary]


def customer_file(db: Database, *, tenant_id: int, admin_id: int | None, customer_id: int) -> CustomerFile:
    with db.read() as s:
        customer = customer_db.customer(s, tenant_id=tenant_id, customer_id=customer_id)
        if customer is None:
            raise DeskRefused(NOT_FOUND)
        statuses = tenant_db.statuses(s, tenant_id=tenant_id)
        return CustomerFile(
            customer=customer,
            appointments=appointment_db.customer_appointments(s, tenant_id=tenant_id, customer_id=customer_id,
                                                              status_list=statuses),
            packages=package_db.customer_packages(s, tenant_id=tenant_id, customer_id=customer_id),
            staff_ratings=desk_db.ratings_by(s, tenant_id=tenant_id, by='staff', customer_id=customer_id),
            service_ratings=desk_db.ratings_by(s, tenant_id=tenant_id, by='service', customer_id=customer_id))


def create_customer(db: Database, *, tenant_id: int, admin_id: int | None, value: CustomerInput,
                    now: datetime) -> int:
    """A new customer account without a password; the welcome email with its one-time link to choose one goes in
    the same transaction. DeskRefused with the reasons (a field, or an email another active account uses)."""
    value = _clean(value)
    problems = rules.customer_problems(value)
    if problems:
        raise DeskRefused(problems)
    with db.write() as s:
        if customer_db.email_in_use(s, tenant_id=tenant_id, email=value.email):
            raise DeskRefused({'email': EMAIL_TAKEN})
        customer = customer_db.insert_customer(s, tenant_id=tenant_id, email=value.email,
                                               first_name=value.first_name, last_name=value.last_name,
                                               phone=value.phone, password_hash=None, verified_at=None, now=now)
        accounts.queue_welcome(s, tenant_id=tenant_id, customer=customer, now=now)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='customer.create', target=value.email,
                     after=_record(value), now=now)
    return customer.id


def update_customer(db: Database, *, tenant_id: int, admin_id: int | None, customer_id: int, value: CustomerInput,
                    birth_date: date | None = None, today: date, now: datetime) -> None:
    """Change an open account's names, email and phone (and date of birth). A new email is taken as the desk typed
    it (the desk vouches for it, as services.accounts does when a customer confirms a change); DeskRefused otherwise."""
    value = _clean(value)
    problems = {**rules.customer_problems(value),
                **profile_problems(ProfileInput(first_name=value.first_name, last_name=value.last_name,
                                                phone=value.phone, birth_date=birth_date), today=today)}
    if problems:
        raise DeskRefused(problems)
    with db.write() as s:
        old = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
        if old is None:
            raise DeskRefused(NOT_FOUND)
        if customer_db.email_in_use(s, tenant_id=tenant_id, email=value.email, except_id=customer_id):
            raise DeskRefused({'email': EMAIL_TAKEN})
        customer_db.update_profile(s, tenant_id=tenant_id, customer_id=customer_id, first_name=value.first_name,
                                   last_name=value.last_name, phone=value.phone, birth_date=birth_date,
                                   gender=old.gender)
        if customer_db.normalise_email(value.email) != customer_db.normalise_email(old.email):
            customer_db.change_email(s, tenant_id=tenant_id, customer_id=customer_id, email=value.email, now=now)
        before = _record(CustomerInput(first_name=old.first_name, last_name=old.last_name, email=old.email,
                                       phone=old.phone))
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='customer.update', target=value.email,
                     before={**before, 'birth_date': old.birth_date.isoformat() if old.birth_date else None},
                     after={**_record(value), 'birth_date': birth_date.isoformat() if birth_date else None}, now=now)


def close_customer(db: Database, *, tenant_id: int, admin_id: int | None, customer_id: int, now: datetime) -> int:
    """Close the account as the customer's own deletion does (services.accounts.close_account_in: sessions and
    links end, upcoming busy appointments canceled with their history "by the staff" and the staff told).
    Returns how many appointments were canceled."""
    with db.write() as s:
        customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
        canceled = None if customer is None else accounts.close_account_in(
            s, tenant_id=tenant_id, customer_id=customer_id, now=now, actor=dh.STAFF)
        if customer is None or canceled is None:
            raise DeskRefused(NOT_FOUND)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='customer.close', target=customer.email,
                     before={'closed': False}, after={'closed': True, 'canceled': [a.id for a in canceled]}, now=now)
        zone = ZoneInfo(tenant_db.tenant_timezone(s, tenant_id=tenant_id))
    accounts.after_close(db, tenant_id=tenant_id, customer_id=customer_id, canceled=canceled, now=now, zone=zone)
    return len(canceled)


def _clean(value: CustomerInput) -> CustomerInput:
    return CustomerInput(first_name=value.first_name.strip(), last_name=value.last_name.strip(),
                         email=value.email.strip(), phone=value.phone.strip())


def _record(value: CustomerInput) -> dict[str, str]:
    return {'first_name': value.first_name, 'last_name': value.last_name, 'email': value.email,
            'phone': value.phone}


# ---- ratings ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ratings:
    staff: list[RatingSummary]
    services: list[RatingSummary]


def ratings(db: Database, *, tenant_id: int, admin_id: int | None) -> Ratings:
    """The customers' ratings per staff member and per service: how many and the average."""
    with db.read() as s:
        return Ratings(staff=desk_db.ratings_by(s, tenant_id=tenant_id, by='staff'),
                       services=desk_db.ratings_by(s, tenant_id=tenant_id, by='service'))


# ---- packages -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PackageCatalog:
    packages: list[d.Package]
    services: list[d.Service]  # archived ones too (a package may still name one)


def package_catalog(db: Database, *, tenant_id: int, admin_id: int | None) -> PackageCatalog:
    with db.read() as s:
        return PackageCatalog(packages=desk_db.packages(s, tenant_id=tenant_id),
                              services=catalog_db.catalog(s, tenant_id=tenant_id).services)


def save_package(db: Database, *, tenant_id: int, admin_id: int | None, value: PackageInput,
                 package_id: int | None = None, now: datetime) -> int:
    """Create (`package_id` None) or change a package of the catalog; DeskRefused with the reasons. A change does
    not touch packages already sold (their validity and price were fixed when sold)."""
    value = PackageInput(name=value.name.strip(), sessions=value.sessions, price=value.price,
                         validity_days=value.validity_days, service_ids=tuple(sorted(set(value.service_ids))))
    after = {'name': value.name, 'sessions': value.sessions, 'price': value.price,
             'validity_days': value.validity_days, 'service_ids': list(value.service_ids)}
    with db.write() as s:
        service_ids, _, _ = catalog_db.catalog_ids(s, tenant_id=tenant_id)
        problems = rules.package_problems(value, service_ids=service_ids)
        if problems:
            raise DeskRefused(problems)
        before = None
        if package_id is None:
            package_id = package_db.create_package(s, tenant_id=tenant_id, name=value.name, sessions=value.sessions,
                                                   price=value.price, validity_days=value.validity_days,
                                                   service_ids=value.service_ids)
        else:
            old = next((p for p in desk_db.packages(s, tenant_id=tenant_id) if p.id == package_id), None)
            if old is None:
                raise DeskRefused(NOT_FOUND)
            before = {'name': old.name, 'sessions': old.sessions, 'price': old.price,
                      'validity_days': old.validity_days, 'service_ids': list(old.service_ids)}
            desk_db.update_package(s, tenant_id=tenant_id, package_id=package_id, name=value.name,
                                   sessions=value.sessions, price=value.price, validity_days=value.validity_days,
                                   service_ids=value.service_ids)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id,
                     action='package.create' if before is None else 'package.update', target=value.name,
                     before=before, after=after, now=now)
    return package_id


def sell_package(db: Database, *, tenant_id: int, admin_id: int | None, customer_id: int, package_id: int,
                 paid: bool, now: datetime) -> int:
    """Sell a package of the catalog to an open account: paid at the desk, or left unpaid for the customer to pay
    in the panel (its Packages view offers to pay). Returns the customer's package id."""
    with db.write() as s:
        customer = customer_db.active_customer(s, tenant_id=tenant_id, customer_id=customer_id)
        package = next((p for p in desk_db.packages(s, tenant_id=tenant_id) if p.id == package_id), None)
        if customer is None or package is None:
            raise DeskRefused(NOT_FOUND)
        sold = desk_db.sell_package(s, tenant_id=tenant_id, customer_id=customer_id, package=package, now=now,
                                    paid=paid)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='package.sell', target=customer.email,
                     after={'package': package.name, 'paid': package.price if paid else 0}, now=now)
    return sold
