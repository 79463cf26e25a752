"""The `kairos` command as an operator types it (Typer's runner): setting up a business from nothing, its admin,
and settings refused when they would break a rule."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from services import auth
from services.context import get_db
from storage import tables as t
from ui.cli import app


def test_a_business_and_its_admin_are_made_from_an_empty_database(cli: CliRunner) -> None:
    made = cli.invoke(app, ['create-business', '--name', 'Salon Rosa', '--timezone', 'Europe/Lisbon',
                            '--currency', 'eur'])
    assert made.exit_code == 0, made.output
    assert "Created business 'Salon Rosa' (salon)." in made.output
    again = cli.invoke(app, ['create-business', '--name', 'Salon Rosa'])
    assert again.exit_code == 1 and "A business with the slug 'salon' already exists." in again.output
    wrong_zone = cli.invoke(app, ['create-business', '--name', 'Elsewhere', '--slug', 'x', '--timezone', 'Mars/Base'])
    assert wrong_zone.exit_code == 1 and 'Unknown time zone: Mars/Base.' in wrong_zone.output

    # The password is asked for twice and never echoed.
    admin = cli.invoke(app, ['create-admin', 'owner@rosa.example', '--name', 'Rosa'],
                       input='long-enough-secret\nlong-enough-secret\n')
    assert admin.exit_code == 0, admin.output
    assert 'Admin owner@rosa.example created.' in admin.output
    assert 'long-enough-secret' not in admin.output
    with get_db().read() as s:
        row = s.execute(sa.select(t.AdminUser)).scalars().one()
        tenant = s.execute(sa.select(t.Tenant)).scalars().one()
    assert (row.email, row.name, row.tenant_id) == ('owner@rosa.example', 'Rosa', tenant.id)
    assert (tenant.name, tenant.timezone, tenant.currency) == ('Salon Rosa', 'Europe/Lisbon', 'EUR')
    assert row.password_hash != 'long-enough-secret' and auth.verify_password('long-enough-secret', row.password_hash)

    settings = json.loads(cli.invoke(app, ['settings', 'show']).output)
    assert settings['panel_enabled'] is True and settings['designer']['show_payment_status'] is True


def test_create_admin_refuses_a_mismatch_a_short_password_and_an_unknown_business(cli: CliRunner) -> None:
    assert cli.invoke(app, ['create-business', '--name', 'Salon Rosa']).exit_code == 0
    mismatch = cli.invoke(app, ['create-admin', 'owner@rosa.example'],
                          input='long-enough-secret\nanother-secret-1\nlong-enough-secret\nlong-enough-secret\n')
    assert mismatch.exit_code == 0 and 'Error: The two entered values do not match.' in mismatch.output
    # An admin's password follows the customers' rules (domain.accounts): nine characters are too few.
    short = cli.invoke(app, ['create-admin', 'two@rosa.example'], input='Kq7#vPz!2\nKq7#vPz!2\n')
    assert short.exit_code == 1 and 'Use at least 10 characters.' in short.output
    easy = cli.invoke(app, ['create-admin', 'two@rosa.example'], input='password123\npassword123\n')
    assert easy.exit_code == 1 and 'This password is too easy to guess.' in easy.output
    not_email = cli.invoke(app, ['create-admin', 'two@rosa'], input='long-enough-secret\nlong-enough-secret\n')
    assert not_email.exit_code == 1 and 'Enter an email address like name@example.com.' in not_email.output
    nowhere = cli.invoke(app, ['create-admin', 'three@rosa.example', '--tenant', 'nope'],
                         input='long-enough-secret\nlong-enough-secret\n')
    assert nowhere.exit_code == 1 and "No business with the slug 'nope'." in nowhere.output
    again = cli.invoke(app, ['create-admin', 'OWNER@rosa.example'], input='long-enough-secret\nlong-enough-secret\n')
    assert again.exit_code == 1 and 'already has an admin with the email' in again.output
    manager = cli.invoke(app, ['create-admin', 'mo@rosa.example', '--role', 'manager'],
                         input='long-enough-secret\nlong-enough-secret\n')
    assert manager.exit_code == 0, manager.output
    with get_db().read() as s:
        assert [(r.email, r.role) for r in s.execute(sa.select(t.AdminUser).order_by(t.AdminUser.id)).scalars()] == [
            ('owner@rosa.example', 'owner'), ('mo@rosa.example', 'manager')]


def test_settings_that_would_break_a_rule_are_refused_and_leave_no_trace(cli: CliRunner) -> None:
    assert cli.invoke(app, ['create-business', '--name', 'Salon Rosa']).exit_code == 0
    before = json.loads(cli.invoke(app, ['settings', 'show']).output)
    for key, value, message in (
        ('status_after_reschedule', 'canceled', 'status_after_reschedule must be "keep" or a status that occupies '
                                                'the slot'),
        ('status_after_reschedule', 'waiting', 'Unknown status: waiting.'),
        ('reschedule_from_statuses', '["pending", "ghost"]', 'Unknown status: ghost.'),
        ('booking_url', 'javascript:alert(1)', 'booking_url must be a web address'),
    ):
        refused = cli.invoke(app, ['settings', 'set', key, value])
        assert refused.exit_code == 1, (key, refused.output)
        assert message in refused.output, (key, refused.output)
    assert json.loads(cli.invoke(app, ['settings', 'show']).output) == before
    for key, value in (('status_after_reschedule', 'approved'), ('status_after_reschedule', 'keep'),
                       ('booking_url', 'https://rosa.example/book?lang=pt')):
        accepted = cli.invoke(app, ['settings', 'set', key, value])
        assert accepted.exit_code == 0, (key, accepted.output)
    helped = cli.invoke(app, ['settings', 'help'])
    assert helped.exit_code == 0 and 'designer.show_payment_status' in helped.output


def test_reminders_are_set_with_the_settings_command(cli: CliRunner) -> None:
    assert cli.invoke(app, ['create-business', '--name', 'Salon Rosa']).exit_code == 0
    assert json.loads(cli.invoke(app, ['settings', 'show']).output)['reminders'] == {
        'minutes_before': [], 'per_service': {}, 'ask_confirmation': False, 'follow_up': False}
    for key, value in (('reminders.minutes_before', '[1440, 120]'), ('reminders.per_service', '{"1": [60]}'),
                       ('reminders.ask_confirmation', 'true'), ('reminders.follow_up', 'true')):
        accepted = cli.invoke(app, ['settings', 'set', key, value])
        assert accepted.exit_code == 0, (key, accepted.output)
    refused = cli.invoke(app, ['settings', 'set', 'reminders.minutes_before', '[1440, 120, 60]'])
    assert refused.exit_code == 1 and 'at most 2' in refused.output
    assert json.loads(cli.invoke(app, ['settings', 'show']).output)['reminders'] == {
        'minutes_before': [1440, 120], 'per_service': {'1': [60]}, 'ask_confirmation': True, 'follow_up': True}
