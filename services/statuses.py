"""The business's statuses, as its admins change them: add, rename (in every language), recolour, reorder, delete
an unused one, merge one in use into another. And the label a reader sees, in their language.

Every change checks the whole list again (domain.statuses) and the panel settings against it (a setting must never
name a status that is gone, nor a reschedule end in a status that frees the slot), records an audit entry, and tells
open customer panels (events.statuses_topic) so a rename shows there at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from domain import history as dh
from domain import model as d
from domain import statuses as ds
from domain.i18n import Overrides, Text, lazy, lazy_plural
from domain.settings import SettingsError, forget_status, status_removal_problem
from services import audit, events, i18n
from storage import appointments as appointment_db
from storage import tenants as tenant_db
from storage.db import Database


class StatusRefused(Exception):
    """The change cannot be made: `reason` says why (in words for the admin), `problems` per field of the form."""

    def __init__(self, reason: Text | str, *, problems: dict[str, Text] | None = None) -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.problems = problems or {}


class StatusInUse(StatusRefused):
    """The status still has appointments: it can be merged into another, not deleted."""

    def __init__(self, count: int) -> None:
        super().__init__(lazy_plural('%(num)d appointment is in this status: merge it into another status instead.',
                                     '%(num)d appointments are in this status: merge it into another status '
                                     'instead.', count))
        self.count = count


@dataclass(frozen=True, slots=True)
class StatusList:
    """The admin's list: the statuses in order and how many appointments each one holds."""

    statuses: tuple[d.Status, ...]
    in_use: dict[str, int]


# ---- reading ------------------------------------------------------------------------------------------------------


def status_list(db: Database, *, tenant_id: int, admin_id: int | None = None) -> StatusList:
    """The business's statuses with how many appointments each holds (`admin_id`: the reader, checked by the
    caller)."""
    del admin_id
    with db.read() as s:
        return StatusList(tenant_db.statuses(s, tenant_id=tenant_id),
                          appointment_db.status_use_counts(s, tenant_id=tenant_id))


def label_in(status: d.Status, locale: str, overrides: Overrides | None = None) -> str:
    """What a reader of `locale` sees: the business's own label in that language, else its default label (in the
    catalog's words when it is one of Kairos's default names, such as "Canceled")."""
    own = status.own_label(locale)
    if own:
        return own
    return i18n.gettext(status.label, locale=locale, overrides=overrides) if status.label else status.label


def in_language(statuses: tuple[d.Status, ...], locale: str,
                overrides: Overrides | None = None) -> tuple[d.Status, ...]:
    """The statuses with their labels in `locale` (what a page in that language draws on badges and lists)."""
    return tuple(replace(st, label=label_in(st, locale, overrides)) for st in statuses)


# ---- changing -----------------------------------------------------------------------------------------------------


def add_status(db: Database, *, tenant_id: int, admin_id: int | None, label: str, color: str, icon: str, busy: bool,
               role: d.StatusRole = d.StatusRole.OTHER, labels: dict[str, str] | None = None,
               now: datetime) -> d.Status:
    """A new status at the end of the list; its key is made from its label, once."""
    with db.write() as s:
        tenant_db.lock_statuses(s, tenant_id=tenant_id)
        current = tenant_db.statuses(s, tenant_id=tenant_id)
        label = ' '.join(label.split())
        status = d.Status(key=ds.key_for(label, (st.key for st in current)), label=label, color=color.strip(),
                          icon=icon.strip(), busy=busy, role=role, labels=ds.clean_labels(labels or {}))
        _save(s, tenant_id=tenant_id, before=current, after=(*current, status), changed=status)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='status.create', target=status.key, before=None,
               after=_as_data(status), now=now)
    _announce(tenant_id, kind='added', key=status.key)
    return status


def update_status(db: Database, *, tenant_id: int, admin_id: int | None, key: str, label: str, color: str,
                  icon: str, busy: bool, role: d.StatusRole, labels: dict[str, str] | None = None,
                  now: datetime) -> d.Status:
    """Rename (in any language), recolour, change the icon, the busy flag or the role of one status."""
    with db.write() as s:
        tenant_db.lock_statuses(s, tenant_id=tenant_id)
        current = tenant_db.statuses(s, tenant_id=tenant_id)
        old = next((st for st in current if st.key == key), None)
        if old is None:
            raise StatusRefused(lazy('That status is not one this business uses.'))
        status = d.Status(key=key, label=' '.join(label.split()), color=color.strip(), icon=icon.strip(), busy=busy,
                          role=role, labels=ds.clean_labels(labels or {}))
        _save(s, tenant_id=tenant_id, before=current,
              after=tuple(status if st.key == key else st for st in current), changed=status)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='status.update', target=key, before=_as_data(old),
               after=_as_data(status), now=now)
    _announce(tenant_id, kind='changed', key=key)
    return status


def reorder_statuses(db: Database, *, tenant_id: int, admin_id: int | None, keys: list[str],
                     now: datetime) -> tuple[d.Status, ...]:
    """The statuses in a new order (lists and the customer's choices follow it)."""
    with db.write() as s:
        tenant_db.lock_statuses(s, tenant_id=tenant_id)
        current = tenant_db.statuses(s, tenant_id=tenant_id)
        problem = ds.order_problem(current, keys)
        if problem:
            raise StatusRefused(problem)
        after = ds.reordered(current, keys)
        tenant_db.save_statuses(s, tenant_id=tenant_id, statuses=after)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='status.reorder',
               before={'order': [st.key for st in current]}, after={'order': list(keys)}, now=now)
    _announce(tenant_id, kind='reordered', key='')
    return after


