"""The business's colours, judged the way WCAG 2.2 judges them: text must stand out from what is behind it.

Contrast is the ratio of the relative luminances (plus a small flare term) of two sRGB colours, from 1:1 (the same
colour) to 21:1 (black on white). Ordinary text needs 4.5:1, large text (24 px, or 18.66 px bold) and the parts of
a control 3:1. The pages ask `palette` for colours that pass with whatever primary colour the business picked; the
admin area asks `brand_color_problem` before it saves one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from domain.i18n import Text, lazy

TEXT = 4.5  # WCAG 1.4.3, ordinary text
LARGE_TEXT = 3.0  # WCAG 1.4.3 large text; 1.4.11 the parts of a control

WHITE = '#ffffff'
BLACK = '#000000'
# The page's own background in each theme (the page frame paints it), and every background text sits on: the page,
# a card, a dialog (Quasar's dark cards are #1d1d1d).
PAGE_LIGHT = '#f6f7fb'
PAGE_DARK = '#0f1115'
LIGHT_BACKGROUNDS = (WHITE, PAGE_LIGHT)
DARK_BACKGROUNDS = (PAGE_DARK, '#1d1d1d', '#121212')

_HEX = re.compile(r'#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})')


class BadColor(ValueError):
    def __init__(self, color: str) -> None:
        self.message = lazy('"%(color)s" is not a colour: write it as #rrggbb, for example #0f766e.', color=color)
        super().__init__(str(self.message))


def parse_hex(color: str) -> tuple[int, int, int]:
    """A colour written #rrggbb or #rgb, as its red, green and blue (0-255); anything else is refused."""
    found = _HEX.fullmatch(color.strip())
    if not found:
        raise BadColor(color)
    digits = found.group(1)
    if len(digits) == 3:
        digits = ''.join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def to_hex(rgb: tuple[float, float, float]) -> str:
    return '#' + ''.join(f'{max(0, min(255, round(c))):02x}' for c in rgb)


def relative_luminance(color: str) -> float:
    """WCAG's relative luminance: 0 for black, 1 for white, each channel linearised from sRGB."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in parse_hex(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str, bg: str) -> float:
    """How far apart two colours read, 1.0 to 21.0; the order of the two does not matter."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def readable(fg: str, bg: str, *, large: bool = False) -> bool:
    """Text in `fg` on `bg` meets WCAG AA: 4.5:1, or 3:1 for large text."""
    return contrast_ratio(fg, bg) >= (LARGE_TEXT if large else TEXT)


def mix(color: str, toward: str, amount: float) -> str:
    """`color` moved `amount` (0 to 1) of the way to `toward`, channel by channel."""
    a, b = parse_hex(color), parse_hex(toward)
    return to_hex((a[0] + (b[0] - a[0]) * amount, a[1] + (b[1] - a[1]) * amount, a[2] + (b[2] - a[2]) * amount))


def readable_variant(color: str, backgrounds: Iterable[str], *, toward: str, minimum: float = TEXT) -> str:
    """`color` itself when it reaches `minimum` against every background, else the nearest shade of it (mixed toward
    `toward`, black or white) that does. Keeps the business's hue, changes only how light it is."""
    behind = tuple(backgrounds)
    for step in range(0, 101):
        shade = mix(color, toward, step / 100)
        if all(contrast_ratio(shade, bg) >= minimum for bg in behind):
            return shade
    return toward


# Quasar's colour roles besides the business's primary: Tailwind's 700 shades, readable on white.
STATUS_COLORS: dict[str, str] = {'positive': '#15803d', 'negative': '#b91c1c', 'warning': '#b45309',
                                 'info': '#0369a1'}


@dataclass(frozen=True, slots=True, kw_only=True)
class Shades:
    """One colour role in two uses: `fill` lies under white text (buttons, the top bar, notices); `text` is the
    colour as text on the theme's backgrounds (links, flat buttons, a focused field's label, messages)."""

    fill: str
    text: str


def shades(color: str, *, dark: bool) -> Shades:
    """The colour where it passes, else the nearest passing shade of it: a pale yellow darkens until white text on
    it reads; in the dark theme text in the colour lightens until it stands out from the dark page."""
    fill = readable_variant(color, (WHITE,), toward=BLACK)
    if dark:
        text = readable_variant(color, DARK_BACKGROUNDS, toward=WHITE)
    else:
        text = readable_variant(fill, LIGHT_BACKGROUNDS, toward=BLACK)
    return Shades(fill=fill, text=text)


def palette(primary: str, *, dark: bool) -> dict[str, Shades]:
    """Every colour role a page draws with (primary, positive, negative, warning, info), readable in its theme."""
    return {'primary': shades(primary, dark=dark),
            **{role: shades(color, dark=dark) for role, color in STATUS_COLORS.items()}}


def brand_color_problem(color: str) -> Text | None:
    """None when white text on the colour (buttons, the top bar) reads well enough; otherwise why not, in words
    for the business. The page would darken such a colour to cope; the admin area refuses to save it."""
    try:
        ratio = contrast_ratio(WHITE, color)
    except BadColor as bad:
        return bad.message
    if ratio < TEXT:
        suggestion = readable_variant(color, (WHITE,), toward=BLACK)
        return lazy('White text on %(color)s has a contrast of %(ratio)s:1; buttons and the top bar need at least '
                    '%(minimum)s:1 to be readable. A darker shade such as %(suggestion)s works.',
                    color=color.strip().lower(), ratio=f'{ratio:.2f}', minimum=str(TEXT), suggestion=suggestion)
    return None
