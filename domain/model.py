"""The business as plain values: tenants, people, services, appointments, packages and payments.

Every value is a frozen dataclass built by storage from rows; nothing here touches a database or a clock.
Times are aware datetimes in UTC; money is integer minor units in the tenant's currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.i18n import N_, Text, lazy


class PaymentStatus(StrEnum):
    UNPAID = 'unpaid'
    DEPOSIT_PAID = 'deposit_paid'
    PAID = 'paid'


class PaymentState(StrEnum):
    PENDING = 'pending'
    SUCCEEDED = 'succeeded'
    FAILED = 'failed'
    FLAGGED = 'flagged'  # money arrived that does not match what was asked: held for a person to look at
    REFUNDED = 'refunded'  # the business gave the money back (a card payment through Stripe)


@dataclass(frozen=True, slots=True, kw_only=True)
class Branding:
    primary_color: str = '#4f46e5'
    dark: bool = False
    logo_url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Tenant:
    id: int
    slug: str
    name: str
    timezone: str
    currency: str
    host: str | None = None
    booking_url: str = '/book'
    branding: Branding = field(default_factory=Branding)


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    id: int
    name: str
    address: str = ''
    active: bool = True  # archived (False): kept for history, no longer bookable


@dataclass(frozen=True, slots=True, kw_only=True)
class Staff:
    id: int
    name: str
    email: str = ''
    avatar_url: str | None = None
    location_ids: tuple[int, ...] = ()
    service_ids: tuple[int, ...] = ()
    active: bool = True  # archived (False): kept for history, no longer bookable


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    id: int
    name: str
    category: str = ''
    duration: timedelta = timedelta(minutes=60)
    price: int = 0
    deposit: int = 0
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    capacity: int = 1
    slot_step: timedelta = timedelta(minutes=15)
    min_notice: timedelta = timedelta(hours=1)
    max_days_ahead: int = 60
    meeting_url: str | None = None
    color: str = '#6366f1'
    active: bool = True  # archived (False): kept for history, no longer bookable

    @property
    def is_group(self) -> bool:
        """A service with more than one seat per slot is a group class."""
        return self.capacity > 1

    @property
    def is_online(self) -> bool:
        """A service with a meeting link happens online."""
        return bool(self.meeting_url)


class StatusRole(StrEnum):
    """What a status means to the rules, whatever the business calls it: code reads the role, never the key."""

    NEW_BOOKING = 'new_booking'  # new bookings get it; it holds the slot while it waits for the business to confirm
    CONFIRMED = 'confirmed'  # the business confirmed the visit
    CUSTOMER_CANCEL = 'customer_cancel'  # what a customer's cancel sets (and closing an account, on what is ahead)
    REJECTED = 'rejected'  # the business declined the booking
    NO_SHOW = 'no_show'  # the customer did not come: it held the slot, but the visit did not take place
    OTHER = 'other'  # a status of the business's own, with no special meaning to the rules


# A business has at most one status with each of these roles: the rules pick "the" status of the role.
SINGULAR_ROLES = frozenset({StatusRole.NEW_BOOKING, StatusRole.CUSTOMER_CANCEL, StatusRole.NO_SHOW})


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    key: str
    label: str
    color: str
    icon: str
    busy: bool  # it occupies the slot: nobody else may book that time
    role: StatusRole = StatusRole.OTHER
    # The business's own label in other languages (locale -> label); `label` is the default, shown where none is
    # given (services.statuses.in_language picks the reader's).
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)

    def own_label(self, locale: str) -> str | None:
        """The label the business gave this status in `locale`, None when it gave none."""
        return self.labels.get(locale) or None

    @property
    def completes(self) -> bool:
        """An appointment that is over in this status took place: it held its slot and it is not a no-show."""
        return self.busy and self.role != StatusRole.NO_SHOW


DEFAULT_STATUSES: tuple[Status, ...] = (
    Status(key='pending', label=N_('Pending'), color='#b45309', icon='hourglass_empty', busy=True,
           role=StatusRole.NEW_BOOKING),
    Status(key='approved', label=N_('Approved'), color='#15803d', icon='check_circle', busy=True,
           role=StatusRole.CONFIRMED),
    Status(key='canceled', label=N_('Canceled'), color='#6b7280', icon='cancel', busy=False,
           role=StatusRole.CUSTOMER_CANCEL),
    Status(key='rejected', label=N_('Rejected'), color='#b91c1c', icon='block', busy=False, role=StatusRole.REJECTED),
    Status(key='no-show', label=N_('No-show'), color='#7c3aed', icon='person_off', busy=True, role=StatusRole.NO_SHOW),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    id: int
    tenant_id: int
    first_name: str
    last_name: str
    email: str
    phone: str = ''
    birth_date: date | None = None
    gender: str = ''
    avatar_url: str | None = None
    timezone: str | None = None
    language: str | None = None  # their own choice; None: chosen per visit (services.i18n.choose_locale)
    email_reminders: bool = True  # reminder and follow-up emails (domain.reminders)
    has_password: bool = False
    email_verified: bool = False
    created_at: datetime | None = None
    deleted_at: datetime | None = None

    @property
    def full_name(self) -> str:
        return f'{self.first_name} {self.last_name}'.strip()

    @property
    def active(self) -> bool:
        """A deleted account can neither sign in nor book."""
        return self.deleted_at is None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEntry:
    """One thing that happened to an appointment, as data: who, when, which action, and its machine values (status
    keys, UTC times in ISO-8601, amounts in minor units with their currency). domain.history makes them and says
    them in words."""

    at: datetime
    actor: str  # 'customer', 'staff', 'admin', 'system'
    action: str  # 'booked', 'rescheduled', 'status_changed', 'paid', ... (domain.history.ACTIONS)
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Appointment:
    id: int
    customer_id: int
    service: Service
    staff: Staff
    location: Location | None
    start: datetime
    end: datetime
    status: Status
    price: int
    amount_paid: int = 0
    deposit: int = 0
    seats: int = 1
    notes: str = ''
    customer_package_id: int | None = None
    reschedule_count: int = 0
    created_at: datetime | None = None
    history: tuple[HistoryEntry, ...] = ()

    @property
    def amount_due(self) -> int:
        """What the customer still owes (see `amount_due`)."""
        return amount_due(price=self.price, paid=self.amount_paid)

    @property
    def payment_status(self) -> PaymentStatus:
        """Paid when nothing is due; deposit paid once the deposit (or more) arrived; otherwise unpaid."""
        return payment_status(price=self.price, deposit=self.deposit, paid=self.amount_paid)

    def is_upcoming(self, now: datetime) -> bool:
        """Upcoming means it starts in the future."""
        return self.start > now

    def is_past(self, now: datetime) -> bool:
        """Past means it has already ended."""
        return self.end <= now

    def is_completed(self, now: datetime) -> bool:
        """Completed means it is over and its status says the visit took place (Status.completes)."""
        return self.is_past(now) and self.status.completes


def amount_due(*, price: int, paid: int) -> int:
    """What is still owed: the price less what was paid, never below zero."""
    return max(price - paid, 0)


def payment_status(*, price: int, deposit: int, paid: int) -> PaymentStatus:
    """Paid when nothing is due; deposit paid once the deposit (or more) arrived; otherwise unpaid."""
    if paid >= price:
        return PaymentStatus.PAID
    if paid > 0 and paid >= deposit:
        return PaymentStatus.DEPOSIT_PAID
    return PaymentStatus.UNPAID


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    id: int
    name: str
    sessions: int
    price: int
    validity_days: int
    service_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerPackage:
    id: int
    customer_id: int
    package: Package
    purchased_at: datetime
    expires_at: datetime
    sessions_used: int
    amount_paid: int

    @property
    def sessions_left(self) -> int:
        return max(self.package.sessions - self.sessions_used, 0)

    @property
    def paid(self) -> bool:
        return self.amount_paid >= self.package.price

    def is_expired(self, now: datetime) -> bool:
        """A package can be used until its expiry instant."""
        return now >= self.expires_at

    def why_not_schedule(self, now: datetime) -> Text | None:
        """None when a session may be booked from this package; otherwise the reason."""
        if self.is_expired(now):
            return lazy('This package has expired.')
        if self.sessions_left <= 0:
            return lazy('All sessions of this package are used.')
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    id: int
    amount: int
    currency: str
    method: str
    state: PaymentState
    created_at: datetime  # when the attempt started (a checkout opened, an in-person payment recorded)
    settled_at: datetime | None = None  # when it stopped being pending: paid, failed or flagged
    appointment_id: int | None = None
    customer_package_id: int | None = None
    provider_ref: str = ''
    note: str = ''  # domain.i18n.text_to_data of Kairos's words (payment_note shows it), or a person's own words


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldBooking:
    """A guest's booking that waits for a click in the mailbox it names; it holds the time until `expires_at`."""

    id: int
    service_id: int
    service_name: str
    staff_id: int
    location_id: int | None
    start: datetime
    end: datetime
    seats: int
    email: str
    first_name: str
    last_name: str
    phone: str
    notes: str
    expires_at: datetime
    locale: str | None = None  # the language the guest booked in (None: not known)
