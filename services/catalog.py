"""The admin's catalog: create, edit, archive and bring back services, staff and locations; staff photos.

One function per thing the admin does. Each checks the values with the domain (domain.catalog) on the server,
whatever the page sent, writes in one transaction with its audit entry (services.audit), and after the commit tells
every open booking and reschedule calendar (services.events) that the free times may have changed. Archiving deletes
nothing: appointments keep their service, staff member and place; the booking page and the slot engine stop offering
it (storage.catalog reads only active ones).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlmodel import Session

from domain import catalog as rules
from domain.catalog import LocationInput, Problems, ServiceInput, StaffInput, ids_of
from domain.i18n import Text, lazy
from domain.schedules import Visit
from services import audit, events
from services.avatars import OUTPUT_TYPE, AvatarRefused, process_avatar
from storage import appointments as appointment_db
from storage import catalog as catalog_db
from storage.catalog import Catalog
from storage.db import Database

KINDS = ('service', 'staff', 'location')
NOT_FOUND = lazy('That was not found in this business. Reload the page.')


class CatalogRefused(Exception):
    """A refusal with the reasons: one per field that is wrong (`problems`), or one for the whole form (key '')."""

    def __init__(self, problems: Problems | Text) -> None:
        self.problems: Problems = dict(problems) if isinstance(problems, dict) else {'': problems}
        super().__init__('; '.join(f'{k}: {v}' if k else str(v) for k, v in self.problems.items()))

    @property
    def message(self) -> Text:
        """The first reason, for a page that shows only one."""
        return next(iter(self.problems.values()))


def catalog(db: Database, *, tenant_id: int, admin_id: int | None = None) -> Catalog:
    """Everything in the business's catalog, archived included: what the catalog pages list (`admin_id`: the
    reader, as the admin shell's `act` passes it)."""
    with db.read() as s:
        return catalog_db.catalog(s, tenant_id=tenant_id)


# ---- services -----------------------------------------------------------------------------------------------------


def save_service(db: Database, *, tenant_id: int, admin_id: int | None, value: ServiceInput,
                 service_id: int | None = None, now: datetime) -> int:
    """Create (`service_id` None) or change a service and who offers it; CatalogRefused with the reasons."""
    value = _clean_service(value)
    with db.write() as s:
        service_ids, staff_ids, _ = catalog_db.catalog_ids(s, tenant_id=tenant_id)
        if service_id is not None and service_id not in service_ids:
            raise CatalogRefused(NOT_FOUND)
        problems = rules.service_problems(value, staff_ids=staff_ids)
        if problems:
            raise CatalogRefused(problems)
        fields = _service_fields(value)
        before = None
        if service_id is None:
            service_id = catalog_db.create_service(s, tenant_id=tenant_id, **fields)
        else:
            before = _service_record(s, tenant_id=tenant_id, service_id=service_id)
            catalog_db.update_service(s, tenant_id=tenant_id, service_id=service_id, values=fields)
        catalog_db.set_service_staff(s, service_id=service_id, staff_ids=value.staff_ids)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id,
                     action='service.create' if before is None else 'service.update', target=value.name,
                     before=before, after={**fields, 'staff_ids': list(value.staff_ids)}, now=now)
    _slots_changed(tenant_id)
    return service_id


def _clean_service(value: ServiceInput) -> ServiceInput:
    return ServiceInput(**{**asdict(value), 'name': value.name.strip(), 'category': value.category.strip(),
                           'meeting_url': value.meeting_url.strip(), 'color': value.color.strip(),
                           'staff_ids': ids_of(value.staff_ids)})


def _service_fields(value: ServiceInput) -> dict[str, Any]:
    fields = {k: v for k, v in asdict(value).items() if k in catalog_db.SERVICE_FIELDS}
    fields['meeting_url'] = value.meeting_url or None
    return fields