def delete_status(db: Database, *, tenant_id: int, admin_id: int | None, key: str, now: datetime) -> None:
    """Delete a status no appointment is in (StatusInUse otherwise: merge it instead); settings forget it."""
    with db.write() as s:
        tenant_db.lock_statuses(s, tenant_id=tenant_id)
        current = tenant_db.statuses(s, tenant_id=tenant_id)
        old = next((st for st in current if st.key == key), None)
        if old is None:
            raise StatusRefused(lazy('That status is not one this business uses.'))
        count = appointment_db.count_in_status(s, tenant_id=tenant_id, status_key=key)
        if count:
            raise StatusInUse(count)
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
        problem = status_removal_problem(settings, key)
        if problem:
            raise StatusRefused(problem)
        after = tuple(st for st in current if st.key != key)
        _check_list(after)
        new_settings = _checked_settings(forget_status(settings, key), after)
        tenant_db.save_statuses(s, tenant_id=tenant_id, statuses=after)
        tenant_db.save_panel_settings(s, tenant_id=tenant_id, settings=new_settings)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='status.delete', target=key, before=_as_data(old),
               after=None, now=now)
    _announce(tenant_id, kind='deleted', key=key)


def merge_status(db: Database, *, tenant_id: int, admin_id: int | None, key: str, into: str, now: datetime) -> int:
    """Move every appointment in `key` to `into`, each with a line in its history, then delete `key`; the settings
    name `into` wherever they named `key`. Returns how many appointments moved."""
    with db.write() as s:
        tenant_db.lock_statuses(s, tenant_id=tenant_id)
        current = tenant_db.statuses(s, tenant_id=tenant_id)
        problem = ds.merge_problem(current, key, into)
        if problem:
            raise StatusRefused(problem)
        old = next(st for st in current if st.key == key)
        after = tuple(st for st in current if st.key != key)
        _check_list(after)
        settings = tenant_db.panel_settings(s, tenant_id=tenant_id)
        new_settings = _checked_settings(forget_status(settings, key, into=into), after)
        moved = appointment_db.move_all_to_status(s, tenant_id=tenant_id, from_key=key, to_key=into)
        appointment_db.add_histories(s, tenant_id=tenant_id, entries=[
            (appointment_id, dh.status_changed(at=now, actor=dh.ADMIN, from_status=key, to_status=into,
                                               cause=dh.STATUS_MERGED, from_label=old.label))
            for appointment_id, _ in moved])
        tenant_db.save_statuses(s, tenant_id=tenant_id, statuses=after)
        tenant_db.save_panel_settings(s, tenant_id=tenant_id, settings=new_settings)
        _audit(s, tenant_id=tenant_id, admin_id=admin_id, action='status.merge', target=key,
               before=_as_data(old), after={'into': into, 'appointments': len(moved)}, now=now)
    _announce(tenant_id, kind='merged', key=key)
    for appointment_id, customer_id in moved:
        events.publish(events.customer_topic(tenant_id, customer_id),
                       {'type': 'appointment.changed', 'appointment_id': appointment_id, 'kind': 'status'})
    return len(moved)


# ---- helpers ------------------------------------------------------------------------------------------------------


def _save(s: Session, *, tenant_id: int, before: tuple[d.Status, ...], after: tuple[d.Status, ...],
          changed: d.Status) -> None:
    problems = ds.status_field_problems(changed)
    if problems:
        raise StatusRefused(lazy('Check the fields marked.'), problems=problems)
    _check_list(after)
    _checked_settings(tenant_db.panel_settings(s, tenant_id=tenant_id), after)
    tenant_db.save_statuses(s, tenant_id=tenant_id, statuses=after)


def _check_list(statuses: tuple[d.Status, ...]) -> None:
    unsound = ds.status_problems(statuses)
    if unsound:
        raise StatusRefused(unsound[0])


def _checked_settings(settings: Any, statuses: tuple[d.Status, ...]) -> Any:
    """The panel settings must still hold with the new list (a reschedule's status still occupies the slot...)."""
    try:
        return settings.validate(statuses)
    except SettingsError as e:
        reason = e.args[0] if e.args else str(e)
        raise StatusRefused(lazy('Your panel settings would no longer hold: %(reason)s', reason=reason)) from e


def _as_data(status: d.Status) -> dict[str, Any]:
    return {'key': status.key, 'label': status.label, 'labels': dict(status.labels), 'color': status.color,
            'icon': status.icon, 'busy': status.busy, 'role': status.role.value}


def _audit(s: Session, *, tenant_id: int, admin_id: int | None, action: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None, now: datetime, target: str = '') -> None:
    """The audit entry of a status change, in the change's own transaction."""
    audit.record(s, tenant_id=tenant_id, admin_id=admin_id, action=action, target=target, before=before, after=after,
                 now=now)


def _announce(tenant_id: int, *, kind: str, key: str) -> None:
    events.publish(events.statuses_topic(tenant_id), {'type': 'statuses.changed', 'kind': kind, 'key': key})
