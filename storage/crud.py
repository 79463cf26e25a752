"""Keyword-only writes for the business's own data (tenants, staff, services, schedules, customers...).

Used by demo data, the admin command line and tests. Each returns the new row's id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from domain import history as dh
from domain import model as d
from domain.settings import PanelSettings, SettingsError
from domain.web import color_problem, url_problem
from storage import tables as t
from storage.queries import normalise_email


def create_tenant(session: Session, *, slug: str, name: str, timezone: str = 'UTC', currency: str = 'EUR',
                  host: str | None = None, booking_url: str = '/book', settings: PanelSettings | None = None,
                  statuses: Sequence[d.Status] = d.DEFAULT_STATUSES, primary_color: str = '#4f46e5') -> int:
    _check_links(('booking_url', booking_url, True), colours=(('primary_color', primary_color),))
    row = t.Tenant(slug=slug, name=name, timezone=timezone, currency=currency, host=host.lower() if host else None,
                   booking_url=booking_url, primary_color=primary_color,
                   settings=(settings or PanelSettings(booking_url=booking_url)).to_dict())
    session.add(row)
    session.flush()
    assert row.id is not None
    for i, status in enumerate(statuses):
        _check_links(colours=(('The status colour', status.color),))
        session.add(t.Status(tenant_id=row.id, key=status.key, label=status.label, color=status.color,
                             icon=status.icon, busy=status.busy, position=i))
    session.flush()
    return row.id


def _check_links(*links: tuple[str, str | None, bool], colours: Sequence[tuple[str, str]] = ()) -> None:
    """A link or colour the business saves must be one our pages may draw (domain.web): refused with the reason."""
    for label, value, allow_path in links:
        problem = url_problem(value, label=label, allow_path=allow_path)
        if problem:
            raise SettingsError(problem)
    for label, colour in colours:
        problem = color_problem(colour, label=label)
        if problem:
            raise SettingsError(problem)


def update_branding(session: Session, *, tenant_id: int, primary_color: str | None = None,
                    dark: bool | None = None) -> d.Branding:
    """Change the business's primary colour and/or theme (the caller has checked the colour); returns the result."""
    row = session.get(t.Tenant, tenant_id)
    assert row is not None
    if primary_color is not None:
        row.primary_color = primary_color
    if dark is not None:
        row.dark = dark
    session.add(row)
    session.flush()
    return d.Branding(primary_color=row.primary_color, dark=row.dark, logo_url=row.logo_url)


def create_location(session: Session, *, tenant_id: int, name: str, address: str = '') -> int:
    row = t.Location(tenant_id=tenant_id, name=name, address=address)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def create_service(session: Session, *, tenant_id: int, name: str, duration_min: int = 60, price: int = 0,
                   deposit: int = 0, category: str = '', capacity: int = 1, slot_step_min: int = 15,
                   buffer_before_min: int = 0, buffer_after_min: int = 0, min_notice_min: int = 60,
                   max_days_ahead: int = 60, meeting_url: str | None = None, color: str = '#6366f1') -> int:
    _check_links(('The meeting link', meeting_url, False), colours=(('The service colour', color),))
    row = t.Service(tenant_id=tenant_id, name=name, duration_min=duration_min, price=price, deposit=deposit,
                    category=category, capacity=capacity, slot_step_min=slot_step_min,
                    buffer_before_min=buffer_before_min, buffer_after_min=buffer_after_min,
                    min_notice_min=min_notice_min, max_days_ahead=max_days_ahead, meeting_url=meeting_url,
                    color=color)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def create_staff(session: Session, *, tenant_id: int, name: str, email: str = '', avatar_url: str | None = None,
                 location_ids: Iterable[int] = (), service_ids: Iterable[int] = (),
                 weekly: dict[int, Sequence[tuple[time, time]]] | None = None,
                 breaks: dict[int, Sequence[tuple[time, time]]] | None = None) -> int:
    """A staff member with their locations, services, weekly hours (weekday -> intervals) and breaks."""
    _check_links(('The staff photo', avatar_url, True))
    row = t.Staff(tenant_id=tenant_id, name=name, email=email, avatar_url=avatar_url)
    session.add(row)
    session.flush()
    assert row.id is not None
    for location_id in location_ids:
        session.add(t.StaffLocation(staff_id=row.id, location_id=location_id))
    for service_id in service_ids:
        session.add(t.StaffService(staff_id=row.id, service_id=service_id))
    for weekday, intervals in (weekly or {}).items():
        for start, end in intervals:
            session.add(t.WorkingHours(tenant_id=tenant_id, staff_id=row.id, weekday=weekday, start=start, end=end))
    for weekday, intervals in (breaks or {}).items():
        for start, end in intervals:
            session.add(t.BreakTime(tenant_id=tenant_id, staff_id=row.id, weekday=weekday, start=start, end=end))
    session.flush()
    return row.id


