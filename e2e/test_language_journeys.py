"""Ada's whole visit in Portuguese and in Arabic, in a real Chromium at phone width: she signs in, moves an
appointment and pays a balance through Stripe's checkout (our loopback stand-in), and every screen reads her language:
its headings, dates with the language's month names, money as CLDR (Babel) writes it, <html lang dir>. In Arabic the
page is mirrored: drawers open from the left and the date picker's arrows point the other way. One browser context
per language, one page reused throughout; a screenshot of every step goes to e2e/artifacts/.

Ada has no saved language: her browser's (Accept-Language and navigator.language) picks it, so the journeys leave her
account as the other journeys expect it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_currency
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.conftest import ADA_EMAIL, ADA_PASSWORD, Server
from tests.support.fake_stripe import FakeStripe

PHONE = {'width': 390, 'height': 844}
DESKTOP = {'width': 1280, 'height': 800}


@dataclass(frozen=True)
class Speaks:
    """What a reader of one language sees (written out here, as a person would check it, not looked up in our
    catalogs)."""

    browser: str  # the browser's own language
    babel: str  # CLDR's locale, for month names and money
    lang: str  # <html lang>
    dir: str  # <html dir>
    sign_in_heading: str
    email: str
    password: str
    sign_in: str
    overview: str
    next_visit: str
    upcoming_tab: str
    reschedule: str
    now: str
    previous_month: str  # Quasar's words for the date picker's arrows
    next_month: str
    free_times: str
    new_time: str
    confirm_new_time: str
    moved: str
    pay: str
    amount_due: str
    card: str
    pay_by_card: str  # with {amount}
    paid_notice: str
    paid: str
    details: str
    close: str

    @property
    def tag(self) -> str:
        return self.babel.split('_')[0]

    @property
    def months(self) -> re.Pattern[str]:
        """Any month's name as CLDR writes it in a date of this language (janeiro ... dezembro, يناير ... ديسمبر)."""
        return _any_of(get_month_names('wide', locale=self.babel).values())

    @property
    def weekdays(self) -> re.Pattern[str]:
        """Any weekday's name, whole or short, as CLDR writes it in a date (terça-feira, terça, الثلاثاء)."""
        return _any_of([*get_day_names('wide', locale=self.babel).values(),
                        *get_day_names('abbreviated', locale=self.babel).values()])


def _any_of(names: Iterable[str]) -> re.Pattern[str]:
    return re.compile('|'.join(re.escape(name) for name in sorted(names, key=len, reverse=True)))


PORTUGUESE = Speaks(
    browser='pt-PT', babel='pt_PT', lang='pt-PT', dir='ltr',
    sign_in_heading='Inicie sessão na sua conta', email='Email', password='Palavra-passe', sign_in='Entrar',
    overview='Visão geral', next_visit='A sua próxima marcação', upcoming_tab='Próximas',
    reschedule='Remarcar', now='Atual:', previous_month='Mês anterior', next_month='Próximo mês',
    free_times='Horários livres em ', new_time='Novo horário: ', confirm_new_time='Confirmar novo horário',
    moved='Remarcada para ',
    pay='Pagar', amount_due='Valor em dívida', card='Cartão (pagamento seguro Stripe)',
    pay_by_card='Pagar {amount} com cartão', paid_notice='Pagamento recebido', paid='Pago', details='Detalhes',
    close='Fechar',
)
ARABIC = Speaks(
    browser='ar-EG', babel='ar', lang='ar', dir='rtl',
    sign_in_heading='سجّل الدخول إلى حسابك', email='البريد الإلكتروني', password='كلمة المرور',
    sign_in='تسجيل الدخول', overview='نظرة عامة', next_visit='موعدك القادم', upcoming_tab='القادمة',
    reschedule='تغيير الموعد', now='الحالي:', previous_month='الشهر السابق', next_month='الشهر القادم',
    free_times='الأوقات المتاحة يوم ', new_time='الموعد الجديد: ', confirm_new_time='تأكيد الموعد الجديد',
    moved='نُقل الموعد إلى ',
    pay='ادفع', amount_due='المبلغ المستحق', card='بطاقة (دفع آمن عبر Stripe)', pay_by_card='ادفع {amount} بالبطاقة',
    paid_notice='تم استلام الدفعة', paid='مدفوع', details='التفاصيل', close='إغلاق',
)


