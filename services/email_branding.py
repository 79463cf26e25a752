"""The business's look on its emails: the primary colour where the templates paint the brand colour, and its logo
above the message. Applied once, where every email is queued (services.mail.queue), so each template gets it."""

from __future__ import annotations

import functools
import html as html_lib

from domain import branding
from domain import model as d
from services.config import public_base

# The templates' brand colour (Kairos's default): their buttons are painted `background:<this>`.
TEMPLATE_COLOR = d.Branding().primary_color
LOGO_HEIGHT = 40


def brand(html: str | None, tenant: d.Tenant) -> str | None:
    """`html` in the business's colours and with its logo; the text part of an email needs neither."""
    if html is None:
        return None
    fill = _fill(tenant.branding.primary_color)
    html = html.replace(f'background:{TEMPLATE_COLOR}', f'background:{fill}')
    logo = tenant.branding.logo_url
    if logo and logo.startswith('/'):
        logo = public_base(tenant.host) + logo
    if logo and logo.startswith(('https://', 'http://')):
        image = (f'<img src="{html_lib.escape(logo, quote=True)}" alt="{html_lib.escape(tenant.name, quote=True)}" '
                 f'height="{LOGO_HEIGHT}" style="display:block;height:{LOGO_HEIGHT}px;margin:0 0 16px">')
        html = html.replace('<tr><td>', '<tr><td>' + image, 1)
    return html


@functools.lru_cache(maxsize=256)
def _fill(color: str) -> str:
    """The buttons' colour for a brand colour: worked out once per colour (every email asks it)."""
    try:
        # White text sits on the buttons: the shade of the colour it reads on (the admin area refuses worse).
        return branding.shades(color, dark=False).fill
    except branding.BadColor:
        return TEMPLATE_COLOR
