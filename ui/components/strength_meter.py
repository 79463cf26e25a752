"""A password field with a show/hide toggle, and a live zxcvbn strength meter with tips that tick as they are met."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from nicegui import run, ui

from domain.accounts import PASSWORD_MAX_LENGTH, PASSWORD_MIN_SCORE, password_tips
from domain.i18n import N_
from services import accounts
from ui.i18n import show, t

# Translators: how strong a password is, shown after "Strength:".
WORDS = (N_('Very weak'), N_('Weak'), N_('Fair'), N_('Strong'), N_('Very strong'))
COLOURS = ('negative', 'negative', 'warning', 'positive', 'positive')


# The eye button's names for screen readers, whole sentences for each kind of password field ("Show %(what)s" would
# leave the translator a noun to guess the gender and case of).
TOGGLE_NAMES: dict[str, tuple[str, str]] = {
    'password': (N_('Show password'), N_('Hide password')),
    'current': (N_('Show current password'), N_('Hide current password')),
    'new': (N_('Show new password'), N_('Hide new password')),
    'confirm': (N_('Show password confirmation'), N_('Hide password confirmation')),
}
PasswordKind = Literal['password', 'current', 'new', 'confirm']


def password_field(label: str, *, mark: str, kind: PasswordKind = 'password',
                   autocomplete: str = 'new-password') -> ui.input:
    """A password input whose eye button says "Show password" / "Hide password" (or the current, new or confirmation
    password, by `kind`) to screen readers (`label` comes translated)."""
    field = ui.input(label, password=True).props(
        f'outlined autocomplete={autocomplete} maxlength={PASSWORD_MAX_LENGTH}').classes('w-full').mark(mark)
    state = {'shown': False}
    show_label, hide_label = (t(name) for name in TOGGLE_NAMES[kind])

    def toggle() -> None:
        state['shown'] = not state['shown']
        field.props(f'type={"text" if state["shown"] else "password"}')
        eye.props(f'icon={"visibility_off" if state["shown"] else "visibility"} '
                  f'aria-pressed={"true" if state["shown"] else "false"}')
        eye.props['aria-label'] = hide_label if state['shown'] else show_label  # by key: text, never parsed as props
        eye.update()

    with field.add_slot('append'):
        eye = ui.button(icon='visibility', on_click=toggle).props('flat round dense aria-pressed=false').mark(
            f'{mark}-toggle')
        eye.props['aria-label'] = show_label
    return field


class StrengthMeter:
    """Bar, words and tips for one password field; call `update(password)` on every change."""

    def __init__(self, user_inputs: Sequence[str]) -> None:
        self.user_inputs = [v for v in user_inputs if v]
        self.score = 0
        self._latest = ''
        with ui.column().classes('w-full gap-1').mark('strength'):
            with ui.row().classes('w-full items-center justify-between'):
                self.word = ui.label(t('Strength: not set')).classes('text-body2').props('aria-live=polite').mark(
                    'strength-word')
                self.hint = ui.label('').classes('text-caption k-muted')
            self.bar = ui.linear_progress(value=0, show_value=False, color='grey').props(
                'rounded size=8px animation-speed=150').classes('w-full')
            self.bar.props['aria-label'] = t('Password strength')
            self.tips = ui.column().classes('gap-0 q-mt-xs').props('role=list')
            self.tips.props['aria-label'] = t('Password tips')
        self._draw_tips('')

    async def update(self, password: str) -> None:
        password = (password or '')[:PASSWORD_MAX_LENGTH]
        self._latest = password
        self._draw_tips(password)
        score, hint = await run.io_bound(accounts.strength, password, self.user_inputs)
        if password != self._latest:  # a newer keystroke is already being scored
            return
        self.score = score if password else 0
        self.bar.value = (self.score + 1) / 5 if password else 0
        self.bar.props(f'color={COLOURS[self.score]}')
        self.word.text = t('Strength: %(word)s', word=t(WORDS[self.score])) if password else t('Strength: not set')
        self.hint.text = show(hint) if password and score < PASSWORD_MIN_SCORE else ''

    @property
    def strong_enough(self) -> bool:
        return self.score >= PASSWORD_MIN_SCORE

    def _draw_tips(self, password: str) -> None:
        self.tips.clear()
        with self.tips:
            for tip in password_tips(password):
                text = show(tip.text)
                row = ui.row().classes('items-center gap-2 no-wrap').props('role=listitem').mark(
                    f'tip-{tip.key}{"-met" if tip.met else ""}')
                row.props['aria-label'] = t('%(tip)s: done', tip=text) if tip.met else t('%(tip)s: not yet', tip=text)
                with row:
                    ui.icon('check_circle' if tip.met else 'radio_button_unchecked',
                            color='positive' if tip.met else 'grey-6').props('aria-hidden=true').classes('text-lg')
                    ui.label(text).classes('text-body2' + ('' if tip.met else ' k-muted'))