def _service_record(s: Session, *, tenant_id: int, service_id: int) -> dict[str, Any]:
    found = catalog_db.bookable_service(s, tenant_id=tenant_id, service_id=service_id)
    assert found is not None
    svc = found.service
    return {'name': svc.name, 'category': svc.category, 'duration_min': _minutes(svc.duration), 'price': svc.price,
            'deposit': svc.deposit, 'buffer_before_min': _minutes(svc.buffer_before),
            'buffer_after_min': _minutes(svc.buffer_after), 'capacity': svc.capacity,
            'slot_step_min': _minutes(svc.slot_step), 'min_notice_min': _minutes(svc.min_notice),
            'max_days_ahead': svc.max_days_ahead, 'meeting_url': svc.meeting_url, 'color': svc.color,
            'staff_ids': catalog_db.staff_offering(s, service_id=service_id)}


# ---- staff --------------------------------------------------------------------------------------------------------


def save_staff(db: Database, *, tenant_id: int, admin_id: int | None, value: StaffInput,
               staff_id: int | None = None, now: datetime) -> int:
    """Create (`staff_id` None) or change a staff member, where they work and what they offer; CatalogRefused with
    the reasons. A new staff member has no hours yet: the schedule page gives them some."""
    value = StaffInput(name=value.name.strip(), email=value.email.strip(), location_ids=ids_of(value.location_ids),
                       service_ids=ids_of(value.service_ids))
    with db.write() as s:
        service_ids, staff_ids, location_ids = catalog_db.catalog_ids(s, tenant_id=tenant_id)
        if staff_id is not None and staff_id not in staff_ids:
            raise CatalogRefused(NOT_FOUND)
        problems = rules.staff_problems(value, location_ids=location_ids, service_ids=service_ids)
        if problems:
            raise CatalogRefused(problems)
        after = {'name': value.name, 'email': value.email, 'location_ids': list(value.location_ids),
                 'service_ids': list(value.service_ids)}
        before = None
        if staff_id is None:
            staff_id = catalog_db.create_staff(s, tenant_id=tenant_id, name=value.name, email=value.email,
                                               location_ids=value.location_ids, service_ids=value.service_ids)
        else:
            old = next(p for p in catalog_db.catalog(s, tenant_id=tenant_id).staff if p.id == staff_id)
            before = {'name': old.name, 'email': old.email, 'location_ids': list(old.location_ids),
                      'service_ids': list(old.service_ids)}
            catalog_db.update_staff(s, tenant_id=tenant_id, staff_id=staff_id, name=value.name, email=value.email,
                                    location_ids=value.location_ids, service_ids=value.service_ids)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id,
                     action='staff.create' if before is None else 'staff.update', target=value.name, before=before,
                     after=after, now=now)
    _slots_changed(tenant_id)
    return staff_id


def save_staff_photo(db: Database, *, tenant_id: int, admin_id: int | None, staff_id: int, data: bytes,
                     now: datetime) -> str:
    """A new photo for the staff member through the avatar pipeline (judged by content, shrunk, EXIF removed);
    returns its address. CatalogRefused({'photo': reason}) when the file is not a usable photo."""
    try:
        clean = process_avatar(data)
    except AvatarRefused as refused:
        reason: object = refused.message  # English today; a Text once the account refusals are translated
        raise CatalogRefused({'photo': reason if isinstance(reason, Text) else lazy(str(reason))}) from None
    with db.write() as s:
        url = catalog_db.save_staff_photo(s, tenant_id=tenant_id, staff_id=staff_id, content_type=OUTPUT_TYPE,
                                          data=clean, now=now)
        if url is None:
            raise CatalogRefused(NOT_FOUND)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='staff.photo',
                     target=catalog_db.staff_name(s, tenant_id=tenant_id, staff_id=staff_id), after={'photo': url},
                     now=now)
    return url