def settled(drawer: Locator) -> Locator:
    """The drawer's card once it has finished sliding in (its box is where it stays)."""
    card = drawer.locator('.k-drawer-card')
    expect(card).to_be_visible()
    # An animation replaced or cancelled mid-way (a re-render as the slots arrive) rejects its `finished`
    # promise, so wait until none is left running rather than on each one's success.
    drawer.evaluate('''async e => {
        for (let tries = 0; tries < 50; tries++) {
            const running = e.getAnimations({subtree: true});
            if (!running.length) return;
            await Promise.allSettled(running.map(a => a.finished));
        }
    }''')
    return card


def sign_in(page: Page, server: Server, words: Speaks, shots: Shots) -> None:
    page.goto(server.url + '/login')
    html = page.locator('html')
    expect(html).to_have_attribute('lang', words.lang)
    expect(html).to_have_attribute('dir', words.dir)
    expect(page.get_by_role('heading', name=words.sign_in_heading)).to_be_visible()
    shots.take('sign-in')
    page.get_by_label(words.email, exact=True).fill(ADA_EMAIL)
    page.get_by_label(words.password, exact=True).fill(ADA_PASSWORD)
    page.get_by_role('button', name=words.sign_in, exact=True).click()
    page.wait_for_url(lambda url: '/login' not in url, timeout=15_000)


@dataclass
class Shots:
    page: Page
    artifacts: Path
    language: str
    step: int = 0

    def take(self, what: str, *, full_page: bool = False) -> None:
        self.step += 1
        size = self.page.viewport_size or PHONE
        name = f'journey-{self.language}-{self.step:02d}-{what}-{size["width"]}x{size["height"]}.png'
        self.page.screenshot(path=self.artifacts / name, full_page=full_page)


def the_panel(page: Page, words: Speaks, shots: Shots) -> None:
    html = page.locator('html')
    expect(html).to_have_attribute('lang', words.lang)
    expect(html).to_have_attribute('dir', words.dir)
    overview = page.get_by_role('region', name=words.overview)
    expect(overview.get_by_text(words.next_visit)).to_be_visible()
    expect(overview).to_contain_text(words.months)  # the next visit's date, with the month in her language
    expect(page.get_by_role('tab', name=words.upcoming_tab)).to_be_visible()
    expect(page.get_by_role('article').first).to_be_visible()
    shots.take('panel', full_page=True)


def reschedule(page: Page, words: Speaks, shots: Shots) -> None:
    page.get_by_role('button', name=re.compile(f'^{re.escape(words.reschedule)}: ')).first.click()
    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_role('heading', name=words.reschedule, exact=True)).to_be_visible()
    expect(drawer.get_by_text(words.now, exact=True)).to_be_visible()
    card = settled(drawer)
    box = card.bounding_box()
    assert box is not None and box['width'] >= PHONE['width'] - 2  # a phone's drawer is the whole width
    times = drawer.get_by_role('group', name=re.compile(f'^{re.escape(words.free_times)}'))
    expect(times.get_by_role('button').first).to_be_visible()
    # The date picker in her language, its arrows along her line: "previous" points back, to the line's start.
    calendar = drawer.get_by_role('group', name=re.compile('^(Data|التاريخ)$'))
    expect(calendar).to_contain_text(words.months)
    previous = drawer.get_by_role('button', name=words.previous_month)
    following = drawer.get_by_role('button', name=words.next_month)
    back, forth = previous.bounding_box(), following.bounding_box()
    assert back and forth
    if words.dir == 'rtl':
        assert back['x'] > forth['x'], 'the previous month is at the right end of a right-to-left line'
        assert previous.inner_text() == 'chevron_right' and following.inner_text() == 'chevron_left'  # mirrored
    else:
        assert back['x'] < forth['x']
        assert previous.inner_text() == 'chevron_left' and following.inner_text() == 'chevron_right'
    shots.take('reschedule')

    times.get_by_role('button').first.click()
    choice = drawer.get_by_text(re.compile(f'^{re.escape(words.new_time)}'))
    expect(choice).to_be_visible()
    new_time = choice.inner_text().removeprefix(words.new_time)
    assert words.weekdays.search(new_time), new_time  # the new day, named in her language
    reason = drawer.get_by_role('textbox')  # asked for when the appointment was moved before
    if reason.count():
        reason.fill('Mudança de planos' if words.tag == 'pt' else 'تغيّرت خططي')
    shots.take('reschedule-chosen')
    drawer.get_by_role('button', name=words.confirm_new_time).click()
    expect(drawer).to_be_hidden()
    expect(page.get_by_text(f'{words.moved}{new_time}.')).to_be_visible()  # the notice
    expect(page.get_by_role('article').filter(has_text=new_time).first).to_be_visible()
    shots.take('moved')


