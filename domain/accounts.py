"""The rules of a customer's account: what a valid profile, email and password look like, and who may book.

Pure checks with everything passed in (today's date, the customer); each answers in words for the customer (a
`domain.i18n.Text`, shown in their language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.i18n import N_, Text, lazy
from domain.model import Customer
from domain.web import is_hidden_character

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 72  # zxcvbn refuses longer input, and Argon2 gains nothing from more
EMAIL_MAX_LENGTH = 254
PASSWORD_MIN_SCORE = 3  # zxcvbn's 0..4; 3 is "safely unguessable"
NAME_MAX_LENGTH = 80
# The choices' labels are marked texts: a page shows each in its reader's language.
GENDERS: dict[str, str] = {'': N_('Prefer not to say'), 'female': N_('Female'), 'male': N_('Male'),
                           'other': N_('Other')}

# One @, something on each side, a dot in the domain, no spaces: the shape of an address, not a promise it exists.
_EMAIL = re.compile(r'^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$')
_PHONE = re.compile(r'^\+?[0-9(][0-9 ()./-]{5,22}$')


def email_problem(email: str) -> Text | None:
    """An email must have the shape name@domain.tld and be at most 254 characters."""
    value = email.strip()
    if not value:
        return lazy('Enter your email address.')
    if len(value) > EMAIL_MAX_LENGTH or not _EMAIL.match(value):
        return lazy('Enter an email address like name@example.com.')
    return None


FIRST_NAME, LAST_NAME = 'first name', 'last name'
# Each name's three problems as whole sentences (a language may word "your first name" differently in each).
_NAME_WORDS = {
    FIRST_NAME: (lazy('Enter your first name.'),
                 lazy('Your first name can be at most %(limit)s characters.', limit=NAME_MAX_LENGTH),
                 lazy('Your first name contains characters that are not allowed.')),
    LAST_NAME: (lazy('Enter your last name.'),
                lazy('Your last name can be at most %(limit)s characters.', limit=NAME_MAX_LENGTH),
                lazy('Your last name contains characters that are not allowed.')),
}


def name_problem(value: str, *, label: str) -> Text | None:
    """A name (`label` FIRST_NAME or LAST_NAME) is required, at most 80 characters, and has no control,
    bidi-override or zero-width characters (they hide what a name says, or make it look like another)."""
    missing, too_long, hidden = _NAME_WORDS[label]
    value = value.strip()
    if not value:
        return missing
    if len(value) > NAME_MAX_LENGTH:
        return too_long
    if any(is_hidden_character(c) for c in value):
        return hidden
    return None


def phone_problem(phone: str) -> Text | None:
    """A phone number is optional; when given it is 6 to 23 digits with an optional leading + and separators."""
    value = phone.strip()
    if not value:
        return None
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or digits < 6 or digits > 15:
        return lazy('Enter a phone number with digits only, for example +49 30 1234567.')
    return None


def birth_date_problem(value: date | None, *, today: date) -> Text | None:
    """A date of birth is optional; it cannot be in the future nor more than 130 years ago."""
    if value is None:
        return None
    if value > today:
        return lazy('Your date of birth cannot be in the future.')
    if value.year < today.year - 130:
        return lazy('Check the year of your date of birth.')
    return None


def gender_problem(value: str) -> Text | None:
    """Gender is one of the offered choices (or not given)."""
    return None if value in GENDERS else lazy('Choose one of the offered options.')


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileInput:
    first_name: str
    last_name: str
    phone: str = ''
    birth_date: date | None = None
    gender: str = ''


def profile_problems(profile: ProfileInput, *, today: date) -> dict[str, Text]:
    """Every field of a profile checked at once: field name -> what to fix. Empty means it may be saved."""
    checks = {
        'first_name': name_problem(profile.first_name, label=FIRST_NAME),
        'last_name': name_problem(profile.last_name, label=LAST_NAME),
        'phone': phone_problem(profile.phone),
        'birth_date': birth_date_problem(profile.birth_date, today=today),
        'gender': gender_problem(profile.gender),
    }
    return {k: v for k, v in checks.items() if v}


@dataclass(frozen=True, slots=True)
class PasswordTip:
    key: str
    text: Text
    met: bool


def password_tips(password: str) -> tuple[PasswordTip, ...]:
    """The plain-language tips a new password should meet: length, letters, numbers, a special character."""
    return (
        PasswordTip('length', lazy('At least %(limit)s characters', limit=PASSWORD_MIN_LENGTH),
                    len(password) >= PASSWORD_MIN_LENGTH),
        PasswordTip('letters', lazy('Letters'), any(c.isalpha() for c in password)),
        PasswordTip('numbers', lazy('Numbers'), any(c.isdigit() for c in password)),
        PasswordTip('special', lazy('A special character, like ! ? # or a space'),
                    any(not c.isalnum() for c in password)),
    )


def password_problem(password: str, *, score: int) -> Text | None:
    """A new password needs the minimum length, at most 72 characters, and a zxcvbn score of at least 3."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return lazy('Use at least %(limit)s characters.', limit=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        return lazy('Use at most %(limit)s characters.', limit=PASSWORD_MAX_LENGTH)
    if score < PASSWORD_MIN_SCORE:
        return lazy('This password is too easy to guess. Add more words or mix in numbers and symbols.')
    return None


NO_ACCOUNT = lazy('We could not find your account.')


def why_cannot_book(customer: Customer | None) -> Text | None:
    """Only an active (not deleted) account may book."""
    if customer is None:
        return NO_ACCOUNT
    if not customer.active:
        return lazy('This account has been closed. Book with a new account instead.')
    return None


def may_see_avatar(*, owner_id: int, viewer_customer_id: int | None, viewer_is_admin: bool = False) -> bool:
    """A customer's photo is theirs: only its owner sees it (and the business's admins, once they sign in)."""
    return viewer_is_admin or (viewer_customer_id is not None and viewer_customer_id == owner_id)


def masked_email(email: str) -> str:
    """An address shown to whoever holds a link, before it acts: its first character and its domain (a***@x.com)."""
    local, at, domain = email.strip().partition('@')
    if not at:
        return '***'
    return f'{local[:1]}***@{domain}'


def guest_problems(*, first_name: str, last_name: str, email: str, phone: str) -> dict[str, Text]:
    """A guest's booking details follow the profile's rules: names required, a real-looking email, an optional
    phone. Field name -> what to fix; empty means they may be used."""
    checks = {
        'first_name': name_problem(first_name, label=FIRST_NAME),
        'last_name': name_problem(last_name, label=LAST_NAME),
        'email': email_problem(email),
        'phone': phone_problem(phone),
    }
    return {k: v for k, v in checks.items() if v}


def sign_in_too_long(email: str, password: str) -> bool:
    """What no account can have: an email or a password longer than any we accept is refused before any work."""
    return len(email) > EMAIL_MAX_LENGTH or len(password) > PASSWORD_MAX_LENGTH
