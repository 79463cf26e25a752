"""The admin's Statuses editor as an admin uses it: rename with a translation, add, reorder, refuse with the reason
next to the field, merge one in use, and only ever the admin's own business.

Mounted on a bare test page until the admin shell (sign-in, frame) is there; the shell's page hands in the same two
values from the admin's session. (The app's sign-in gate wants some session for a page outside its public list, so
the harness signs Ada in first; the editor itself reads nothing from it.)"""

from __future__ import annotations

from datetime import UTC, datetime

from nicegui import ui
from nicegui.testing import User

from services import statuses as svc
from tests.support.seed import add_appointment, at, seed_world
from tests.ui.conftest import admin_act, eventually, signed_in
from ui.components.admin.statuses_editor import statuses_editor


async def mount(user: User, tenant_id: int) -> None:
    @ui.page('/test-admin-statuses')
    def page() -> None:
        statuses_editor(admin_act(tenant_id))

    await signed_in(user)
    await user.open('/test-admin-statuses')


def labels(db, tenant_id: int) -> dict[str, str]:
    return {st.key: st.label for st in svc.status_list(db, tenant_id=tenant_id).statuses}


async def test_rename_with_a_translation(user: User, db) -> None:
    world = seed_world(db, now=datetime.now(UTC))
    await mount(user, world.tenant_id)
    await user.should_see(marker='status-badge-canceled')
    user.find(marker='status-edit-canceled').click()
    user.find(marker='status-label').clear().type('Called off')
    user.find(marker='status-label-pt_PT').type('Desmarcado')
    user.find(marker='status-save').click()
    await eventually(lambda: labels(db, world.tenant_id)['canceled'] == 'Called off')
    await user.should_see('Called off')
    found = next(st for st in svc.status_list(db, tenant_id=world.tenant_id).statuses if st.key == 'canceled')
    assert dict(found.labels) == {'pt_PT': 'Desmarcado'}


async def test_a_refusal_is_shown_next_to_its_field(user: User, db) -> None:
    world = seed_world(db, now=datetime.now(UTC))
    await mount(user, world.tenant_id)
    await user.should_see(marker='status-add')
    user.find(marker='status-add').click()
    user.find(marker='status-save').click()  # no name
    await user.should_see('Give the status a name.')
    assert len(svc.status_list(db, tenant_id=world.tenant_id).statuses) == 5


async def test_add_and_move_up(user: User, db) -> None:
    world = seed_world(db, now=datetime.now(UTC))
    await mount(user, world.tenant_id)
    await user.should_see(marker='status-add')
    user.find(marker='status-add').click()
    user.find(marker='status-label').type('Checked in')
    user.find(marker='status-save').click()
    await eventually(lambda: 'checked-in' in labels(db, world.tenant_id))
    await user.should_see(marker='status-up-checked-in')
    user.find(marker='status-up-checked-in').click()
    await eventually(lambda: list(labels(db, world.tenant_id))[-2:] == ['checked-in', 'no-show'])


async def test_a_status_in_use_is_merged_not_deleted(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    add_appointment(db, world, start=at(now, 3), status='rejected')
    await mount(user, world.tenant_id)
    await user.should_see(marker='status-remove-rejected')
    user.find(marker='status-remove-rejected').click()
    await user.should_see('1 appointment is in this status, so it cannot simply be deleted.', retries=20)
    user.find(marker='status-merge-into').elements.pop().set_value('canceled')
    user.find(marker='status-remove-confirm').click()
    await eventually(lambda: 'rejected' not in labels(db, world.tenant_id))
    assert svc.status_list(db, tenant_id=world.tenant_id).in_use == {'canceled': 1}


async def test_an_admin_sees_only_their_own_businesss_statuses(user: User, db) -> None:
    now = datetime.now(UTC)
    world = seed_world(db, now=now)
    other = seed_world(db, now=now, slug='other', host='other.example.com', ada_email='ada@other.example.com')
    svc.add_status(db, tenant_id=other.tenant_id, admin_id=None, label='Their own', color='#0f766e', icon='star',
                   busy=True, now=now)
    await mount(user, world.tenant_id)
    await user.should_see(marker='status-badge-canceled')
    await user.should_not_see('Their own')
    await user.should_not_see(marker='status-badge-their-own')
