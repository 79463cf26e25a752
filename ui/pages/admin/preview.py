"""What the preview frames of the Panel Designer and Branding show: the customer panel's own frame and Appointments
element for a sample customer, with the admin's unsaved draft (ui/components/panel_preview.py). Only for a signed-in
admin of this business; never any real customer's data."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import app, run, ui

from services import admin_auth, admin_settings
from services.context import get_db
from services.tenants import resolve_tenant
from ui import i18n
from ui.components.panel_preview import PREVIEW_PATH, draft_of, sample_section
from ui.i18n import page_statuses, t
from ui.pages.panel import SECTIONS
from ui.pages.session import ADMIN_SESSION
from ui.theme import frame


@ui.page(PREVIEW_PATH)
async def preview_page(request: Request) -> Response | None:
    tenant = resolve_tenant(request.headers.get('host'))
    session_id = app.storage.user.get(ADMIN_SESSION)
    admin = await run.io_bound(admin_auth.current_admin, get_db(), tenant_id=tenant.id,
                               session_id=session_id if isinstance(session_id, str) else None)
    if admin is None:
        return RedirectResponse('/admin/login?next=/admin/designer', status_code=303)
    view = await run.io_bound(admin_settings.load, get_db(), tenant_id=tenant.id)
    if view is None:  # the server is shutting down
        return None
    i18n.choose(request, view.settings, saved=admin.language)
    look, settings = draft_of(str(request.query_params.get('t', '')), view.tenant, view.settings)
    sections = [(s.path, t(s.label), s.icon) for s in SECTIONS
                if s.path != '/packages' or settings.designer.show_packages]
    with frame(look, title=t('Preview'), signed_in=True, sections=sections, current='/',
               mark='preview-chrome') as chrome:
        chrome.stay()  # its tabs lead nowhere: this is not the panel
        sample_section(look, settings, page_statuses(view.statuses), token=str(request.query_params.get('t', '')))
    return None