def create_day_off(session: Session, *, tenant_id: int, day: date, staff_id: int | None = None,
                   reason: str = '') -> None:
    session.add(t.DayOff(tenant_id=tenant_id, staff_id=staff_id, day=day, reason=reason))


def create_special_day(session: Session, *, tenant_id: int, staff_id: int, day: date, start: time, end: time) -> None:
    session.add(t.SpecialDay(tenant_id=tenant_id, staff_id=staff_id, day=day, start=start, end=end))


def create_customer(session: Session, *, tenant_id: int, email: str, first_name: str = '', last_name: str = '',
                    password_hash: str | None = None, phone: str = '', now: datetime,
                    verified: bool = True, timezone: str | None = None) -> int:
    row = t.Customer(tenant_id=tenant_id, email=email.strip(), email_norm=normalise_email(email),
                     first_name=first_name, last_name=last_name, password_hash=password_hash, phone=phone,
                     created_at=now, email_verified_at=now if verified else None, timezone=timezone)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def create_admin(session: Session, *, tenant_id: int, email: str, password_hash: str, name: str = '') -> int:
    row = t.AdminUser(tenant_id=tenant_id, email=normalise_email(email), password_hash=password_hash, name=name)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def create_appointment(session: Session, *, tenant_id: int, customer_id: int, service_id: int, staff_id: int,
                       start: datetime, duration: timedelta, location_id: int | None = None,
                       status_key: str = 'approved', price: int = 0, deposit: int = 0, amount_paid: int = 0,
                       seats: int = 1, notes: str = '', customer_package_id: int | None = None,
                       created_at: datetime | None = None, actor: str = 'system') -> int:
    """An appointment with its first history entry ('booked')."""
    row = t.Appointment(tenant_id=tenant_id, customer_id=customer_id, service_id=service_id, staff_id=staff_id,
                        location_id=location_id, start=start, end=start + duration, status_key=status_key,
                        price=price, deposit=deposit, amount_paid=amount_paid, seats=seats, notes=notes,
                        customer_package_id=customer_package_id, created_at=created_at or start - timedelta(days=7))
    session.add(row)
    session.flush()
    assert row.id is not None
    first = dh.booked(at=row.created_at, actor=actor, status=status_key)
    session.add(t.AppointmentHistory(tenant_id=tenant_id, appointment_id=row.id, at=first.at, actor=first.actor,
                                     action=first.action, data=dict(first.data)))
    return row.id


def create_package(session: Session, *, tenant_id: int, name: str, sessions: int, price: int, validity_days: int,
                   service_ids: Iterable[int]) -> int:
    row = t.Package(tenant_id=tenant_id, name=name, sessions=sessions, price=price, validity_days=validity_days)
    session.add(row)
    session.flush()
    assert row.id is not None
    for service_id in service_ids:
        session.add(t.PackageService(package_id=row.id, service_id=service_id))
    session.flush()
    return row.id


def create_customer_package(session: Session, *, tenant_id: int, customer_id: int, package_id: int,
                            purchased_at: datetime, validity_days: int, amount_paid: int = 0) -> int:
    row = t.CustomerPackage(tenant_id=tenant_id, customer_id=customer_id, package_id=package_id,
                            purchased_at=purchased_at, expires_at=purchased_at + timedelta(days=validity_days),
                            amount_paid=amount_paid)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def create_payment(session: Session, *, tenant_id: int, amount: int, currency: str, method: str, state: str,
                   created_at: datetime, appointment_id: int | None = None, customer_package_id: int | None = None,
                   provider_ref: str = '', note: str = '') -> int:
    row = t.Payment(tenant_id=tenant_id, appointment_id=appointment_id, customer_package_id=customer_package_id,
                    amount=amount, currency=currency, method=method, state=state, created_at=created_at,
                    provider_ref=provider_ref, note=note)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id
