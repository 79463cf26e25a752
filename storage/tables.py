"""SQLModel tables. Rows stay in storage: queries hand domain values upward, never these objects.

Every row belongs to a tenant. Times are stored as naive UTC and come back aware (see UTCDateTime).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError('naive datetime given to a UTC column')
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


def tenant_fk() -> Any:
    return Field(foreign_key='tenant.id', index=True)


class Tenant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=sa.Column(sa.String(64), unique=True, nullable=False))
    name: str
    host: str | None = Field(default=None, sa_column=sa.Column(sa.String(255), unique=True, nullable=True))
    timezone: str = 'UTC'
    currency: str = 'EUR'
    booking_url: str = '/book'
    primary_color: str = '#4f46e5'
    dark: bool = False
    logo_url: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))


class TenantVersion(SQLModel, table=True):
    """A random token per business, new on every change to what a booking reads of its setup (set by triggers,
    migration 0020; storage.tenant_reads). Derived, not the business's data: no export carries it, and no foreign key
    (a token must never start again from an old value)."""

    __tablename__ = 'tenant_version'
    __table_args__ = {'info': {'derived': True}}
    tenant_id: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    token: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))


class Location(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    name: str
    address: str = ''
    # Archived (False): kept for the history of its appointments, no longer offered for booking.
    active: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    name: str
    email: str = ''
    avatar_url: str | None = None
    # Archived (False): kept for the history of their appointments, no longer offered for booking.
    active: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.true()))


class StaffPhoto(SQLModel, table=True):
    """A staff member's photo, cleaned by the avatar pipeline (services.avatars): public, as the booking page shows
    it."""

    __tablename__ = 'staff_photo'
    staff_id: int = Field(foreign_key='staff.id', primary_key=True)
    tenant_id: int = tenant_fk()
    content_type: str
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    updated_at: datetime = Field(sa_column=utc_column())


class StaffLocation(SQLModel, table=True):
    __tablename__ = 'staff_location'
    staff_id: int = Field(foreign_key='staff.id', primary_key=True)
    location_id: int = Field(foreign_key='location.id', primary_key=True)


class Service(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    name: str
    category: str = ''
    duration_min: int = 60
    price: int = 0
    deposit: int = 0
    buffer_before_min: int = 0
    buffer_after_min: int = 0
    capacity: int = 1
    slot_step_min: int = 15
    min_notice_min: int = 60
    max_days_ahead: int = 60
    meeting_url: str | None = None
    color: str = '#6366f1'
    active: bool = True


class StaffService(SQLModel, table=True):
    __tablename__ = 'staff_service'
    staff_id: int = Field(foreign_key='staff.id', primary_key=True)
    service_id: int = Field(foreign_key='service.id', primary_key=True)


class WeeklySpan(SQLModel):
    """A span of a staff member's week in the business's wall-clock time (weekday 0 = Monday)."""

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    staff_id: int = Field(foreign_key='staff.id', index=True)
    weekday: int
    start: time
    end: time


class WorkingHours(WeeklySpan, table=True):
    __tablename__ = 'working_hours'


class BreakTime(WeeklySpan, table=True):
    __tablename__ = 'break_time'


class DayOff(SQLModel, table=True):
    __tablename__ = 'day_off'
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    staff_id: int | None = Field(default=None, foreign_key='staff.id', index=True)
    day: date
    reason: str = ''


class SpecialDay(SQLModel, table=True):
    __tablename__ = 'special_day'
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    staff_id: int = Field(foreign_key='staff.id', index=True)
    day: date
    start: time
    end: time


# The roles a business gives to one status at most (domain.model.SINGULAR_ROLES), as the database enforces them.
_SINGULAR_ROLE = sa.text("role IN ('new_booking', 'customer_cancel', 'no_show')")


class Status(SQLModel, table=True):
    __table_args__ = (
        sa.UniqueConstraint('tenant_id', 'key'),
        sa.Index('uq_status_singular_role', 'tenant_id', 'role', unique=True, sqlite_where=_SINGULAR_ROLE,
                 postgresql_where=_SINGULAR_ROLE),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    key: str
    label: str
    color: str
    icon: str
    busy: bool
    position: int = 0
    # What the status means to the rules (domain.model.StatusRole), so the business may rename it freely.
    role: str = Field(default='other', sa_column=sa.Column(sa.String(32), nullable=False, server_default='other'))
    # The label in other languages ({locale: label}); `label` is the default, shown where none is given.
    labels: dict[str, str] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False,
                                                                             server_default='{}'))


class Customer(SQLModel, table=True):
    __table_args__ = (
        # Unique among active accounts only: a deleted account's email can sign up again.
        sa.Index(
            'uq_customer_active_email', 'tenant_id', 'email_norm', unique=True,
            sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'),
        ),
        # The desk's customer search (storage.customer_desk): a prefix of the email, either name or the phone is a
        # range of one of these, on SQLite and PostgreSQL alike; the last-name one also gives the list its order.
        sa.Index('ix_customer_desk_email', 'tenant_id', 'email_norm'),
        sa.Index('ix_customer_desk_last', 'tenant_id', sa.text('lower(last_name)'), sa.text('lower(first_name)')),
        sa.Index('ix_customer_desk_first', 'tenant_id', sa.text('lower(first_name)')),
        sa.Index('ix_customer_desk_phone', 'tenant_id', 'phone'),
        # The desk finds customers by part of a name, email or phone (storage/desk.py): on PostgreSQL a trigram
        # index answers ILIKE '%...%' without reading every customer (pg_trgm, made by migration 0015); on SQLite
        # it is a plain index the search does not need.
        sa.Index('ix_customer_text_trgm', 'first_name', 'last_name', 'email_norm', 'phone', postgresql_using='gin',
                 postgresql_ops={'first_name': 'gin_trgm_ops', 'last_name': 'gin_trgm_ops',
                                 'email_norm': 'gin_trgm_ops', 'phone': 'gin_trgm_ops'}),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    first_name: str = ''
    last_name: str = ''
    email: str
    email_norm: str
    phone: str = ''
    birth_date: date | None = None
    gender: str = ''
    timezone: str | None = None
    # The language the customer chose (a domain.i18n locale); None: their browser's, else the business's default.
    language: str | None = Field(default=None, sa_column=sa.Column(sa.String(16), nullable=True))
    # The customer wants reminder and follow-up emails (Profile); they are on until turned off.
    email_reminders: bool = Field(default=True, sa_column=sa.Column(sa.Boolean, nullable=False,
                                                                    server_default=sa.true()))
    password_hash: str | None = None
    email_verified_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    avatar_version: int = 0
    created_at: datetime = Field(sa_column=utc_column())
    deleted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Avatar(SQLModel, table=True):
    customer_id: int = Field(foreign_key='customer.id', primary_key=True)
    tenant_id: int = tenant_fk()
    content_type: str
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    updated_at: datetime = Field(sa_column=utc_column())


class TenantLogo(SQLModel, table=True):
    """The business's logo as uploaded in the admin area (re-encoded by the avatar pipeline)."""

    __tablename__ = 'tenant_logo'
    tenant_id: int = Field(foreign_key='tenant.id', primary_key=True)
    content_type: str
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    updated_at: datetime = Field(sa_column=utc_column())


