"""A status the business renames, recolours or translates: the customer's open panel follows without a reload, in
the customer's language."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from nicegui.testing import User

from domain.model import StatusRole
from services import statuses
from storage import tables as t
from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import card_field, signed_in


async def test_a_rename_reaches_the_open_panel_with_its_icon(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 3), status='canceled')
    await signed_in(user)
    await card_field(user, appt, 'status_label', 'Canceled')
    await card_field(user, appt, 'status_icon', 'cancel')
    statuses.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', label='Called off',
                           color='#374151', icon='event_busy', busy=False, role=StatusRole.CUSTOMER_CANCEL, now=now)
    await card_field(user, appt, 'status_label', 'Called off')
    await card_field(user, appt, 'status_icon', 'event_busy')
    await card_field(user, appt, 'status_color', '#374151')


async def test_a_merge_reaches_the_open_panel(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    appt = add_appointment(db, world, start=at(now, 3), status='rejected')
    await signed_in(user)
    await card_field(user, appt, 'status_label', 'Rejected')
    statuses.merge_status(db, tenant_id=world.tenant_id, admin_id=None, key='rejected', into='canceled', now=now)
    await card_field(user, appt, 'status_label', 'Canceled')


async def test_another_business_renaming_its_status_changes_nothing_here(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    other = seed_world(db, now=now, slug='other', host='other.example.com', ada_email='ada@other.example.com')
    appt = add_appointment(db, world, start=at(now, 3), status='canceled')
    await signed_in(user)
    await card_field(user, appt, 'status_label', 'Canceled')
    statuses.update_status(db, tenant_id=other.tenant_id, admin_id=None, key='canceled', label='Called off',
                           color='#374151', icon='event_busy', busy=False, role=StatusRole.CUSTOMER_CANCEL, now=now)
    # The panel reloads on its own business's next change and shows that business's words, never the other's.
    statuses.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', label='Off',
                           color='#6b7280', icon='cancel', busy=False, role=StatusRole.CUSTOMER_CANCEL, now=now)
    await card_field(user, appt, 'status_label', 'Off')
    await card_field(user, appt, 'status_icon', 'cancel')


async def test_a_customer_reads_the_status_in_their_language(user: User, db) -> None:
    """Ada reads Portuguese: the business's Portuguese name where it gave one, else its default name (Kairos's own
    default names in the catalog's Portuguese)."""
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    canceled = add_appointment(db, world, start=at(now, 3), status='canceled')
    approved = add_appointment(db, world, start=at(now, 4), status='approved')
    with db.write() as s:
        s.execute(sa.update(t.Customer).where(t.Customer.id == world.ada).values(language='pt_PT'))
    statuses.update_status(db, tenant_id=world.tenant_id, admin_id=None, key='canceled', label='Called off',
                           labels={'pt_PT': 'Desmarcada'}, color='#6b7280', icon='cancel', busy=False,
                           role=StatusRole.CUSTOMER_CANCEL, now=now)
    await signed_in(user)
    await card_field(user, canceled, 'status_label', 'Desmarcada')
    await card_field(user, approved, 'status_label', 'Aprovada')
