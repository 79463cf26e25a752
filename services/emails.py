"""Every email Kairos sends, each kind defined once, worded through the catalogs in the recipient's language.

A kind (`EmailKind`) lists its placeholders and its parts: the subject, paragraphs, facts ("When: ..."), the link
with its button, the closing. Each part is a message id with `%(name)s` placeholders, so `make i18n-extract` finds
them and every shipped language has them. `render(kind, locale, values)` returns (subject, text, html): the text part
is the paragraphs with blank lines between them, the HTML part the same words in a simple, inline-styled layout, with
`lang` and `dir="rtl"` for Arabic. A value may itself be a Text (a status's label, a reason in words): it is
rendered in the same language first; every other value is data, shown as it is (HTML-escaped in the HTML part).

Who reads which language (`recipient_locale`): a customer their saved choice, else the business's default
language; staff the business's default language.

A business's own wording comes in layers, the first that has the kind wins:
  1. `overrides` passed to `render` (the admin area's own per-business, per-language emails: an `EmailOverride` with
     a subject, a text and optionally an HTML body, `$name` placeholders from the kind's list, string.Template, so a
     business editing one cannot run code);
  2. files in KAIROS_TEMPLATES_DIR: `<kind>.<locale>.txt`, else `<kind>.txt` (first line `Subject: ...`, a blank
     line, the body), and the HTML of the same name when there is one: the same placeholders;
  3. the kind's own parts, through the catalogs (and the business's text overrides, `text_overrides`).
"""

from __future__ import annotations

import html as html_lib
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from domain.i18n import N_, SOURCE_LOCALE, Overrides, Text, overrides_from_settings
from domain.settings import PanelSettings
from services import i18n
from services.config import get_config
from storage import email_templates as template_store
from storage.tenant_reads import TenantReads


