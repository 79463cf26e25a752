"""Every module of the admin area, imported so that their pages register (ui/app.py imports this list).

Add a new admin screen's module here. Each uses ui.pages.admin.shell.admin_page for its routes."""

from __future__ import annotations

from ui.pages.admin import (
    appointments,
    audit,
    branding,
    calendar,
    customers,
    designer,
    emails,
    home,
    locations,
    login,
    packages,
    payments,
    preview,
    reminders,
    schedules,
    services,
    settings,
    staff,
    statuses,
    team,
)

MODULES = (login, home, audit, team, services, staff, locations, schedules, settings, designer, branding, preview,
           statuses, emails, calendar, appointments, payments, customers, packages, reminders)
