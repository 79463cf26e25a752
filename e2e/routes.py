"""Every place a person can reach, as the accessibility audit visits it (e2e/test_a11y.py).

One row per state worth auditing: a page, and the same page with each of its drawers or dialogs open. Every route
the app registers is either visited here or listed in NOT_PAGES with the reason; tests/ui/test_routes_audited.py
fails when a new route is in neither, so a page cannot arrive without being audited.

`url` may hold placeholders the audit fills in for the server it runs against: {verify}, {reset}, {magic},
{welcome}, {email_change}, {email_undo}, {reminder} (fresh links for Grace; the reminder's names her next visit),
{service} (a bookable service), {receipt} (one of Ada's settled payments), {admin_invite} (a fresh invitation to
become an admin), {ada} (Ada's customer id). `opens` names what to open once the page is there (see OPENERS in
e2e/test_a11y.py). `admin` visits are made as the demo's admin (an owner); add every new admin page here with
admin=True.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Visit:
    id: str
    route: str  # the route as the app registers it
    url: str
    signed_in: bool = False  # as Ada, the demo customer
    opens: str = ''
    admin: bool = False  # as the demo's admin (an owner), in the admin area


VISITS: tuple[Visit, ...] = (
    # Getting in
    Visit('sign-in', '/login', '/login'),
    Visit('sign-up', '/signup', '/signup'),
    Visit('forgot', '/forgot', '/forgot'),
    Visit('magic-request', '/magic', '/magic'),
    Visit('magic-link', '/magic', '/magic?token={magic}'),
    Visit('reset', '/reset', '/reset?token={reset}'),
    Visit('reset-expired', '/reset', '/reset?token=no-such-token'),
    Visit('verify', '/verify', '/verify?token={verify}'),
    Visit('set-password', '/set-password', '/set-password?token={welcome}'),
    Visit('confirm-email', '/confirm-email', '/confirm-email?token={email_change}'),
    Visit('undo-email', '/undo-email', '/undo-email?token={email_undo}'),
    Visit('sign-out', '/logout', '/logout', signed_in=True),
    Visit('oidc-return', '/auth/oidc/callback', '/auth/oidc/callback'),
    # Booking
    Visit('book', '/book', '/book?service={service}'),
    Visit('book-signed-in', '/book', '/book?service={service}', signed_in=True),
    Visit('booked-held', '/book/done', '/book?service={service}', opens='booking'),
    Visit('booked', '/book/done', '/book?service={service}', signed_in=True, opens='booking'),
    Visit('booked-nothing', '/book/done', '/book/done'),
    Visit('book-confirm-dead-link', '/book/confirm', '/book/confirm?token=no-such-token'),
    Visit('reminder', '/reminder', '/reminder?token={reminder}&do=confirm'),
    Visit('reminder-dead-link', '/reminder', '/reminder?token=no-such-token&do=confirm'),
    # The panel, its sections, and each drawer and dialog
    Visit('appointments', '/', '/', signed_in=True),
    Visit('details', '/', '/', signed_in=True, opens='Details'),
    Visit('reschedule', '/', '/', signed_in=True, opens='Reschedule'),
    Visit('pay', '/', '/', signed_in=True, opens='Pay'),
    Visit('change-status', '/', '/', signed_in=True, opens='Change status'),
    Visit('packages', '/packages', '/packages', signed_in=True),
    Visit('package-pay', '/packages', '/packages', signed_in=True, opens='package Pay'),
    Visit('profile', '/profile', '/profile', signed_in=True),
    Visit('delete-account', '/profile', '/profile', signed_in=True, opens='Delete my account…'),
    Visit('security', '/security', '/security', signed_in=True),
    Visit('receipt', '/receipts/{payment_id}', '/receipts/{receipt}?view=1', signed_in=True),
    # The admin area
    Visit('admin-sign-in', '/admin/login', '/admin/login'),
    Visit('admin-invite', '/admin/invite', '/admin/invite?token={admin_invite}'),
    Visit('admin-invite-dead-link', '/admin/invite', '/admin/invite?token=no-such-token'),
    Visit('admin-overview', '/admin', '/admin', admin=True),
    Visit('admin-audit', '/admin/audit', '/admin/audit', admin=True),
    Visit('admin-calendar', '/admin/calendar', '/admin/calendar', admin=True),
    Visit('admin-calendar-day', '/admin/calendar', '/admin/calendar?view=day', admin=True),
    Visit('admin-appointments', '/admin/appointments', '/admin/appointments', admin=True),
    Visit('admin-appointment-new', '/admin/appointments', '/admin/appointments', admin=True,
          opens='New appointment'),
    Visit('admin-flagged-payments', '/admin/payments', '/admin/payments', admin=True),
    Visit('admin-appointment', '/admin/appointments', '/admin/appointments', admin=True, opens='appointment'),
    Visit('admin-services', '/admin/services', '/admin/services', admin=True),
    Visit('admin-service-form', '/admin/services', '/admin/services', admin=True, opens='New service'),
    Visit('admin-staff', '/admin/staff', '/admin/staff', admin=True),
    Visit('admin-staff-form', '/admin/staff', '/admin/staff', admin=True, opens='New staff member'),
    Visit('admin-locations', '/admin/locations', '/admin/locations', admin=True),
    Visit('admin-hours', '/admin/schedules', '/admin/schedules', admin=True),
    Visit('admin-customers', '/admin/customers', '/admin/customers', admin=True),
    Visit('admin-customers-found', '/admin/customers', '/admin/customers?q=ada', admin=True),
    Visit('admin-customer-form', '/admin/customers', '/admin/customers', admin=True, opens='New customer'),
    Visit('admin-customer', '/admin/customers/{customer_id}', '/admin/customers/{ada}', admin=True),
    Visit('admin-customer-close', '/admin/customers/{customer_id}', '/admin/customers/{ada}', admin=True,
          opens='Close the account…'),
    Visit('admin-ratings', '/admin/ratings', '/admin/ratings', admin=True),
    Visit('admin-packages', '/admin/packages', '/admin/packages', admin=True),
    Visit('admin-package-form', '/admin/packages', '/admin/packages', admin=True, opens='New package'),
    Visit('admin-admins', '/admin/admins', '/admin/admins', admin=True),
    Visit('admin-reminders', '/admin/reminders', '/admin/reminders', admin=True),
    Visit('admin-account', '/admin/account', '/admin/account', admin=True),
    Visit('admin-statuses', '/admin/statuses', '/admin/statuses', admin=True),
    Visit('admin-status-edit', '/admin/statuses', '/admin/statuses', admin=True, opens='status edit'),
    Visit('admin-status-merge', '/admin/statuses', '/admin/statuses', admin=True, opens='status merge'),
    Visit('admin-emails', '/admin/emails', '/admin/emails', admin=True),
    Visit('admin-email-preview', '/admin/emails', '/admin/emails', admin=True, opens='email preview'),
    Visit('admin-outbox', '/admin/outbox', '/admin/outbox', admin=True),
    Visit('admin-settings', '/admin/settings', '/admin/settings', admin=True),
    Visit('admin-designer', '/admin/designer', '/admin/designer', admin=True),
    Visit('admin-branding', '/admin/branding', '/admin/branding', admin=True),
    Visit('admin-preview', '/admin/preview', '/admin/preview', admin=True),
)

# Routes that are not pages a person reads, and why.
NOT_PAGES: dict[str, str] = {
    '/auth/finish': 'hands the new session to the browser and redirects',
    '/auth/oidc/start': 'redirects to the identity provider',
    '/webhooks/stripe': "Stripe's POST, no page",
    '/avatar/{customer_id}': 'an image',
    '/logo': "the business's logo, an image",
    '/staff-photo/{staff_id}': 'an image',
    '/robots.txt': 'text for crawlers',
    '/healthz': 'JSON for load balancers',
    '/admin/logout': "the admin's sign-out POST, no page",
    '/admin/appointments.csv': 'a CSV download',
    '/readyz': 'JSON for load balancers',
    '/metrics': 'Prometheus text for the operator, loopback only',
}