class TemplateMissing(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph. With `when`, shown only when that placeholder has a value, else `otherwise` (when given)."""

    msgid: str
    when: str | None = None
    otherwise: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """A short table of (label msgid, placeholder) rows: 'When: Tue 24 Nov 2026, 10:00'; the first row's value
    stands out, the `struck` ones are crossed out in HTML (a time that no longer holds)."""

    rows: tuple[tuple[str, str], ...]
    struck: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """The email's link (the `link` placeholder): `msgid` introduces it, then the text part shows the address on a
    line of its own and the HTML part a button reading `button`. `key` names another placeholder, for an email with
    several links (a reminder's confirm, reschedule and cancel); a link without a value is left out, with its words."""

    msgid: str
    button: str
    key: str = 'link'


Block = Para | Facts | Link


@dataclass(frozen=True, slots=True)
class EmailKind:
    name: str  # also the outbox's "template" column and the override files' name
    subject: str
    blocks: tuple[Block, ...]
    placeholders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EmailOverride:
    """A business's own wording of one kind in one language: `$name` placeholders (string.Template)."""

    subject: str
    text: str
    html: str | None = None


# Common parts.
# Translators: the greeting of every email; %(name)s is the recipient's first name.
HELLO = Para(N_('Hello %(name)s,'), when='name', otherwise=N_('Hello,'))
SIGNATURE = Para('%(business)s')
# A first name to greet, for someone who gave none: the greeting then reads "Hello,".
THERE = ''


def _placeholders(*names: str) -> tuple[str, ...]:
    return ('business', 'name', *names)


APPOINTMENT_BOOKED = EmailKind(
    'appointment_booked',
    N_('Booked: %(service)s, %(when)s'),
    (HELLO,
     Para(N_('The appointment for %(service)s with %(staff)s (booked by %(customer)s) is in the diary.')),
     Facts(((N_('When'), 'when'), (N_('Where'), 'place'), (N_('Status'), 'status'))),
     Para(N_('The calendar entry is attached: open it to add the visit to your calendar.')),
     Link(N_('See, reschedule or pay for the booking:'), N_('See the booking')),
     SIGNATURE),
    _placeholders('service', 'staff', 'customer', 'when', 'place', 'status', 'link'))

APPOINTMENT_RESCHEDULED = EmailKind(
    'appointment_rescheduled',
    N_('New time for %(service)s: %(when)s'),
    (HELLO,
     Para(N_('The appointment for %(service)s with %(staff)s (booked by %(customer)s) has a new time.')),
     Facts(((N_('New time'), 'when'), (N_('Was'), 'previous_when'), (N_('Where'), 'place'),
            (N_('Status'), 'status')), struck=('previous_when',)),
     Para(N_('Reason given: %(reason)s'), when='reason'),
     Para(N_('The updated calendar entry is attached: open it to move the event in your calendar.')),
     Link(N_('See or change the booking:'), N_('See the booking')),
     SIGNATURE),
    _placeholders('service', 'staff', 'customer', 'when', 'previous_when', 'place', 'status', 'reason', 'link'))

APPOINTMENT_STATUS = EmailKind(
    'appointment_status',
    N_('%(service)s on %(when)s is now %(status)s'),
    (HELLO,
     Para(N_('The appointment for %(service)s with %(staff)s (booked by %(customer)s) changed from '
             '%(previous_status)s to %(status)s.')),
     Facts(((N_('When'), 'when'), (N_('Where'), 'place'))),
     Para(N_('Reason given: %(reason)s'), when='reason'),
     Para(N_('The updated calendar entry is attached.'), when='busy',
          otherwise=N_('The attached calendar file removes the event from your calendar.')),
     Link(N_('See the booking:'), N_('See the booking')),
     SIGNATURE),
    _placeholders('service', 'staff', 'customer', 'when', 'place', 'status', 'previous_status', 'reason', 'busy',
                  'link'))

BOOKING_HOLD = EmailKind(
    'booking_hold',
    N_('Confirm your booking at %(business)s'),
    (HELLO,
     Para(N_('A booking was made at %(business)s with this email address:')),
     Para(N_('%(service)s with %(staff)s, %(when)s')),
     Link(N_('It is not confirmed yet. To confirm it, open this link and press "Confirm booking":'),
          N_('Confirm booking')),
     Para(N_('We hold this time for %(minutes)s minutes. If you did not ask for this booking, ignore this email: '
             'nothing is booked and the time is released.')),
     SIGNATURE),
    _placeholders('service', 'staff', 'when', 'minutes', 'link'))

ACCOUNT_EXISTS = EmailKind(
    'account_exists',
    N_('You already have an account at %(business)s'),
    (HELLO,
     Para(N_('Someone (hopefully you) tried to sign up with this email address, but it already has an account.')),
     Link(N_('To sign in without your password, or to choose a new one, open this link:'),
          N_('Sign in or choose a password')),
     Para(N_('The link works once, for %(minutes)s minutes. If it was not you, ignore this email.')),
     SIGNATURE),
    _placeholders('link', 'minutes', 'hours'))

EMAIL_CHANGE = EmailKind(
    'email_change',
    N_('Confirm your new email address for %(business)s'),
    (HELLO,
     Link(N_('You asked to use this address for your account. Confirm it by opening this link:'),
          N_('Confirm this address')),
     Para(N_('Until you confirm, your account keeps using %(old_email)s. The link works for %(hours)s hours.')),
     SIGNATURE),
    _placeholders('link', 'old_email', 'minutes', 'hours'))

EMAIL_CHANGED = EmailKind(
    'email_changed',
    N_('Your email address for %(business)s was changed'),
    (HELLO,
     Para(N_('The email address of your account at %(business)s was changed to %(new_email)s on %(when)s.')),
     Para(N_('If that was you, there is nothing to do.')),
     Link(N_('If it was not you, undo it with this link: your account gets this address back and every device is '
             'signed out.'), N_('Undo the change')),
     Para(N_('The link works for %(hours)s hours.')),
     SIGNATURE),
    _placeholders('new_email', 'when', 'link', 'minutes', 'hours'))

MAGIC_LINK = EmailKind(
    'magic_link',
    N_('Your sign-in link for %(business)s'),
    (HELLO,
     Link(N_('Open this link to sign in without a password:'), N_('Sign in')),
     Para(N_('The link works once, for %(minutes)s minutes. If you did not ask for it, ignore this email.')),
     SIGNATURE),
    _placeholders('link', 'minutes', 'hours'))

PASSWORD_CHANGED = EmailKind(
    'password_changed',
    N_('Your password for %(business)s was changed'),
    (HELLO,
     Para(N_('The password of your account was changed on %(when)s. Every other device where you were signed in '
             'has been signed out.')),
     Link(N_('If you did not do this, reset your password now:'), N_('Reset your password')),
     SIGNATURE),
    _placeholders('when', 'link'))

PAYMENT_RECEIVED = EmailKind(
    'payment_received',
    N_('Payment received: %(amount)s, thank you'),
    (HELLO,
     Para(N_('Thank you: we received your payment of %(amount)s.')),
     Facts(((N_('For'), 'item'), (N_('Paid by'), 'method'), (N_('Date'), 'when'), (N_('Receipt number'), 'number'))),
     Link(N_('Your receipt is attached, and you can open it any time from your account:'),
          N_('Open the receipt')),
     SIGNATURE),
    _placeholders('amount', 'item', 'method', 'when', 'number', 'link'))

PAYMENT_REFUNDED = EmailKind(
    'payment_refunded',
    N_('Refund on its way: %(amount)s'),
    (HELLO,
     Para(N_('We refunded %(amount)s of your card payment to %(business)s.')),
     Facts(((N_('Refunded'), 'amount'), (N_('For'), 'item'), (N_('Paid on'), 'paid_when'),
            (N_('Refunded on'), 'when'))),
     Para(N_('The money goes back to the card you paid with. Banks usually take 5 to 10 business days to show it '
             'on your statement.')),
     Link(N_('See your bookings and payments:'), N_('Open your account')),
     SIGNATURE),
    _placeholders('amount', 'item', 'paid_when', 'when', 'link'))

RESET = EmailKind(
    'reset',
    N_('Reset your password for %(business)s'),
    (HELLO,
     Link(N_('Someone (hopefully you) asked to set a new password for your account. Open this link to choose '
             'one:'), N_('Choose a new password')),
     Para(N_('The link works once, for %(minutes)s minutes. If you did not ask for it, ignore this email: your '
             'password stays as it is.')),
     SIGNATURE),
    _placeholders('link', 'minutes', 'hours'))

VERIFY = EmailKind(
    'verify',
    N_('Confirm your email for %(business)s'),
    (HELLO,
     Link(N_('Thanks for signing up. Please confirm your email address by opening this link:'),
          N_('Confirm your email')),
     Para(N_('The link works for %(hours)s hours. If you did not sign up, you can ignore this email.')),
     SIGNATURE),
    _placeholders('link', 'minutes', 'hours'))

WELCOME = EmailKind(
    'welcome',
    N_('Welcome to %(business)s: set your password'),
    (HELLO,
     Link(N_('We created an account for you with this email address when you booked, so you can see and manage '
             'your appointments online. Choose a password here:'), N_('Choose a password')),
     Para(N_('The link works once, for %(hours)s hours. You can ask for a new one at any time with "Forgot '
             'password?" on the sign-in page.')),
     SIGNATURE),
    _placeholders('link', 'minutes', 'hours'))

ADMIN_INVITE = EmailKind(
    'admin_invite',
    N_('%(inviter)s invites you to run %(business)s in Kairos'),
    (HELLO,
     Link(N_('%(inviter)s invites you to help run the customer panel of %(business)s as %(role)s. Open this link to '
             'choose your password and sign in:'), N_('Accept the invitation')),
     Para(N_('The link works once, for %(hours)s hours. If you did not expect this invitation, ignore this email: '
             'no account is made.')),
     SIGNATURE),
    _placeholders('inviter', 'role', 'link', 'hours'))

# Reminders and follow-ups (services.reminders): each says how to turn them off.
REMINDERS_FOOTER = Para(N_('You get reminders because they are on in your profile. To stop them, turn off "Email me '
                           'reminders" in Profile: %(profile_link)s'))

REMINDER = EmailKind(
    'reminder',
    N_('Reminder: %(service)s, %(when)s'),
    (HELLO,
     Para(N_('This is a reminder of your appointment at %(business)s.')),
     Facts(((N_('What'), 'what'), (N_('When'), 'when'), (N_('Where'), 'place'), (N_('Join online'), 'meeting'))),
     Para(N_('Please confirm that you will come.'), when='confirm_link',
          otherwise=N_('We look forward to seeing you.')),
     Link(N_('Confirm your visit:'), N_('Confirm my visit'), key='confirm_link'),
     Link(N_('Need another time?'), N_('Reschedule'), key='reschedule_link'),
     Link(N_('Cannot come?'), N_('Cancel'), key='cancel_link'),
     Para(N_('The calendar entry is attached.')),
     SIGNATURE,
     REMINDERS_FOOTER),
    _placeholders('service', 'what', 'when', 'place', 'meeting', 'confirm_link', 'reschedule_link', 'cancel_link',
                  'profile_link'))

FOLLOW_UP = EmailKind(
    'follow_up',
    N_('How was your visit to %(business)s?'),
    (HELLO,
     Para(N_('Thank you for your visit: %(service)s with %(staff)s on %(when)s.')),
     Link(N_('Would you rate it? It takes a few seconds and helps us a lot.'), N_('Rate my visit')),
     SIGNATURE,
     REMINDERS_FOOTER),
    _placeholders('service', 'staff', 'when', 'link', 'profile_link'))

KINDS: dict[str, EmailKind] = {k.name: k for k in (
    ACCOUNT_EXISTS, ADMIN_INVITE, APPOINTMENT_BOOKED, APPOINTMENT_RESCHEDULED, APPOINTMENT_STATUS, BOOKING_HOLD,
    EMAIL_CHANGE, EMAIL_CHANGED, FOLLOW_UP, MAGIC_LINK, PASSWORD_CHANGED, PAYMENT_RECEIVED, PAYMENT_REFUNDED, REMINDER,
    RESET, VERIFY,
    WELCOME)}


def kind(name: str) -> EmailKind:
    found = KINDS.get(name)
    if found is None:
        raise TemplateMissing(f'no email named {name!r}')
    return found


def own_wording(session: Session, *, tenant_id: int, name: str, locale: str,
                reads: TenantReads | None = None) -> dict[tuple[str, str], EmailOverride]:
    """The business's own wording of the email `name` in `locale` (admin area, Emails), as the `overrides` that
    `render` takes: empty when the business uses Kairos's. `reads`: a booking's reads of the business's setup, which
    keep it (storage.tenant_reads)."""
    own = (template_store.template(session, tenant_id=tenant_id, kind=name, locale=locale) if reads is None
           else reads.email_template(session, kind=name, locale=locale))
    if own is None:
        return {}
    return {(name, locale): EmailOverride(subject=own.subject, text=own.text, html=own.html)}


def recipient_locale(*, saved: str | None, business_default: str | None, reading: str | None = None) -> str:
    """The language an email is written in: the recipient's saved choice (a customer's), else the language of the
    page they asked for it from (`reading`: a sign-up, a forgotten password, a guest's booking), else the business's
    default (always, for staff: pass saved=None)."""
    return i18n.choose_locale(saved or reading, None, business_default)


# ---- rendering -----------------------------------------------------------------------------------------------------


class _Values(dict[str, str]):
    """A placeholder the kind does not fill reads as nothing, never as an error."""

    def __missing__(self, key: str) -> str:
        return ''


def render(name: str, values: Mapping[str, object], /, *, locale: str = SOURCE_LOCALE,
           overrides: Mapping[tuple[str, str], EmailOverride] | None = None,
           text_overrides: Overrides | None = None) -> tuple[str, str, str | None]:
    """(subject, text, html) of the email `name` in `locale`, its placeholders filled from `values` (a Text value
    rendered in `locale`; None reads as nothing). `overrides` maps (kind, locale) to a business's own wording."""
    found = kind(name)
    filled = _fill(values, locale, text_overrides)
    own = (overrides or {}).get((name, locale)) or _file_override(name, locale)
    if own is not None:
        return _render_override(own, filled)
    return _render_kind(found, filled, locale, text_overrides)


def render_for(name: str, values: Mapping[str, object], /, *, locale: str, settings: PanelSettings,
               own: Mapping[tuple[str, str], EmailOverride] | None = None) -> tuple[str, str, str | None]:
    """The email `name` as this business words it, in `locale`: its own email first (`own`, from `own_wording`,
    read in the caller's transaction), then Kairos's parts with the business's text overrides. Every email a service
    sends is rendered here."""
    return render(name, values, locale=locale, overrides=own,
                  text_overrides=overrides_from_settings(settings.text_overrides))


def subject_for(name: str, values: Mapping[str, object], /, *, locale: str, settings: PanelSettings,
                own: Mapping[tuple[str, str], EmailOverride] | None = None) -> str:
    """Only the subject of `render_for`'s email (the same words, without rendering the body)."""
    found = kind(name)
    text_overrides = overrides_from_settings(settings.text_overrides)
    filled = _FilledWhenAsked(values, locale, text_overrides)  # a subject names a few of the values
    mine = (own or {}).get((name, locale)) or _file_override(name, locale)
    if mine is not None:
        return ' '.join(string.Template(mine.subject).safe_substitute(filled).split())
    return ' '.join(_say(found.subject, filled, locale, text_overrides).split())


def _fill(values: Mapping[str, object], locale: str, text_overrides: Overrides | None) -> _Values:
    return _Values({k: _fill_one(v, locale, text_overrides) for k, v in values.items()})


def _fill_one(value: object, locale: str, text_overrides: Overrides | None) -> str:
    return ('' if value is None else i18n.render(value, locale=locale, overrides=text_overrides)
            if isinstance(value, Text) else str(value))


class _FilledWhenAsked(_Values):
    """`_fill`'s values, each filled the first time a template asks for it."""

    def __init__(self, values: Mapping[str, object], locale: str, text_overrides: Overrides | None) -> None:
        super().__init__()
        self._values, self._locale, self._text_overrides = values, locale, text_overrides

    def __missing__(self, key: str) -> str:
        if key not in self._values:
            return ''
        filled = self[key] = _fill_one(self._values[key], self._locale, self._text_overrides)
        return filled


def _say(msgid: str, values: Mapping[str, str], locale: str, text_overrides: Overrides | None) -> str:
    try:
        return i18n.translator().gettext(msgid, locale=locale, overrides=text_overrides) % values
    except (ValueError, TypeError):
        if not text_overrides:
            raise
        # A business's wording saved before the English changed its placeholders: the catalog's still fits.
        return i18n.translator().gettext(msgid, locale=locale) % values


def _render_kind(found: EmailKind, values: _Values, locale: str,
                 text_overrides: Overrides | None) -> tuple[str, str, str]:
    def say(msgid: str) -> str:
        return _say(msgid, values, locale, text_overrides)

    subject = ' '.join(say(found.subject).split())  # a header is one line, whatever a value holds
    text_parts: list[str] = []
    html_parts: list[str] = []
    gap = 'left' if i18n.is_rtl(locale) else 'right'  # between a fact's label and its value, in reading order
    e = html_lib.escape
    for block in found.blocks:
        if isinstance(block, Para):
            msgid = block.msgid if block.when is None or values[block.when] else block.otherwise
            if msgid is None:
                continue
            words = say(msgid)
            if words.strip():
                text_parts.append(words)
                html_parts.append(f'<p style="margin:0 0 12px">{e(words)}</p>')
        elif isinstance(block, Facts):
            rows = [(say(label), key, values[key]) for label, key in block.rows if values[key]]
            text_parts.append('\n'.join(f'{label}: {value}' for label, _, value in rows))
            cells = ''.join(
                f'<tr><td style="padding:4px 0;padding-{gap}:16px;color:#52525b">{e(label)}</td>'
                f'<td style="padding:4px 0{";font-weight:600" if index == 0 else ""}">'
                f'{f"<s>{e(value)}</s>" if key in block.struck else e(value)}</td></tr>'
                for index, (label, key, value) in enumerate(rows))
            html_parts.append(f'<table role="presentation" style="margin:16px 0;border-collapse:collapse">{cells}'
                              '</table>')
        else:
            url = values[block.key]
            if not url:
                continue
            before = say(block.msgid)
            text_parts.append(f'{before}\n\n{url}')
            html_parts.append(f'<p style="margin:0 0 12px">{e(before)}</p>')
            html_parts.append(
                f'<p style="margin:24px 0"><a href="{e(url, quote=True)}" style="background:#4f46e5;'
                'color:#ffffff;padding:12px 20px;border-radius:8px;text-decoration:none;display:inline-block">'
                f'{e(say(block.button))}</a></p>')
    text = '\n\n'.join(p for p in text_parts if p) + '\n'
    return subject, text, _page(subject, '\n'.join(html_parts), locale)


def _page(subject: str, body: str, locale: str) -> str:
    lang = locale.replace('_', '-')
    direction = 'rtl' if i18n.is_rtl(locale) else 'ltr'
    align = 'right' if direction == 'rtl' else 'left'
    return (f'<!doctype html>\n<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
            f'<title>{html_lib.escape(subject)}</title></head>\n'
            '<body style="margin:0;padding:24px;background:#f4f4f5;font-family:system-ui,-apple-system,Segoe UI,'
            'Roboto,sans-serif;color:#18181b">\n'
            '<table role="presentation" width="100%" style="max-width:520px;margin:0 auto;background:#ffffff;'
            f'border-radius:12px;padding:28px;text-align:{align}" dir="{direction}">\n<tr><td>\n'
            f'<h1 style="font-size:20px;margin:0 0 16px">{html_lib.escape(subject)}</h1>\n{body}\n'
            '</td></tr></table></body></html>\n')


def _render_override(own: EmailOverride, values: _Values) -> tuple[str, str, str | None]:
    """The business's own wording: its text, and its HTML only when it wrote one (Kairos's own HTML would say
    something else)."""
    subject = ' '.join(string.Template(own.subject).safe_substitute(values).split())
    text = string.Template(own.text).safe_substitute(values)
    if own.html is None:
        return subject, text, None
    escaped = {k: html_lib.escape(v, quote=True) for k, v in values.items()}
    return subject, text, string.Template(own.html).safe_substitute(escaped)


def _file_override(name: str, locale: str) -> EmailOverride | None:
    """The business's own files in KAIROS_TEMPLATES_DIR: `<kind>.<locale>.txt`, else `<kind>.txt`; its HTML from
    the same name (so the two never disagree)."""
    folder = get_config().templates_dir
    if not folder:
        return None
    for stem in (f'{name}.{locale}', name):
        txt = Path(folder) / f'{stem}.txt'
        if txt.is_file():
            first, _, body = txt.read_text(encoding='utf-8').partition('\n')
            if not first.lower().startswith('subject:'):
                raise TemplateMissing(f'{txt.name} must start with a "Subject:" line')
            html_path = txt.with_suffix('.html')
            return EmailOverride(subject=first.split(':', 1)[1].strip(), text=body.lstrip('\n'),
                                 html=html_path.read_text(encoding='utf-8') if html_path.is_file() else None)
    return None