class AdminUser(SQLModel, table=True):
    __tablename__ = 'admin_user'
    __table_args__ = (sa.UniqueConstraint('tenant_id', 'email'),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    email: str
    name: str = ''
    password_hash: str
    # domain.admins.AdminRole: 'owner' (everything) or 'manager' (everything but admins and payment settings).
    role: str = Field(default='owner', sa_column=sa.Column(sa.String(16), nullable=False, server_default='owner'))
    # The language the admin chose (a domain.i18n locale); None: their browser's, else the business's default.
    language: str | None = Field(default=None, sa_column=sa.Column(sa.String(16), nullable=True))
    # A removed admin signs in no more; the row stays so the audit log still names who did what.
    removed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AdminInvite(SQLModel, table=True):
    """An owner's invitation of another admin, by an emailed link. Only the HMAC of the link's token is kept."""

    __tablename__ = 'admin_invite'
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    email: str = Field(sa_column=sa.Column(sa.String(320), nullable=False))
    role: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    invited_by: int | None = Field(default=None, foreign_key='admin_user.id')
    token_hash: str = Field(sa_column=sa.Column(sa.String(128), unique=True, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AuditEntry(SQLModel, table=True):
    """Every admin change: who, when, what (an action key and its target) and the values before and after, as data
    (never sentences), written in the change's own transaction (services.audit.record)."""

    __tablename__ = 'audit_entry'
    __table_args__ = (
        sa.Index('ix_audit_entry_tenant_at', 'tenant_id', 'at'),
        sa.Index('ix_audit_entry_tenant_admin_at', 'tenant_id', 'admin_id', 'at'),
        sa.Index('ix_audit_entry_tenant_action_at', 'tenant_id', 'action', 'at'),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = Field(foreign_key='tenant.id')
    admin_id: int | None = Field(default=None, foreign_key='admin_user.id')
    at: datetime = Field(sa_column=utc_column())
    action: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    target: str = Field(default='', sa_column=sa.Column(sa.String(255), nullable=False, server_default=''))
    before: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    after: Any = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))


class Appointment(SQLModel, table=True):
    __table_args__ = (
        # Covers the panel's counts and pages: a customer's appointments by time, with the end and status at hand.
        sa.Index('ix_appointment_customer_start', 'tenant_id', 'customer_id', 'start', 'end', 'status_key'),
        # The panel's counts per status (all and past) in one pass in index order.
        sa.Index('ix_appointment_customer_status', 'tenant_id', 'customer_id', 'status_key', 'end'),
        sa.Index('ix_appointment_staff_start', 'staff_id', 'start'),
        # The desk's list and calendar (storage/desk.py): the business's appointments by time, whole or by one filter.
        sa.Index('ix_appointment_tenant_start', 'tenant_id', 'start'),
        sa.Index('ix_appointment_tenant_staff_start', 'tenant_id', 'staff_id', 'start'),
        sa.Index('ix_appointment_tenant_service_start', 'tenant_id', 'service_id', 'start'),
        sa.Index('ix_appointment_tenant_location_start', 'tenant_id', 'location_id', 'start'),
        sa.Index('ix_appointment_tenant_status_start', 'tenant_id', 'status_key', 'start'),
        sa.Index('ix_appointment_tenant_created', 'tenant_id', 'created_at'),
        # The reminder scheduler's window (services.reminders): appointments starting in the next hours, all tenants.
        sa.Index('ix_appointment_start', 'start'),
    )
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    customer_id: int = Field(foreign_key='customer.id')
    service_id: int = Field(foreign_key='service.id')
    staff_id: int = Field(foreign_key='staff.id')
    location_id: int | None = Field(default=None, foreign_key='location.id')
    start: datetime = Field(sa_column=utc_column())
    end: datetime = Field(sa_column=utc_column())
    seats: int = 1
    status_key: str = 'pending'
    price: int = 0
    deposit: int = 0
    amount_paid: int = 0
    notes: str = ''
    customer_package_id: int | None = Field(default=None, foreign_key='customer_package.id')
    reschedule_count: int = 0
    created_at: datetime = Field(sa_column=utc_column())
    # Who confirmed the visit and when ('customer': from a reminder); read by the admin's calendar.
    confirmed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    confirmed_by: str | None = Field(default=None, sa_column=sa.Column(sa.String(16), nullable=True))


class AppointmentHistory(SQLModel, table=True):
    __tablename__ = 'appointment_history'
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    appointment_id: int = Field(foreign_key='appointment.id', index=True)
    at: datetime = Field(sa_column=utc_column())
    actor: str
    action: str
    # The action's machine values (domain.history): status keys, UTC times, minor units; never a sentence.
    data: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))


