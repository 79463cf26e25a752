"""Every module of the admin area, imported so that their pages register (ui/app.py imports this list).

Add a new admin screen's module here. Each uses ui.pages.admin.shell.admin_page for its routes."""

from __future__ import annotations

from ui.pages.admin import audit, emails, home, locations, login, reminders, schedules, services, staff, statuses, team

MODULES = (login, home, audit, team, services, staff, locations, schedules, statuses, emails, reminders)
