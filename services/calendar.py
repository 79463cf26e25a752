"""Calendar files (.ics, RFC 5545) for an appointment: a download, an invitation, an update or a cancellation."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from domain import model as d
from domain.i18n import SOURCE_LOCALE, Overrides, Said, label, lazy
from domain.statuses import awaits_confirmation
from services.config import public_base
from services.i18n import render

PUBLISH, REQUEST, CANCEL = 'PUBLISH', 'REQUEST', 'CANCEL'


def appointment_uid(tenant: d.Tenant, appointment_id: int) -> str:
    """Stable per appointment, so a calendar replaces the event on an update instead of adding a second one."""
    return f'appointment-{appointment_id}@{tenant.slug}.kairos'


def appointment_ics(appt: d.Appointment, *, tenant: d.Tenant, method: str = PUBLISH, now: datetime,
                    attendee: d.Customer | None = None, locale: str = SOURCE_LOCALE,
                    overrides: Overrides | None = None) -> bytes:
    """One VEVENT for the appointment; CANCEL marks it cancelled, the sequence grows with each recorded change.

    Written directly (RFC 5545: escaped text, quoted parameters, UTC times, lines folded at 75 octets): every booking
    and move writes one inside its transaction, and a general iCalendar library cost a sixth of a booking's CPU.
    The summary and description are in `locale` (the reader's language)."""

    def say(text: Said) -> str:
        return render(text, locale=locale, overrides=overrides)

    if method not in (PUBLISH, REQUEST, CANCEL):
        raise ValueError(f'unknown calendar method {method}')
    summary = say(lazy('%(service)s with %(staff)s', service=appt.service.name, staff=appt.staff.name))
    lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Kairos//Customer panel//EN', 'CALSCALE:GREGORIAN',
             f'METHOD:{method}', 'BEGIN:VEVENT',
             f'SUMMARY:{_text(summary)}',
             f'DTSTART:{_utc(appt.start)}', f'DTEND:{_utc(appt.end)}', f'DTSTAMP:{_utc(now)}',
             f'UID:{_text(appointment_uid(tenant, appt.id))}',
             # Every change adds a history entry, so their count only grows: calendars take the newer version.
             f'SEQUENCE:{max(len(appt.history) - 1, 0)}',
             f'STATUS:{_status(appt, method)}']
    place = say(place_words(appt))
    if place:
        lines.append(f'LOCATION:{_text(place)}')
    if appt.service.meeting_url:
        lines.append(f'URL:{_uri(appt.service.meeting_url)}')
    about = [say(lazy('%(service)s at %(business)s', service=appt.service.name, business=tenant.name)),
             say(lazy('Status: %(status)s', status=label(appt.status.label)))]
    if appt.service.meeting_url:
        about.append(say(lazy('Join online: %(link)s', link=appt.service.meeting_url)))
    about.append(say(lazy('Manage your booking: %(link)s', link=f'{public_base(tenant.host)}/')))
    lines.append(f'DESCRIPTION:{_text(chr(10).join(about))}')
    organizer = 'mailto:' + (appt.staff.email or 'no-reply@kairos.local')
    lines.append(f'ORGANIZER;CN={_param(appt.staff.name)}:{_uri(organizer)}')
    if attendee is not None:
        lines.append(f'ATTENDEE;CN={_param(attendee.full_name or attendee.email)};ROLE=REQ-PARTICIPANT:'
                     f'{_uri("mailto:" + attendee.email)}')
    lines += ['END:VEVENT', 'END:VCALENDAR']
    return b''.join(_fold(line) for line in lines)


def ics_filename(appt: d.Appointment) -> str:
    safe = ''.join(c if c.isalnum() else '-' for c in appt.service.name.lower()).strip('-') or 'appointment'
    return f'{safe}-{appt.start:%Y-%m-%d}.ics'


def _status(appt: d.Appointment, method: str) -> str:
    if method == CANCEL or not appt.status.busy:
        return 'CANCELLED'
    return 'TENTATIVE' if awaits_confirmation(appt.status) else 'CONFIRMED'


def place_words(appt: d.Appointment) -> Said:
    """Where the visit happens: the location's name and address, 'Online' (a Text) for an online service, else ''."""
    if appt.location is not None:
        return ', '.join(p for p in (appt.location.name, appt.location.address) if p)
    return lazy('Online') if appt.service.is_online else ''


def place_text(appt: d.Appointment) -> str:
    """`place_words` in English."""
    return str(place_words(appt))


def _utc(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError('calendar times must be aware datetimes')
    return instant.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')


def _text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped; other control characters dropped."""
    value = value.replace('\\', '\\\\').replace(';', '\\;').replace(',', '\\,')
    value = value.replace('\r\n', '\n').replace('\r', '\n').replace('\n', '\\n')
    return _CONTROL.sub('', value)


def _param(value: str) -> str:
    """A parameter value, with RFC 6868's escapes for a caret, a line break and a double quote; quoted when it holds
    a colon, semicolon or comma."""
    value = value.replace('^', '^^').replace('\r\n', '\n').replace('\n', '^n').replace('"', "^'")
    value = _CONTROL.sub('', value)
    return f'"{value}"' if any(c in value for c in ':;,') else value


def _uri(value: str) -> str:
    """A URI value is written as it is; line breaks cannot be part of one."""
    return _CONTROL_OR_TAB.sub('', value)


# Control characters (below a space) but the tab, which TEXT and parameter values may hold; one precompiled pattern
# instead of a Python test per character (every booking's calendar file goes through these).
_CONTROL = re.compile('[\x00-\x08\x0a-\x1f]')
_CONTROL_OR_TAB = re.compile('[\x00-\x1f]')


def _fold(line: str) -> bytes:
    """The line in UTF-8 ending with CRLF, folded so no line is longer than 75 octets (never inside a character)."""
    data = line.encode()
    if len(data) <= 75:
        return data + b'\r\n'
    if len(data) == len(line):  # ASCII: one octet a character, cut the bytes (a calendar file is mostly ASCII)
        return b'\r\n '.join([data[:75], *(data[i:i + 74] for i in range(75, len(data), 74))]) + b'\r\n'
    parts: list[str] = []
    chunk: list[str] = []
    size, limit = 0, 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(''.join(chunk))
            chunk, size, limit = [], 0, 74  # a continuation line starts with one space
        chunk.append(char)
        size += width
    parts.append(''.join(chunk))
    return '\r\n '.join(parts).encode() + b'\r\n'