def remove_staff_photo(db: Database, *, tenant_id: int, admin_id: int | None, staff_id: int, now: datetime) -> None:
    with db.write() as s:
        if not catalog_db.remove_staff_photo(s, tenant_id=tenant_id, staff_id=staff_id):
            raise CatalogRefused(NOT_FOUND)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action='staff.photo',
                     target=catalog_db.staff_name(s, tenant_id=tenant_id, staff_id=staff_id), after={'photo': None},
                     now=now)


def staff_photo(db: Database, *, tenant_id: int, staff_id: int) -> tuple[str, bytes] | None:
    """(content type, bytes) of a staff member's photo: public within the business (the booking page shows it)."""
    with db.read() as s:
        return catalog_db.staff_photo(s, tenant_id=tenant_id, staff_id=staff_id)


# ---- locations ----------------------------------------------------------------------------------------------------


def save_location(db: Database, *, tenant_id: int, admin_id: int | None, value: LocationInput,
                  location_id: int | None = None, now: datetime) -> int:
    """Create (`location_id` None) or rename a location; CatalogRefused with the reasons."""
    value = LocationInput(name=value.name.strip(), address=value.address.strip())
    problems = rules.location_problems(value)
    if problems:
        raise CatalogRefused(problems)
    after = {'name': value.name, 'address': value.address}
    with db.write() as s:
        before = None
        if location_id is None:
            location_id = catalog_db.create_location(s, tenant_id=tenant_id, name=value.name, address=value.address)
        else:
            old = next((p for p in catalog_db.catalog(s, tenant_id=tenant_id).locations if p.id == location_id), None)
            if old is None:
                raise CatalogRefused(NOT_FOUND)
            before = {'name': old.name, 'address': old.address}
            catalog_db.update_location(s, tenant_id=tenant_id, location_id=location_id, name=value.name,
                                       address=value.address)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id,
                     action='location.create' if before is None else 'location.update', target=value.name,
                     before=before, after=after, now=now)
    _slots_changed(tenant_id)
    return location_id


# ---- archive ------------------------------------------------------------------------------------------------------


def set_archived(db: Database, *, tenant_id: int, admin_id: int | None, kind: str, row_id: int, archived: bool,
                 now: datetime) -> list[Visit]:
    """Archive a service, staff member or location (kept with its history, no longer bookable), or bring it back.
    Archiving a staff member answers with their upcoming bookings: they stay theirs until the admin moves them."""
    if kind not in KINDS:
        raise ValueError(f'unknown catalog kind {kind!r}')
    with db.write() as s:
        if not catalog_db.set_active(s, tenant_id=tenant_id, kind=kind, row_id=row_id, active=not archived):
            raise CatalogRefused(NOT_FOUND)
        audit.record(s, tenant_id=tenant_id, admin_id=admin_id,
                     action=f'{kind}.{"archive" if archived else "restore"}', target=_name(s, tenant_id, kind, row_id),
                     before={'active': archived}, after={'active': not archived}, now=now)
        left = (appointment_db.upcoming_visits(s, tenant_id=tenant_id, staff_ids=[row_id], since=now)
                if kind == 'staff' and archived else [])
    _slots_changed(tenant_id)
    return left


# ---- helpers ------------------------------------------------------------------------------------------------------


def _name(s: Session, tenant_id: int, kind: str, row_id: int) -> str:
    """What the audit log names: the service's, staff member's or location's name."""
    found = catalog_db.catalog(s, tenant_id=tenant_id)
    rows: list[Any] = found.services if kind == 'service' else found.staff if kind == 'staff' else found.locations
    return next((str(r.name) for r in rows if r.id == row_id), str(row_id))


def _slots_changed(tenant_id: int) -> None:
    """Every open slot picker of the business reads its month again (no staff or day named: any may change)."""
    events.publish(events.availability_topic(tenant_id), {'kind': 'catalog'})


def _minutes(span: Any) -> int:
    return int(span.total_seconds() // 60)
