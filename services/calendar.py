"""Calendar files (.ics, RFC 5545) for an appointment: a download, an invitation, an update or a cancellation."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from domain import model as d
from domain.statuses import awaits_confirmation
from services.config import public_base

PUBLISH, REQUEST, CANCEL = 'PUBLISH', 'REQUEST', 'CANCEL'


def appointment_uid(tenant: d.Tenant, appointment_id: int) -> str:
    """Stable per appointment, so a calendar replaces the event on an update instead of adding a second one."""
    return f'appointment-{appointment_id}@{tenant.slug}.kairos'


def appointment_ics(appt: d.Appointment, *, tenant: d.Tenant, method: str = PUBLISH, now: datetime,
                    attendee: d.Customer | None = None) -> bytes:
    """One VEVENT for the appointment; CANCEL marks it cancelled, the sequence grows with each recorded change."""
    if method not in (PUBLISH, REQUEST, CANCEL):
        raise ValueError(f'unknown calendar method {method}')
    cal = Calendar()
    cal.add('prodid', '-//Kairos//Customer panel//EN')
    cal.add('version', '2.0')
    cal.add('calscale', 'GREGORIAN')
    cal.add('method', method)
    event = Event()
    event.add('uid', appointment_uid(tenant, appt.id))
    event.add('dtstamp', now)
    event.add('dtstart', appt.start)
    event.add('dtend', appt.end)
    # Every change adds a history entry, so their count only grows: calendars take the newer version.
    event.add('sequence', max(len(appt.history) - 1, 0))
    event.add('summary', f'{appt.service.name} with {appt.staff.name}')
    event.add('status', _status(appt, method))
    place = place_text(appt)
    if place:
        event.add('location', place)
    if appt.service.meeting_url:
        event.add('url', appt.service.meeting_url)
    lines = [f'{appt.service.name} at {tenant.name}', f'Status: {appt.status.label}']
    if appt.service.meeting_url:
        lines.append(f'Join online: {appt.service.meeting_url}')
    lines.append(f'Manage your booking: {public_base(tenant.host)}/')
    event.add('description', '\n'.join(lines))
    organizer = vCalAddress(f'mailto:{appt.staff.email or "no-reply@kairos.local"}')
    organizer.params['cn'] = vText(appt.staff.name)
    event.add('organizer', organizer)
    if attendee is not None:
        who = vCalAddress(f'mailto:{attendee.email}')
        who.params['cn'] = vText(attendee.full_name or attendee.email)
        who.params['role'] = vText('REQ-PARTICIPANT')
        event.add('attendee', who)
    cal.add_component(event)
    return cal.to_ical()


def ics_filename(appt: d.Appointment) -> str:
    safe = ''.join(c if c.isalnum() else '-' for c in appt.service.name.lower()).strip('-') or 'appointment'
    return f'{safe}-{appt.start:%Y-%m-%d}.ics'


def _status(appt: d.Appointment, method: str) -> str:
    if method == CANCEL or not appt.status.busy:
        return 'CANCELLED'
    return 'TENTATIVE' if awaits_confirmation(appt.status) else 'CONFIRMED'


def place_text(appt: d.Appointment) -> str:
    if appt.location is not None:
        return ', '.join(p for p in (appt.location.name, appt.location.address) if p)
    return 'Online' if appt.service.is_online else ''
