"""The business's admins: sign-in and its limits, sessions apart from customers', roles, invitations by email link,
removing an admin, and the audit log; every business sees only its own. SQLite, and PostgreSQL when configured."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from domain.admins import AdminRole, AuditFilter, NotAllowed
from services import admin_auth, audit, auth, mail
from storage import tables as t
from storage.db import Database
from tests.support.seed import ADMIN_PASSWORD, World, add_admin, seed_world

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STRONG = 'violet-harbour-71-tandem'

pytestmark = pytest.mark.usefixtures('fresh_limits', 'private_outbox')


def sign_in(db: Database, world: World, email: str = 'owner@example.com', password: str = ADMIN_PASSWORD,
            now: datetime = NOW) -> admin_auth.AdminSignedIn:
    return admin_auth.attempt_sign_in(db, tenant_id=world.tenant_id, email=email, password=password, address=None,
                                      now=now)


def invitation_link(db: Database, world: World, to: str) -> str:
    """The token of the newest invitation emailed to `to`, read from the outbox as the invitee reads their mail."""
    emails = [e for e in mail.outbox_page(db, tenant_id=world.tenant_id) if e.recipient == to]
    assert emails, f'no email to {to}'
    with db.read() as s:
        content = s.scalar(sa.select(t.EmailOutbox.content).where(t.EmailOutbox.id == emails[0].id))
    found = re.search(r'/admin/invite\?token=([\w-]+)', content['text'])
    assert found
    return found.group(1)


# ---- signing in -------------------------------------------------------------------------------------------------


def test_an_admin_signs_in_with_their_password_and_a_wrong_one_gets_the_one_message(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    signed = sign_in(db, world, email='Owner@Example.com ')
    assert signed.admin.id == owner and signed.admin.role is AdminRole.OWNER
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=signed.session_id, now=NOW) == \
        signed.admin
    for email, password in (('owner@example.com', 'wrong-password'), ('nobody@example.com', ADMIN_PASSWORD)):
        with pytest.raises(admin_auth.AdminSignInFailed) as refused:
            sign_in(db, world, email=email, password=password)
        assert str(refused.value.text) == 'That email and password do not match an admin account of this business.'


def test_the_demo_admin_and_create_admin_accounts_sign_in(db) -> None:
    from services import admin as operator
    from services import demo

    demo.load_demo(db, now=NOW)
    with db.read() as s:
        tenant_id = s.scalar(sa.select(t.Tenant.id).where(t.Tenant.slug == demo.DEMO_SLUG))
    signed = admin_auth.attempt_sign_in(db, tenant_id=tenant_id, email=demo.ADMIN_EMAIL, password=demo.ADMIN_PASSWORD,
                                        address=None, now=NOW)
    assert signed.admin.role is AdminRole.OWNER
    with db.read() as s:
        slug = s.scalar(sa.select(t.Tenant.slug).where(t.Tenant.id == tenant_id))
    operator.create_admin_user(db, tenant_slug=slug, email='mo@example.com', password=STRONG, name='Mo',
                               role=AdminRole.MANAGER)
    mo = admin_auth.attempt_sign_in(db, tenant_id=tenant_id, email='mo@example.com', password=STRONG, address=None,
                                    now=NOW)
    assert mo.admin.role is AdminRole.MANAGER


def test_five_wrong_passwords_lock_the_account_for_a_while_but_not_the_customer_of_the_same_email(db) -> None:
    world = seed_world(db, now=NOW)
    add_admin(db, world, email='ada@example.com')  # Ada is a customer too
    for _ in range(5):
        with pytest.raises(admin_auth.AdminSignInFailed):
            sign_in(db, world, email='ada@example.com', password='guess')
    with pytest.raises(admin_auth.AdminSignInFailed) as refused:
        sign_in(db, world, email='ada@example.com')  # the right password, too late
    assert str(refused.value.text) == 'Too many attempts. Try again in 15 minutes.'
    # The customer account of the same email is counted apart.
    assert auth.sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password='kairos-demo',
                        now=NOW).customer.id == world.ada


def test_admin_and_customer_sessions_never_stand_in_for_each_other(db) -> None:
    world = seed_world(db, now=NOW)
    add_admin(db, world, email='ada@example.com')
    customer = auth.sign_in(db, tenant_id=world.tenant_id, email='ada@example.com', password='kairos-demo', now=NOW)
    admin = sign_in(db, world, email='ada@example.com')
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=customer.session_id, now=NOW) is None
    assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=admin.session_id, now=NOW) is None
    # Signing the customer out leaves the admin session alone, and the reverse.
    auth.sign_out(db, session_id=admin.session_id, now=NOW)  # the customer's sign-out does not end an admin session
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=admin.session_id, now=NOW) is not None
    admin_auth.sign_out(db, session_id=customer.session_id, now=NOW)
    assert auth.current_customer(db, tenant_id=world.tenant_id, session_id=customer.session_id, now=NOW) is not None


def test_an_admin_session_ends_after_its_idle_time_and_after_its_lifetime(db) -> None:
    world = seed_world(db, now=NOW)
    add_admin(db, world)
    signed = sign_in(db, world)
    # Defaults: idle 7 days, lifetime 30 days; using the session restarts the idle clock.
    for day in (6, 12, 18, 24, 29):
        assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=signed.session_id,
                                        now=NOW + timedelta(days=day)) is not None
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=signed.session_id,
                                    now=NOW + timedelta(days=30, minutes=1)) is None
    idle = sign_in(db, world)
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=idle.session_id,
                                    now=NOW + timedelta(days=7, minutes=1)) is None


def test_signing_out_everywhere_ends_every_session_of_that_admin_only(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    add_admin(db, world, email='mo@example.com', role='manager')
    laptop, phone = sign_in(db, world), sign_in(db, world)
    other = sign_in(db, world, email='mo@example.com')
    admin_auth.act(db, admin_auth.sign_out_everywhere, tenant_id=world.tenant_id, session_id=phone.session_id,
                   now=NOW)
    for ended in (laptop, phone):
        assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=ended.session_id, now=NOW) is None
        with pytest.raises(auth.SessionEnded):
            admin_auth.act(db, audit.audit_view, tenant_id=world.tenant_id, session_id=ended.session_id,
                           where=AuditFilter())
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=other.session_id, now=NOW) is not None
    entries = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner, where=AuditFilter()).page.entries
    assert [(e.action, e.admin_id, e.after) for e in entries] == [('admin.sign_out_everywhere', owner,
                                                                   {'sessions': 2})]


def test_the_database_keeps_no_admin_session_token(db) -> None:
    world = seed_world(db, now=NOW)
    add_admin(db, world)
    signed = sign_in(db, world)
    with db.read() as s:
        hashes = list(s.scalars(sa.select(t.AuthSession.token_hash).where(t.AuthSession.admin_id.is_not(None))))
    assert hashes == [auth.session_hash(signed.session_id)] and signed.session_id not in hashes


# ---- roles ------------------------------------------------------------------------------------------------------


def test_a_manager_may_read_the_audit_log_but_not_manage_admins(db) -> None:
    world = seed_world(db, now=NOW)
    add_admin(db, world)
    manager = add_admin(db, world, email='mo@example.com', name='Mo', role='manager')
    session = sign_in(db, world, email='mo@example.com', now=datetime.now(UTC)).session_id
    admin_auth.act(db, audit.audit_view, tenant_id=world.tenant_id, session_id=session, where=AuditFilter())
    with pytest.raises(NotAllowed):
        admin_auth.act(db, admin_auth.admins_view, tenant_id=world.tenant_id, session_id=session,
                       need=AdminRole.OWNER, now=NOW)
    # Even called past the page's check, the use case itself refuses.
    with pytest.raises(NotAllowed) as refused:
        admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=manager, email='eve@example.com', role='owner',
                          now=NOW)
    assert str(refused.value.text) == 'Only the owner of the business can do this.'
    assert mail.outbox_page(db, tenant_id=world.tenant_id) == []


# ---- invitations -----------------------------------------------------------------------------------------------


def test_the_owner_invites_a_manager_who_sets_a_password_and_is_signed_in(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=owner, email='Mo@Example.com', role='manager', now=NOW)
    token = invitation_link(db, world, 'Mo@Example.com')
    invitation = admin_auth.check_invitation(db, tenant_id=world.tenant_id, token=token, now=NOW)
    assert (invitation.email, invitation.role) == ('mo@example.com', AdminRole.MANAGER)

    with pytest.raises(admin_auth.AdminRefused) as weak:
        admin_auth.accept_invitation(db, tenant_id=world.tenant_id, token=token, name='Mo', password='password1',
                                     confirm='password1', now=NOW)
    assert weak.value.field == 'password'
    with pytest.raises(admin_auth.AdminRefused) as mismatch:
        admin_auth.accept_invitation(db, tenant_id=world.tenant_id, token=token, name='Mo', password=STRONG,
                                     confirm=STRONG + 'x', now=NOW)
    assert mismatch.value.field == 'confirm'

    signed = admin_auth.accept_invitation(db, tenant_id=world.tenant_id, token=token, name='Mo', password=STRONG,
                                          confirm=STRONG, now=NOW)
    assert (signed.admin.email, signed.admin.role, signed.admin.name) == ('mo@example.com', AdminRole.MANAGER, 'Mo')
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=signed.session_id, now=NOW) is not None
    assert sign_in(db, world, email='mo@example.com', password=STRONG).admin.id == signed.admin.id
    # The link works once.
    with pytest.raises(admin_auth.AdminRefused):
        admin_auth.accept_invitation(db, tenant_id=world.tenant_id, token=token, name='Eve', password=STRONG,
                                     confirm=STRONG, now=NOW)
    actions = [e.action for e in audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner,
                                                  where=AuditFilter()).page.entries]
    assert actions == ['admin.join', 'admin.invite']


def test_an_invitation_expires_and_a_newer_one_replaces_it(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=owner, email='mo@example.com', role='manager', now=NOW)
    first = invitation_link(db, world, 'mo@example.com')
    with pytest.raises(admin_auth.AdminRefused):
        admin_auth.check_invitation(db, tenant_id=world.tenant_id, token=first, now=NOW + timedelta(hours=72))
    admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=owner, email='mo@example.com', role='owner',
                      now=NOW + timedelta(minutes=1))
    with pytest.raises(admin_auth.AdminRefused):
        admin_auth.check_invitation(db, tenant_id=world.tenant_id, token=first, now=NOW + timedelta(minutes=2))
    second = invitation_link(db, world, 'mo@example.com')
    assert second != first
    assert admin_auth.check_invitation(db, tenant_id=world.tenant_id, token=second,
                                       now=NOW + timedelta(minutes=2)).role is AdminRole.OWNER


def test_an_existing_admin_cannot_be_invited_again(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    with pytest.raises(admin_auth.AdminRefused) as refused:
        admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=owner, email='OWNER@example.com', role='manager',
                          now=NOW)
    assert refused.value.field == 'email'
    with pytest.raises(admin_auth.AdminRefused) as bad:
        admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=owner, email='not an email', role='manager',
                          now=NOW)
    assert bad.value.field == 'email'


# ---- removing an admin ------------------------------------------------------------------------------------------


def test_removing_an_admin_ends_their_sessions_and_the_last_owner_stays(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    manager = add_admin(db, world, email='mo@example.com', name='Mo', role='manager')
    mo = sign_in(db, world, email='mo@example.com')
    with pytest.raises(admin_auth.AdminRefused):
        admin_auth.remove_admin(db, tenant_id=world.tenant_id, admin_id=owner, target_id=owner, now=NOW)
    with pytest.raises(NotAllowed):
        admin_auth.remove_admin(db, tenant_id=world.tenant_id, admin_id=manager, target_id=owner, now=NOW)
    admin_auth.remove_admin(db, tenant_id=world.tenant_id, admin_id=owner, target_id=manager, now=NOW)
    assert admin_auth.current_admin(db, tenant_id=world.tenant_id, session_id=mo.session_id, now=NOW) is None
    with pytest.raises(admin_auth.AdminSignInFailed):
        sign_in(db, world, email='mo@example.com')
    # The log still names who was removed, and by whom.
    entry = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner, where=AuditFilter()).page.entries[0]
    assert (entry.action, entry.admin_name, entry.target) == ('admin.remove', 'Olga Owner', 'mo@example.com')


# ---- the audit log ----------------------------------------------------------------------------------------------


def test_the_audit_log_is_newest_first_paged_and_filtered_in_the_database(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    manager = add_admin(db, world, email='mo@example.com', name='Mo', role='manager')
    with db.write() as s:
        for i in range(30):
            audit.record(s, tenant_id=world.tenant_id, admin_id=owner if i % 3 else manager,
                         action='status.update' if i % 2 else 'settings.update', target=f'item-{i}',
                         before={'n': i}, after={'n': i + 1}, now=NOW + timedelta(minutes=i))
    first = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=manager, where=AuditFilter(per_page=10)).page
    assert (first.total, first.pages, len(first.entries)) == (30, 3, 10)
    assert [e.target for e in first.entries[:3]] == ['item-29', 'item-28', 'item-27']
    last = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner,
                            where=AuditFilter(per_page=10, page=3)).page
    assert last.entries[-1].target == 'item-0'
    by_mo = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner,
                             where=AuditFilter(admin_id=manager, action='settings.update')).page
    assert [e.target for e in by_mo.entries] == ['item-24', 'item-18', 'item-12', 'item-6', 'item-0']
    assert all(e.admin_name == 'Mo' for e in by_mo.entries)
    view = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner, where=AuditFilter())
    assert view.actions == ['settings.update', 'status.update']
    assert view.admins == {owner: 'Olga Owner', manager: 'Mo'}


def test_an_entry_rolls_back_with_its_change(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    with pytest.raises(RuntimeError), db.write() as s:
        audit.record(s, tenant_id=world.tenant_id, admin_id=owner, action='settings.update', now=NOW)
        raise RuntimeError('the change failed')
    assert audit.audit_view(db, tenant_id=world.tenant_id, admin_id=owner, where=AuditFilter()).page.total == 0


# ---- two businesses ---------------------------------------------------------------------------------------------


def test_an_admin_of_one_business_is_nobody_at_another(db) -> None:
    studio = seed_world(db, now=NOW, slug='studio', host='studio.example.com')
    clinic = seed_world(db, now=NOW, slug='clinic', host='clinic.example.com')
    studio_owner = add_admin(db, studio)
    clinic_owner = add_admin(db, clinic, email='clara@example.com', name='Clara')
    with pytest.raises(admin_auth.AdminSignInFailed):
        sign_in(db, clinic)  # the studio's owner, at the clinic
    signed = sign_in(db, studio)
    assert admin_auth.current_admin(db, tenant_id=clinic.tenant_id, session_id=signed.session_id, now=NOW) is None
    with pytest.raises(auth.SessionEnded):
        admin_auth.act(db, audit.audit_view, tenant_id=clinic.tenant_id, session_id=signed.session_id,
                       where=AuditFilter())
    with db.write() as s:
        audit.record(s, tenant_id=clinic.tenant_id, admin_id=clinic_owner, action='settings.update',
                     target='clinic-secret', now=NOW)
        audit.record(s, tenant_id=studio.tenant_id, admin_id=studio_owner, action='branding.update', now=NOW)
    seen = audit.audit_view(db, tenant_id=studio.tenant_id, admin_id=studio_owner, where=AuditFilter())
    assert [e.action for e in seen.page.entries] == ['branding.update']
    assert seen.admins == {studio_owner: 'Olga Owner'} and seen.actions == ['branding.update']
    # Naming the clinic's admin as the filter finds nothing of the clinic's.
    assert audit.audit_view(db, tenant_id=studio.tenant_id, admin_id=studio_owner,
                            where=AuditFilter(admin_id=clinic_owner)).page.total == 0
    # And the studio's owner, asking with the clinic's tenant id and their own admin id, is no admin there.
    with pytest.raises(NotAllowed):
        audit.audit_view(db, tenant_id=clinic.tenant_id, admin_id=studio_owner, where=AuditFilter())


def test_the_owner_changes_a_role_and_the_last_owner_stays_one(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    manager = add_admin(db, world, email='mo@example.com', name='Mo', role='manager')
    with pytest.raises(NotAllowed):  # a manager changes no role
        admin_auth.change_role(db, tenant_id=world.tenant_id, admin_id=manager, target_id=owner, role='manager',
                               now=NOW)
    admin_auth.change_role(db, tenant_id=world.tenant_id, admin_id=owner, target_id=manager, role='owner', now=NOW)
    mo = sign_in(db, world, email='mo@example.com')
    assert mo.admin.role is AdminRole.OWNER
    # Now two owners: Mo may make Olga a manager, and then Olga may not undo it, nor may Mo demote himself.
    admin_auth.change_role(db, tenant_id=world.tenant_id, admin_id=manager, target_id=owner, role='manager', now=NOW)
    with pytest.raises(NotAllowed):
        admin_auth.change_role(db, tenant_id=world.tenant_id, admin_id=owner, target_id=manager, role='manager',
                               now=NOW)
    with pytest.raises(admin_auth.AdminRefused):
        admin_auth.change_role(db, tenant_id=world.tenant_id, admin_id=manager, target_id=manager, role='manager',
                               now=NOW)
    entry = audit.audit_view(db, tenant_id=world.tenant_id, admin_id=manager, where=AuditFilter()).page.entries[0]
    assert (entry.action, entry.target, entry.before, entry.after) == ('admin.role', 'owner@example.com',
                                                                       {'role': 'owner'}, {'role': 'manager'})


def test_invitations_to_one_address_are_limited(db) -> None:
    world = seed_world(db, now=NOW)
    owner = add_admin(db, world)
    for _ in range(5):
        admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=owner, email='mo@example.com', role='manager',
                          now=NOW)
    with pytest.raises(admin_auth.AdminRefused) as refused:
        admin_auth.invite(db, tenant_id=world.tenant_id, admin_id=owner, email='mo@example.com', role='manager',
                          now=NOW)
    assert str(refused.value.text).startswith('Too many attempts.')
    assert len(mail.outbox_page(db, tenant_id=world.tenant_id)) == 5
