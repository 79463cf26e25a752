"""When a reminder goes, which one, and which reminder settings hold (domain.reminders)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.reminders import ReminderPlan, ReminderSettings, ReminderSettingsError, reminder_plan
from domain.settings import PanelSettings, SettingsError

START = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
BOOKED = START - timedelta(days=7)
H = timedelta(hours=1)


@pytest.mark.parametrize(('now', 'handled', 'booked', 'plan'), [
    (START - 25 * H, (), BOOKED, ReminderPlan(None, ())),  # nothing due yet
    (START - 24 * H, (), BOOKED, ReminderPlan(1440, ())),  # the day-before one, on time
    (START - 20 * H, (1440,), BOOKED, ReminderPlan(None, ())),  # sent already
    (START - 2 * H, (1440,), BOOKED, ReminderPlan(120, ())),  # the second one
    (START - 1 * H, (), BOOKED, ReminderPlan(120, (1440,))),  # server was down: only the nearest, the other skipped
    (START - 5 * timedelta(minutes=1), (), BOOKED, ReminderPlan(None, ())),  # too close to the start
    (START + H, (), BOOKED, ReminderPlan(None, ())),  # never after the start
    (START - 3 * H, (), START - 4 * H, ReminderPlan(None, (1440,))),  # booked inside the window: its email just went
    (START - 2 * H, (1440,), START - 4 * H, ReminderPlan(120, ())),  # ...but the later reminder still goes
])
def test_which_reminder_goes_now(now: datetime, handled: tuple[int, ...], booked: datetime,
                                 plan: ReminderPlan) -> None:
    assert reminder_plan(start=START, booked_at=booked, offsets=(1440, 120), handled=handled, now=now) == plan


def test_a_service_may_have_its_own_reminders_or_none() -> None:
    rs = ReminderSettings(minutes_before=(1440,), per_service={3: (60,), 4: ()})
    assert rs.offsets_for(1) == (1440,)
    assert rs.offsets_for(3) == (60,)
    assert rs.offsets_for(4) == ()


@pytest.mark.parametrize('data', [
    {'minutes_before': [1440, 120, 60]},  # three
    {'minutes_before': [120, 120]},  # the same time twice
    {'minutes_before': [5]},  # too close to be of use
    {'minutes_before': [30 * 1440]},  # a month ahead
    {'minutes_before': ['24h']},
    {'minutes_before': 1440},
    {'per_service': {'haircut': [60]}},
    {'per_service': {'3': [60, 30, 15]}},
    {'follow_up': 'yes'},
    {'ask_confirmation': 1},
    {'remind': True},
])
def test_reminder_settings_that_cannot_hold_are_refused(data: dict) -> None:
    with pytest.raises(ReminderSettingsError):
        ReminderSettings.from_dict(data)
    with pytest.raises(SettingsError):
        PanelSettings.from_dict({'reminders': data})


def test_reminder_settings_round_trip_with_the_panel_settings() -> None:
    settings = PanelSettings.from_dict({'reminders': {'minutes_before': [1440, 120], 'per_service': {'3': [60]},
                                                      'ask_confirmation': True}})
    assert settings.reminders == ReminderSettings(minutes_before=(1440, 120), per_service={3: (60,)},
                                                  ask_confirmation=True, follow_up=False)
    assert PanelSettings.from_dict(settings.to_dict()) == settings


def test_by_default_no_reminder_and_no_follow_up_is_sent() -> None:
    rs = PanelSettings().reminders
    assert not rs.sends_reminders and not rs.follow_up and not rs.ask_confirmation
