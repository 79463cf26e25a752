"""Admins' roles and the audit log's reading of a change, as rules."""

from __future__ import annotations

import pytest

from domain.admins import (
    Admin,
    AdminRole,
    AuditFilter,
    NotAllowed,
    admin_name_problem,
    changes,
    require_role,
    role_allows,
    why_not_change_settings,
)

OWNER, MANAGER = AdminRole.OWNER, AdminRole.MANAGER


@pytest.mark.parametrize(('role', 'needed', 'allowed'), [
    (OWNER, OWNER, True),
    (OWNER, MANAGER, True),
    (MANAGER, MANAGER, True),
    (MANAGER, OWNER, False),
    ('owner', 'manager', True),
    ('superuser', 'owner', False),  # a role this version does not know is never the owner
])
def test_an_owner_may_do_everything_a_manager_everything_but_the_owners_part(role, needed, allowed) -> None:
    assert role_allows(role, needed) is allowed


def test_require_role_refuses_with_the_reason_and_refuses_nobody_too() -> None:
    mo = Admin(id=2, tenant_id=1, email='mo@example.com', role=MANAGER)
    assert require_role(mo, MANAGER) is mo
    with pytest.raises(NotAllowed) as short:
        require_role(mo, OWNER)
    assert str(short.value.text) == 'Only the owner of the business can do this.'
    with pytest.raises(NotAllowed) as gone:
        require_role(None, MANAGER)
    assert str(gone.value.text) == 'You are no longer an admin of this business.'


@pytest.mark.parametrize(('before', 'after', 'expected'), [
    ({'a': 1, 'b': 2}, {'a': 1, 'b': 3}, [('b', 2, 3)]),
    ({'designer': {'show_price': True, 'show_staff': True}}, {'designer': {'show_price': False, 'show_staff': True}},
     [('designer.show_price', True, False)]),
    (None, {'email': 'mo@example.com', 'role': 'manager'}, [('email', None, 'mo@example.com'),
                                                            ('role', None, 'manager')]),
    ({'label': 'Canceled'}, None, [('label', 'Canceled', None)]),
    (None, ['a'], [('', None, ['a'])]),
    ({'x': 1}, {'x': 1}, []),
    ({'gone': 1}, {}, [('gone', 1, None)]),
    ('Canceled', 'Called off', [('', 'Canceled', 'Called off')]),
])
def test_the_log_shows_only_what_changed(before, after, expected) -> None:
    assert changes(before, after) == expected


def test_a_page_request_is_bounded_whatever_it_asks() -> None:
    assert AuditFilter(page=-3, per_page=10_000).bounded() == AuditFilter(page=1, per_page=100)
    assert AuditFilter(action='x' * 500).bounded().action == 'x' * 64
    assert AuditFilter(action='').bounded().action is None


@pytest.mark.parametrize(('role', 'changed', 'allowed'), [
    (MANAGER, {'allow_signup', 'designer'}, True),
    (MANAGER, {'allow_signup', 'hide_pay_now'}, False),
    (MANAGER, {'offline_payment_instructions'}, False),
    (OWNER, {'hide_pay_now', 'offline_payment_instructions'}, True),
])
def test_a_manager_changes_every_setting_but_how_customers_pay(role, changed, allowed) -> None:
    assert (why_not_change_settings(role, changed) is None) is allowed


@pytest.mark.parametrize(('name', 'problem'), [
    ('', None),
    ('Mo Manager', None),
    ('M' * 81, 'Your name can be at most 80 characters.'),
    ('Mo\u202eregnaM', 'Your name contains characters that are not allowed.'),
])
def test_an_admin_name_is_optional_short_and_shows_what_it_says(name, problem) -> None:
    found = admin_name_problem(name)
    assert (str(found) if found else None) == problem
