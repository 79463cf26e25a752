"""The domain's refusals are texts, not English sentences: the same refusal reads in the customer's language, with
its durations, counts and status names translated too; str() of it stays English for logs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain import history as dh
from domain import payments as dp
from domain import rules
from domain.accounts import FIRST_NAME, name_problem, password_tips
from domain.i18n import Text, text_from_data, text_to_data
from domain.model import DEFAULT_STATUSES, Appointment, Location, Service, Staff
from domain.settings import PanelSettings
from services.i18n import render
from services.ratelimit import TooManyAttempts

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STATUS = {s.key: s for s in DEFAULT_STATUSES}
SERVICE = Service(id=1, name='Cut', duration=timedelta(hours=1), price=4500)


def appt(status: str = 'approved', *, starts_in: timedelta = timedelta(days=3)) -> Appointment:
    start = NOW + starts_in
    return Appointment(id=1, customer_id=1, service=SERVICE, staff=Staff(id=1, name='Mia'),
                       location=Location(id=1, name='Main'), start=start, end=start + SERVICE.duration,
                       status=STATUS[status], price=4500, amount_paid=0)


def test_a_closed_window_reads_in_portuguese_and_arabic_with_the_duration_in_words() -> None:
    refusal = rules.why_not_reschedule(appt(starts_in=timedelta(minutes=90)), PanelSettings(), now=NOW)
    assert isinstance(refusal, Text)
    assert str(refusal) == 'Rescheduling closes 2 hours before the start.'
    assert render(refusal, locale='pt_PT') == 'O reagendamento fecha 2 horas antes do início.'
    assert render(refusal, locale='ar') == 'تُغلق إعادة الجدولة عندما يتبقى على البدء ساعتان.'
    assert render(refusal, locale='de') == 'Verschieben ist bis 2 Stunden vor Beginn möglich.'


def test_a_refusal_names_the_status_in_the_readers_language() -> None:
    refusal = rules.why_not_set_status(appt('canceled'), STATUS['approved'], PanelSettings(), now=NOW)
    assert str(refusal) == 'An appointment that is canceled cannot be changed online.'
    assert render(refusal, locale='pt_PT') == 'Uma marcação com o estado «cancelada» não pode ser alterada online.'
    assert render(refusal, locale='ar') == 'لا يمكن تغيير موعد حالته «ملغى» عبر الإنترنت.'
    # A status the business named itself is shown as it wrote it.
    own = replace(STATUS['canceled'], label='Called off')
    said = rules.why_not_change_status(replace(appt(), status=own), PanelSettings(), now=NOW)
    assert render(said, locale='pt_PT') == 'Uma marcação com o estado «called off» não pode ser alterada online.'


def test_a_list_of_statuses_is_joined_the_languages_way() -> None:
    refusal = rules.why_not_reschedule(appt('canceled'), PanelSettings(), now=NOW)
    assert str(refusal) == 'Only pending or approved appointments can be rescheduled online.'
    assert render(refusal, locale='es') == 'Solo se pueden cambiar de hora en línea las citas con el estado ' \
                                           'pendiente o aprobada.'
    assert render(refusal, locale='ar') == 'يمكن إعادة جدولة المواعيد عبر الإنترنت فقط إذا كانت حالتها ' \
                                           'قيد الانتظار أو مقبول.'


@pytest.mark.parametrize(('n', 'arabic'), [
    (1, 'يمكن حجز مقعد واحد على الأكثر في المرة الواحدة.'),
    (2, 'يمكن حجز مقعدين على الأكثر في المرة الواحدة.'),
    (5, 'يمكن حجز 5 مقاعد على الأكثر في المرة الواحدة.'),
    (12, 'يمكن حجز 12 مقعدًا على الأكثر في المرة الواحدة.'),
])
def test_counts_take_the_arabic_plural_forms(n: int, arabic: str) -> None:
    service = replace(SERVICE, capacity=n)
    refusal = rules.why_not_book_at(service, start=NOW + timedelta(days=2), now=NOW, seats=n + 1, zone=UTC)
    assert render(refusal, locale='ar') == arabic


def test_numbers_inside_a_refusal_are_grouped_the_readers_way() -> None:
    too_long = rules.text_problem('x' * 2001, limit=2000, what=rules.NOTES)
    assert str(too_long) == 'Please keep the notes under 2,000 characters.'
    assert render(too_long, locale='de') == 'Die Notizen dürfen höchstens 2.000 Zeichen lang sein.'


def test_account_rules_history_words_and_limits_speak_portuguese() -> None:
    assert render(name_problem('', label=FIRST_NAME), locale='pt_PT') == 'Introduza o seu nome próprio.'
    assert [render(tip.text, locale='pt_PT') for tip in password_tips('')][0] == 'Pelo menos 10 caracteres'
    assert render(dh.actor_words(dh.CUSTOMER), locale='pt_PT') == 'por si'
    assert render(TooManyAttempts(61).message, locale='pt_PT') == \
        'Demasiadas tentativas. Tente novamente daqui a 2 minutos.'
    assert render(dp.why_nothing_to_pay(appt('rejected')), locale='ar') == \
        'الموعد الذي حالته «مرفوض» لا يحتاج إلى دفع.'


def test_the_business_own_words_are_shown_as_they_are() -> None:
    settings = replace(PanelSettings(), hide_pay_now=True, offline_payment_instructions='Pague no balcão.')
    assert render(rules.why_not_pay(appt(), settings), locale='de') == 'Pague no balcão.'
    # Kept as Kairos wrote it, the default instructions follow the reader's language.
    kept = replace(PanelSettings(), hide_pay_now=True)
    assert render(rules.why_not_pay(appt(), kept), locale='pt_PT') == \
        'Pague na receção, com cartão ou em numerário, no dia da sua visita.'


def test_a_stored_note_comes_back_as_the_same_text() -> None:
    note = rules.why_not_reschedule(appt(starts_in=timedelta(minutes=30)), PanelSettings(), now=NOW)
    assert isinstance(note, Text)
    stored = text_to_data(note)
    assert text_from_data(stored) == note
    assert render(text_from_data(stored), locale='pt_PT') == 'As alterações fecham 60 minutos antes do início.'
    assert text_from_data('Paid at the desk by Ana') == 'Paid at the desk by Ana'  # a person's words stay as typed


def test_zxcvbns_advice_reads_in_the_customers_language() -> None:
    from services.accounts import ZXCVBN_FEEDBACK, strength

    score, hint = strength('abc')
    assert score < 3 and str(hint) in ZXCVBN_FEEDBACK  # every piece of advice zxcvbn gives is in the catalogs
    assert render(hint, locale='pt_PT') == 'Sequências como "abc" ou "6543" são fáceis de adivinhar.'
    assert render(hint, locale='ar') == 'التسلسلات مثل "abc" أو "6543" سهلة التخمين.'


def test_zxcvbns_advice_lists_everything_the_installed_zxcvbn_can_say() -> None:
    import ast
    from pathlib import Path

    import zxcvbn

    from services.accounts import ZXCVBN_FEEDBACK

    source = ast.parse((Path(zxcvbn.__file__).parent / 'feedback.py').read_text())
    said = {ast.literal_eval(node.args[0]) for node in ast.walk(source)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == '_'}
    assert said and said <= ZXCVBN_FEEDBACK, sorted(said - ZXCVBN_FEEDBACK)