class Package(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    name: str
    sessions: int
    price: int
    validity_days: int


class PackageService(SQLModel, table=True):
    __tablename__ = 'package_service'
    package_id: int = Field(foreign_key='package.id', primary_key=True)
    service_id: int = Field(foreign_key='service.id', primary_key=True)


class CustomerPackage(SQLModel, table=True):
    __tablename__ = 'customer_package'
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    customer_id: int = Field(foreign_key='customer.id', index=True)
    package_id: int = Field(foreign_key='package.id')
    purchased_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    amount_paid: int = 0


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    appointment_id: int | None = Field(default=None, foreign_key='appointment.id', index=True)
    customer_package_id: int | None = Field(default=None, foreign_key='customer_package.id', index=True)
    amount: int
    currency: str
    method: str
    state: str = 'pending'
    provider_ref: str = Field(default='', index=True)
    idempotency_key: str = Field(default='', index=True)
    note: str = ''
    created_at: datetime = Field(sa_column=utc_column())
    settled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class WebhookEvent(SQLModel, table=True):
    """Provider events already handled, so a replay or duplicate changes nothing the second time."""

    __tablename__ = 'webhook_event'
    id: str = Field(primary_key=True)
    tenant_id: int | None = Field(default=None, foreign_key='tenant.id')
    type: str
    received_at: datetime = Field(sa_column=utc_column())


class AuthSession(SQLModel, table=True):
    """A signed-in browser. Only the SHA-256 of its token is kept, so a copy of the database signs nobody in."""

    __tablename__ = 'auth_session'
    token_hash: str = Field(primary_key=True)
    tenant_id: int = tenant_fk()
    customer_id: int | None = Field(default=None, foreign_key='customer.id', index=True)
    admin_id: int | None = Field(default=None, foreign_key='admin_user.id', index=True)
    created_at: datetime = Field(sa_column=utc_column())
    last_seen_at: datetime = Field(sa_column=utc_column())  # idle sessions end; refreshed a few times an hour
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AuthToken(SQLModel, table=True):
    """Single-use tokens sent by email (reset, magic link, verification, email change, welcome)."""

    __tablename__ = 'auth_token'
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    customer_id: int = Field(foreign_key='customer.id', index=True)
    purpose: str
    token_hash: str = Field(sa_column=sa.Column(sa.String(128), unique=True, nullable=False))
    payload: str = ''
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class BookingHold(SQLModel, table=True):
    """A guest's booking waiting for a click in the mailbox it names: it occupies the time until `expires_at`, and
    becomes an appointment (and, for a new address, an account) only when confirmed. The link is stored as an HMAC."""

    __tablename__ = 'booking_hold'
    __table_args__ = (sa.Index('ix_booking_hold_staff_start', 'staff_id', 'start'),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    service_id: int = Field(foreign_key='service.id')
    staff_id: int = Field(foreign_key='staff.id')
    location_id: int | None = Field(default=None, foreign_key='location.id')
    start: datetime = Field(sa_column=utc_column())
    end: datetime = Field(sa_column=utc_column())
    seats: int = 1
    email: str
    first_name: str = ''
    last_name: str = ''
    phone: str = ''
    notes: str = ''
    token_hash: str = Field(sa_column=sa.Column(sa.String(128), unique=True, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    # The language the guest booked in: the account a confirmation makes keeps it, and its emails use it
    locale: str | None = Field(default=None, sa_column=sa.Column(sa.String(16), nullable=True))


class Rating(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    appointment_id: int = Field(foreign_key='appointment.id', unique=True)
    customer_id: int = Field(foreign_key='customer.id')
    stars: int
    comment: str = ''
    created_at: datetime = Field(sa_column=utc_column())


class EmailOutbox(SQLModel, table=True):
    """Every email, written in the transaction of the change that causes it and sent afterwards by a sender.

    `content` is the rendered message (From, Date, text, HTML, attachments) and `message_id` its Message-ID, both
    made when the row is written, so a retry or a restart sends the same message; or From, Date and the machine
    values the sender renders the rest from at its first attempt, then kept here
    (services.mail.queue_rendered_later). status: 'queued' (waiting or retrying), 'sent', 'failed' (gave up).
    """

    __tablename__ = 'email_outbox'
    __table_args__ = (sa.Index('ix_email_outbox_due', 'status', 'next_attempt_at'),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    template: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    recipient: str = Field(sa_column=sa.Column(sa.String(320), nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.String(998), nullable=False))
    message_id: str = Field(sa_column=sa.Column(sa.String(255), unique=True, nullable=False))
    content: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    status: str = Field(default='queued', sa_column=sa.Column(sa.String(16), nullable=False))
    attempts: int = 0
    last_error: str = ''
    created_at: datetime = Field(sa_column=utc_column())
    next_attempt_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class EmailTemplate(SQLModel, table=True):
    """A business's own wording of one kind of email in one language (domain.emails); used instead of Kairos's."""

    __tablename__ = 'email_template'
    __table_args__ = (sa.UniqueConstraint('tenant_id', 'kind', 'locale'),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    kind: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    locale: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.String(998), nullable=False))
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    html: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    updated_at: datetime = Field(sa_column=utc_column())


class ReminderSent(SQLModel, table=True):
    """Each reminder (and follow-up) an appointment got, for the start it had then: the unique key makes every one
    go out once, whichever instance claims it; a rescheduled appointment has a new start, so it gets its own.

    kind: 'reminder' or 'follow_up'; minutes_before: which reminder (0 for a follow-up); skipped: handled without an
    email (superseded by a nearer reminder, or due before the booking was made)."""

    __tablename__ = 'reminder_sent'
    __table_args__ = (sa.UniqueConstraint('appointment_id', 'kind', 'for_start', 'minutes_before',
                                          name='uq_reminder_sent'),)
    id: int | None = Field(default=None, primary_key=True)
    tenant_id: int = tenant_fk()
    appointment_id: int = Field(foreign_key='appointment.id')
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    for_start: datetime = Field(sa_column=utc_column())
    minutes_before: int = 0
    skipped: bool = False
    sent_at: datetime = Field(sa_column=utc_column())
