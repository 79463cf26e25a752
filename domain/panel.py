"""How the panel groups, counts and sorts a customer's appointments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.model import Appointment

SORTS = ('newest', 'oldest', 'status', 'price')


@dataclass(frozen=True, slots=True)
class Counts:
    upcoming: int
    completed: int


def upcoming(appointments: Sequence[Appointment], now: datetime) -> list[Appointment]:
    """Upcoming: starts in the future and still holds its slot, soonest first."""
    return sorted((a for a in appointments if a.is_upcoming(now)), key=lambda a: a.start)


def past(appointments: Sequence[Appointment], now: datetime) -> list[Appointment]:
    """Past: already ended, most recent first."""
    return sorted((a for a in appointments if a.is_past(now)), key=lambda a: a.start, reverse=True)


def next_appointment(appointments: Sequence[Appointment], now: datetime) -> Appointment | None:
    """The soonest upcoming appointment that still holds its slot (a canceled one is not 'next')."""
    return next((a for a in upcoming(appointments, now) if a.status.busy), None)


def counts(appointments: Sequence[Appointment], now: datetime) -> Counts:
    """Upcoming counts future visits that hold a slot; completed counts ended busy visits other than no-shows."""
    return Counts(
        upcoming=sum(1 for a in appointments if a.is_upcoming(now) and a.status.busy),
        completed=sum(1 for a in appointments if a.is_completed(now)),
    )


def sort_all(appointments: Sequence[Appointment], how: str, status_order: Sequence[str] = ()) -> list[Appointment]:
    """The All tab's orders: newest or oldest start, status (in the business's order), or price high to low."""
    if how == 'oldest':
        return sorted(appointments, key=lambda a: a.start)
    if how == 'status':
        rank = {key: i for i, key in enumerate(status_order)}
        return sorted(appointments, key=lambda a: (rank.get(a.status.key, len(rank)), -a.start.timestamp()))
    if how == 'price':
        return sorted(appointments, key=lambda a: (-a.price, -a.start.timestamp()))
    if how != 'newest':
        raise ValueError(f'unknown sort: {how}')
    return sorted(appointments, key=lambda a: a.start, reverse=True)