def pay(page: Page, server: Server, fake_stripe: FakeStripe, words: Speaks, shots: Shots) -> None:
    button = page.get_by_role('button', name=re.compile(f'^{re.escape(words.pay)}: ')).first
    which = (button.get_attribute('aria-label') or '').removeprefix(f'{words.pay}: ')  # the card's own name
    button.click()
    drawer = page.get_by_role('dialog')
    expect(drawer.get_by_role('heading', name=words.pay, exact=True)).to_be_visible()
    label = drawer.get_by_text(words.amount_due, exact=True)
    expect(label).to_be_visible()
    amount = label.locator('xpath=following-sibling::*[1]').inner_text()
    drawer.get_by_role('radio', name=words.card).click()
    settled(drawer)
    shots.take('pay')
    drawer.get_by_role('button', name=words.pay_by_card.format(amount=amount)).click()

    page.wait_for_url(f'{fake_stripe.url}/pay/**')  # Stripe's hosted checkout (English: it is Stripe's page)
    charged = page.get_by_test_id('amount').inner_text()  # '45.00 EUR'
    value, currency = charged.split()
    # The drawer wrote the very amount Stripe charges, the way CLDR writes money in her language.
    assert amount == format_currency(Decimal(value), currency, locale=words.babel), (amount, charged)
    shots.take('checkout')
    page.get_by_role('button', name='Pay').click()

    page.wait_for_url(f'{server.url}/?paid=*')
    expect(page.locator('html')).to_have_attribute('dir', words.dir)
    expect(page.get_by_text(re.compile(f'^{re.escape(words.paid_notice)}'))).to_be_visible()
    card = page.get_by_role('article', name=which, exact=True)
    expect(card).to_contain_text(words.paid)
    expect(page.get_by_role('button', name=f'{words.pay}: {which}', exact=True)).to_have_count(0)
    shots.take('paid', full_page=True)


def drawer_side_on_a_desktop(page: Page, words: Speaks, shots: Shots) -> None:
    """On a wide screen the drawer is a strip at the end of the line: the right in Portuguese, the left in Arabic."""
    page.set_viewport_size(DESKTOP)
    page.get_by_role('button', name=re.compile(f'^{re.escape(words.details)}: ')).first.click()
    drawer = page.get_by_role('dialog')
    box = settled(drawer).bounding_box()
    assert box is not None and box['width'] < DESKTOP['width'] / 2
    if words.dir == 'rtl':
        assert box['x'] <= 1, f'the Arabic drawer opens from the left: {box}'
    else:
        assert box['x'] + box['width'] >= DESKTOP['width'] - 1, f'the drawer opens from the right: {box}'
    shots.take('details')
    drawer.get_by_role('button', name=words.close).first.click()
    expect(drawer).to_be_hidden()


@pytest.mark.parametrize('words', [PORTUGUESE, ARABIC], ids=['pt', 'ar'])
def test_ada_signs_in_reschedules_and_pays_in_her_language(browser: Browser, server: Server, fake_stripe: FakeStripe,
                                                           artifacts: Path, words: Speaks) -> None:
    context = browser.new_context(locale=words.browser, viewport=PHONE)
    try:
        page = context.new_page()
        shots = Shots(page, artifacts, words.tag)
        sign_in(page, server, words, shots)
        the_panel(page, words, shots)
        reschedule(page, words, shots)
        pay(page, server, fake_stripe, words, shots)
        drawer_side_on_a_desktop(page, words, shots)
    finally:
        context.close()
