"""What the customer panel shows: one customer's appointments, counted and sorted as the business sets it."""

from __future__ import annotations

from dataclasses import dataclass

from domain import model as d
from domain.settings import PanelSettings
from storage import queries as q
from storage.db import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class PanelData:
    settings: PanelSettings
    statuses: tuple[d.Status, ...]
    appointments: list[d.Appointment]


def load_panel(db: Database, *, tenant_id: int, customer_id: int) -> PanelData:
    """Settings, statuses and every appointment of the customer: three statements whatever the count."""
    with db.read() as s:
        settings, statuses = q.tenant_context(s, tenant_id=tenant_id)
        appointments = q.customer_appointments(s, tenant_id=tenant_id, customer_id=customer_id,
                                               status_list=statuses)
    return PanelData(settings=settings, statuses=statuses, appointments=appointments)


def appointment_detail(db: Database, *, tenant_id: int, customer_id: int, appointment_id: int) -> d.Appointment | None:
    """One of the customer's own appointments with its history; None for anyone else's."""
    with db.read() as s:
        return q.customer_appointment(s, tenant_id=tenant_id, customer_id=customer_id, appointment_id=appointment_id,
                                      status_list=q.statuses(s, tenant_id=tenant_id))


def panel_settings(db: Database, *, tenant_id: int) -> PanelSettings:
    with db.read() as s:
        return q.panel_settings(s, tenant_id=tenant_id)
