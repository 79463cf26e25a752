"""The rules of an account's fields, password tips and who may book, as tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.accounts import (
    birth_date_problem,
    email_problem,
    name_problem,
    password_problem,
    password_tips,
    phone_problem,
    why_cannot_book,
)
from domain.model import Customer
from tests.support.words import en

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(('email', 'ok'), [
    ('ada@example.com', True), (' Ada.L+panel@mail.example.org ', True), ('', False), ('ada@', False),
    ('ada@example', False), ('a b@example.com', False), ('ada@@example.com', False), ('x' * 250 + '@e.com', False),
])
def test_email_shape(email: str, ok: bool) -> None:
    assert (email_problem(email) is None) is ok


@pytest.mark.parametrize(('name', 'problem'), [
    ('Ada', None), ('Zoë Ørsted-Łukasiewicz', None), ('محمد', None), ('山田 太郎', None), ("O'Brien", None),
    ('', 'Enter your first name.'), ('   ', 'Enter your first name.'),
    ('x' * 81, 'Your first name can be at most 80 characters.'),
    ('Ada\nLovelace', 'Your first name contains characters that are not allowed.'),  # control
    ('Ada\x7f', 'Your first name contains characters that are not allowed.'),  # DEL
    ('Ad\u0085a', 'Your first name contains characters that are not allowed.'),  # C1 control
    ('\u202eecalevoL', 'Your first name contains characters that are not allowed.'),  # right-to-left override
    ('Ada\u2066x\u2069', 'Your first name contains characters that are not allowed.'),  # bidi isolate
    ('A\u200bda', 'Your first name contains characters that are not allowed.'),  # zero-width space
    ('A\u200dda', 'Your first name contains characters that are not allowed.'),  # zero-width joiner
    ('A\ufeffda', 'Your first name contains characters that are not allowed.'),  # zero-width no-break space
    ('Ad\u2028a', 'Your first name contains characters that are not allowed.'),  # line separator
])
def test_a_name_has_no_hidden_characters(name: str, problem: str | None) -> None:
    assert en(name_problem(name, label='first name')) == en(problem)


@pytest.mark.parametrize(('phone', 'ok'), [
    ('', True), ('+49 30 1234567', True), ('(030) 123-456', True), ('12345', False), ('call me', False),
    ('+1 234 567 890 123 456 7', False),
])
def test_phone_shape(phone: str, ok: bool) -> None:
    assert (phone_problem(phone) is None) is ok


@pytest.mark.parametrize(('born', 'problem'), [
    (None, None), (TODAY, None), (date(2026, 11, 24), 'Your date of birth cannot be in the future.'),
    (date(1890, 1, 1), 'Check the year of your date of birth.'),
])
def test_birth_date_not_in_the_future(born: date | None, problem: str | None) -> None:
    assert en(birth_date_problem(born, today=TODAY)) == en(problem)


@pytest.mark.parametrize(('password', 'met'), [
    ('', set()), ('abc', {'letters'}), ('1234567890', {'length', 'numbers'}), ('tandem 42!', {'length', 'letters',
                                                                                            'numbers', 'special'}),
])
def test_tips_tick_as_they_are_met(password: str, met: set[str]) -> None:
    assert {tip.key for tip in password_tips(password) if tip.met} == met


@pytest.mark.parametrize(('password', 'score', 'ok'), [
    ('short1!', 4, False), ('long enough but weak', 2, False), ('long enough and strong', 3, True),
    ('x' * 73, 4, False),
])
def test_a_new_password_needs_length_and_strength(password: str, score: int, ok: bool) -> None:
    assert (password_problem(password, score=score) is None) is ok


def test_only_an_active_account_may_book() -> None:
    active = Customer(id=1, tenant_id=1, first_name='A', last_name='B', email='a@b.co')
    closed = Customer(id=1, tenant_id=1, first_name='A', last_name='B', email='a@b.co',
                      deleted_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert why_cannot_book(active) is None
    assert en(why_cannot_book(closed)) == en('This account has been closed. Book with a new account instead.')
    assert en(why_cannot_book(None)) == 'We could not find your account.'
