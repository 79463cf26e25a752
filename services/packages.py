"""A customer's packages: what they hold, booking a session from one, and paying for one.

Sessions used are counted, never stored: the appointments booked from the package that still hold their slot
(a canceled or rejected one gives its session back). Booking re-counts inside the booking's own transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from domain import model as d
from domain import payments as dp
from domain.i18n import Said, lazy
from services import payments
from storage import packages as package_db
from storage.db import Database


class PackageRefused(Exception):
    """A package that cannot be used for this, with the reason in words for the customer."""

    def __init__(self, message: Said) -> None:
        super().__init__(str(message))
        self.message = message


def sells_packages(db: Database, *, tenant_id: int) -> bool:
    """Whether the business offers packages at all (the Packages view shows only then)."""
    with db.read() as s:
        return package_db.tenant_sells_packages(s, tenant_id=tenant_id)


def customer_packages(db: Database, *, tenant_id: int, customer_id: int) -> list[d.CustomerPackage]:
    """The customer's packages, newest first, with the sessions used counted now."""
    with db.read() as s:
        return package_db.customer_packages(s, tenant_id=tenant_id, customer_id=customer_id)


def package_for_booking(db: Database, *, tenant_id: int, customer_id: int, customer_package_id: int,
                        now: datetime) -> d.CustomerPackage:
    """The package the booking page books from, or PackageRefused when it is not theirs, expired or used up.

    The booking page restricts its services to `package.service_ids` and charges nothing. This is the early check
    for showing the page; the booking transaction must still call `claim_session`.
    """
    with db.read() as s:
        return _usable(s, tenant_id=tenant_id, customer_id=customer_id, customer_package_id=customer_package_id,
                       service_id=None, now=now, lock=False)


def claim_session(session: Session, *, tenant_id: int, customer_id: int, customer_package_id: int, service_id: int,
                  now: datetime) -> d.CustomerPackage:
    """Inside the booking's write transaction (`with db.write() as s:`), before inserting the appointment: hold the
    package, re-count its sessions used and refuse (PackageRefused) when it is not theirs, expired, used up or does
    not include the service. Then insert the appointment with customer_package_id set, price 0 and deposit 0, in the
    same transaction: two tabs cannot overdraw the package, because the second waits (SQLite's write lock, or the
    row lock on PostgreSQL) and then counts the first one's appointment."""
    return _usable(session, tenant_id=tenant_id, customer_id=customer_id, customer_package_id=customer_package_id,
                   service_id=service_id, now=now, lock=True)


def _usable(s: Session, *, tenant_id: int, customer_id: int, customer_package_id: int, service_id: int | None,
            now: datetime, lock: bool) -> d.CustomerPackage:
    if lock:
        package_db.lock_customer_package(s, tenant_id=tenant_id, customer_id=customer_id,
                                         customer_package_id=customer_package_id)
    cp = package_db.customer_package(s, tenant_id=tenant_id, customer_id=customer_id,
                                     customer_package_id=customer_package_id)
    if cp is None:
        raise PackageRefused(lazy('That package was not found.'))
    reason = dp.why_not_book_from_package(cp, service_id=service_id, now=now)
    if reason:
        raise PackageRefused(reason)
    return cp


def pay_package(db: Database, *, tenant_id: int, customer_id: int, customer_package_id: int, success_url: str,
                cancel_url: str, now: datetime) -> str:
    """Start a Stripe Checkout for an unpaid package; returns the address to send the browser to."""
    return payments.start_checkout(db, tenant_id=tenant_id, customer_id=customer_id,
                                   customer_package_id=customer_package_id, success_url=success_url,
                                   cancel_url=cancel_url, now=now)
