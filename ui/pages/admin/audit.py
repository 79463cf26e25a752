"""The audit log at /admin/audit: every admin change, newest first, paged and filtered on the server.

The filters and the page live in the address (?admin=&action=&page=), so a filtered view can be bookmarked and the
browser's Back goes to the previous one; each change of filter loads the page anew with one query for its rows.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from nicegui import ui

from domain.admins import ACTION_LABELS, CHANGE_VALUE_MAX, AuditEntry, AuditFilter, changes
from domain.i18n import N_
from services import audit
from services import formatting as fmt
from ui.i18n import t, tn
from ui.pages.admin.shell import AdminContext, admin_page

PATH = '/admin/audit'


@admin_page(PATH, title=N_('Audit log'))
async def audit_page(ctx: AdminContext) -> None:
    query = ctx.request.query_params
    where = AuditFilter(admin_id=_int(query.get('admin')), action=query.get('action') or None,
                        page=_int(query.get('page')) or 1).bounded()
    view = await ctx.act(audit.audit_view, where=where)
    page = view.page

    ui.label(t('Audit log')).classes('text-h5').props('role=heading aria-level=1')
    ui.label(t('Every change made in the admin area: who made it, when, and what it was before and after.')
             ).classes('k-muted')

    def go(**changed: Any) -> None:
        params = {'admin': where.admin_id, 'action': where.action, 'page': 1, **changed}
        kept = {k: v for k, v in params.items() if v not in (None, '') and not (k == 'page' and v == 1)}
        ui.navigate.to(PATH + (f'?{urlencode(kept)}' if kept else ''))

    anyone = {0: t('Every admin')} | {i: name for i, name in view.admins.items()}
    every = {'': t('Every action')} | {a: t(ACTION_LABELS[a]) if a in ACTION_LABELS else a for a in view.actions}
    with ui.row().classes('w-full gap-3 items-center max-sm:flex-wrap').mark('audit-filters'):
        ui.select(anyone, value=where.admin_id or 0, label=t('Admin'),
                  on_change=lambda e: go(admin=e.value or None)).props('outlined dense').classes('grow').style(
            'min-width: 200px').mark('audit-admin')
        ui.select(every, value=where.action or '', label=t('Action'),
                  on_change=lambda e: go(action=e.value or None)).props('outlined dense').classes('grow').style(
            'min-width: 200px').mark('audit-action')

    ui.label(tn('%(num)d change', '%(num)d changes', page.total)).props('role=status').mark('audit-count')
    if not page.entries:
        ui.label(t('Nothing was changed yet.') if not where.admin_id and not where.action
                 else t('No change matches these filters.')).classes('k-muted').mark('audit-empty')
        return
    columns = [
        {'name': 'at', 'label': t('When'), 'field': 'at', 'align': 'left'},
        {'name': 'who', 'label': t('Who'), 'field': 'who', 'align': 'left'},
        {'name': 'action', 'label': t('What'), 'field': 'action', 'align': 'left'},
        {'name': 'target', 'label': t('Changed'), 'field': 'target', 'align': 'left'},
        {'name': 'changes', 'label': t('Before → after'), 'field': 'changes', 'align': 'left',
         'style': 'white-space: pre-wrap; max-width: 32rem', 'classes': 'k-audit-changes'},
    ]
    rows = [_row(entry, ctx) for entry in page.entries]
    table = ui.table(columns=columns, rows=rows, row_key='id').props(
        'flat bordered wrap-cells hide-pagination :rows-per-page-options="[0]" :grid="$q.screen.lt.sm"').classes(
        'w-full').mark('audit-table')
    table.props['aria-label'] = t('Audit log')

    with ui.row().classes('items-center gap-3').mark('audit-pager'):
        previous = ui.button(t('Newer'), icon='chevron_left', on_click=lambda: go(page=page.page - 1)).props(
            'outline no-caps').mark('audit-newer')
        previous.set_enabled(page.page > 1)
        ui.label(t('Page %(page)s of %(pages)s', page=page.page, pages=page.pages)).mark('audit-page')
        following = ui.button(t('Older'), on_click=lambda: go(page=page.page + 1)).props(
            'outline no-caps icon-right=chevron_right').mark('audit-older')
        following.set_enabled(page.page < page.pages)


def _row(entry: AuditEntry, ctx: AdminContext) -> dict[str, Any]:
    return {
        'id': entry.id,
        'at': fmt.date_time(entry.at, ctx.tz, locale=ctx.locale),
        'who': entry.admin_name or t('(removed admin)'),
        'action': t(ACTION_LABELS[entry.action]) if entry.action in ACTION_LABELS else entry.action,
        'target': entry.target,
        'changes': '\n'.join(_change(key, old, new) for key, old, new in changes(entry.before, entry.after)),
    }


def _change(key: str, old: Any, new: Any) -> str:
    shown = f'{_value(old)} → {_value(new)}'
    return f'{key}: {shown}' if key else shown


def _value(value: Any) -> str:
    if value is None:
        return '—'
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(', ', ': '))
    return text if len(text) <= CHANGE_VALUE_MAX else text[:CHANGE_VALUE_MAX - 1] + '…'


def _int(value: str | None) -> int | None:
    try:
        found = int(value) if value else None
    except ValueError:
        return None
    return found if found is not None and 0 < found < 2**31 else None
