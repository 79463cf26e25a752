"""Every switch the business sets, in both positions, as the domain answers it; and the settings that would break a
rule, refused when saved."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest

from domain import rules
from domain.model import DEFAULT_STATUSES, CustomerPackage, Package
from domain.reminders import ReminderSettings
from domain.settings import HELP, PanelDesigner, PanelSettings, SettingsError, booking_link
from tests.support.words import en

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DEFAULT = PanelSettings()
OFF = PanelSettings(panel_enabled=False)


def package(*, paid: int = 0) -> CustomerPackage:
    return CustomerPackage(id=1, customer_id=1, package=Package(id=1, name='Five cuts', sessions=5, price=20000,
                                                               validity_days=90, service_ids=(1,)),
                           purchased_at=NOW - timedelta(days=1), expires_at=NOW + timedelta(days=89),
                           sessions_used=0, amount_paid=paid)


# ---- the account switches, on and off ------------------------------------------------------------------------------

@pytest.mark.parametrize(('check', 'setting', 'off_reason'), [
    (rules.why_not_sign_up, {'allow_signup': False}, rules.SIGNUP_CLOSED),
    (rules.why_not_delete_account, {'allow_account_deletion': False},
     'Deleting your account is not offered here. Contact the business to close it.'),
    (rules.why_not_upload_avatar, {'designer': PanelDesigner(allow_avatar_upload=False)},
     'This business does not take profile photos.'),
])
def test_an_account_switch_allows_when_on_and_says_why_when_off(check, setting: dict, off_reason: str) -> None:
    assert check(DEFAULT) is None
    assert en(check(replace(DEFAULT, **setting))) == en(off_reason)


def test_a_welcome_goes_out_only_when_the_business_auto_creates_accounts() -> None:
    assert rules.sends_welcome(DEFAULT) is True
    assert rules.sends_welcome(replace(DEFAULT, auto_create_account=False)) is False


# ---- a package's Pay follows "hide Pay now" -----------------------------------------------------------------------

@pytest.mark.parametrize(('settings', 'paid', 'expected'), [
    (DEFAULT, 0, None),
    (DEFAULT, 20000, 'This package is already paid.'),
    (replace(DEFAULT, hide_pay_now=True, offline_payment_instructions='Pay at reception.'), 0, 'Pay at reception.'),
    (replace(DEFAULT, hide_pay_now=True, offline_payment_instructions=''), 0,
     'This business takes payment in person.'),
    (OFF, 0, rules.PANEL_OFF),
])
def test_package_pay(settings: PanelSettings, paid: int, expected: str | None) -> None:
    assert en(rules.why_not_pay_package(package(paid=paid), settings)) == en(expected)


# ---- a panel switched off refuses every customer action -------------------------------------------------------------

def test_a_panel_switched_off_refuses_reschedule_status_change_pay_and_photos() -> None:
    from tests.unit.test_rules import appt

    booked = appt('approved', 'days ahead')
    assert rules.why_not_reschedule(booked, DEFAULT, now=NOW) is None
    assert rules.why_not_reschedule(booked, OFF, now=NOW) == rules.PANEL_OFF
    assert rules.why_not_change_status(booked, DEFAULT, now=NOW) is None
    assert rules.why_not_change_status(booked, OFF, now=NOW) == rules.PANEL_OFF
    assert rules.why_not_pay(booked, DEFAULT) is None
    assert rules.why_not_pay(booked, OFF) == rules.PANEL_OFF
    assert rules.why_not_upload_avatar(OFF) == rules.PANEL_OFF


# ---- where the visit happens ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(('works_at', 'chosen', 'reason', 'place'), [
    ((), None, None, None),  # online: nowhere in particular
    ((1,), None, None, 1),  # one place: that one
    ((1, 2), None, rules.CHOOSE_LOCATION, None),  # two places: the customer must say which
    ((1, 2), 2, None, 2),
    ((1,), 2, 'That staff member does not work at that location. Please choose another place or person.', 2),
])
def test_the_place_of_a_visit(works_at: tuple[int, ...], chosen: int | None, reason: str | None,
                              place: int | None) -> None:
    assert en(rules.why_not_location(works_at, chosen)) == en(reason)
    assert rules.visit_location(works_at, chosen) == place


# ---- settings that would break a rule are refused when saved --------------------------------------------------------

@pytest.mark.parametrize(('data', 'message'), [
    ({'status_after_reschedule': 'canceled'},
     'status_after_reschedule must be "keep" or a status that occupies the slot: with canceled every reschedule '
     'would free the new time for someone else.'),
    ({'status_after_reschedule': 'rejected'},
     'status_after_reschedule must be "keep" or a status that occupies the slot: with rejected every reschedule '
     'would free the new time for someone else.'),
    ({'status_after_reschedule': 'nope'}, 'Unknown status: nope.'),
    ({'reschedule_from_statuses': ['pending', 'ghost']}, 'Unknown status: ghost.'),
    ({'status_transitions': {'canceled': ['ghost']}}, 'Unknown status: ghost.'),
    ({'booking_url': 'javascript:alert(1)'},
     'booking_url must be a web address starting with https:// or http:// or a path on this site starting with /.'),
    ({'booking_url': '//evil.example.com/book'},
     'booking_url must be a web address starting with https:// or http:// or a path on this site starting with /.'),
])
def test_settings_that_would_break_a_rule_are_refused(data: dict, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        PanelSettings.from_dict(data).validate(DEFAULT_STATUSES)
    assert str(caught.value) == message


@pytest.mark.parametrize('value', ['keep', 'pending', 'approved'])
def test_a_busy_status_after_reschedule_is_accepted(value: str) -> None:
    settings = PanelSettings.from_dict({'status_after_reschedule': value}).validate(DEFAULT_STATUSES)
    assert settings.status_after_reschedule == value


@pytest.mark.parametrize(('base', 'params', 'expected'), [
    ('/book', {'service': 3}, '/book?service=3'),
    ('/book?lang=de', {'service': 3}, '/book?lang=de&service=3'),
    ('/book?service=1&lang=de', {'service': 3}, '/book?lang=de&service=3'),  # replaced, not doubled
    ('https://salon.example.com/reserve?src=panel#top', {'package': 9},
     'https://salon.example.com/reserve?src=panel&package=9#top'),
    ('', {'service': 3}, '/book?service=3'),
])
def test_a_booking_link_gets_its_parameters_whatever_query_it_has(base: str, params: dict, expected: str) -> None:
    assert booking_link(base, **params) == expected


def test_every_setting_has_its_meaning_written_down() -> None:
    names = {f.name for f in fields(PanelSettings) if f.name not in ('designer', 'reminders')}
    names |= {f'designer.{f.name}' for f in fields(PanelDesigner)}
    names |= {f'reminders.{f.name}' for f in fields(ReminderSettings)}
    assert set(HELP) == names
    assert 'show_payment_status' in HELP['designer.show_price']  # price and payment line: two separate switches
    assert 'show_price' in HELP['designer.show_payment_status']


def test_the_readme_states_each_setting_as_the_help_does() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / 'README.md').read_text(encoding='utf-8')
    for key, meaning in HELP.items():
        assert f'| `{key}` |' in readme and meaning in readme, key
