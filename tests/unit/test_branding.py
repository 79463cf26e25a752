"""Colours a person can read: WCAG contrast, and the shades the pages use for any primary colour a business picks."""

from __future__ import annotations

import pytest

from domain.branding import (
    DARK_BACKGROUNDS,
    LIGHT_BACKGROUNDS,
    WHITE,
    BadColor,
    Shades,
    brand_color_problem,
    contrast_ratio,
    palette,
    parse_hex,
    readable,
    relative_luminance,
    shades,
)


@pytest.mark.parametrize(('fg', 'bg', 'expected'), [
    ('#000000', '#ffffff', 21.0),
    ('#ffffff', '#ffffff', 1.0),
    ('#3b82f6', '#ffffff', 3.68),  # NiceGUI's default link blue: fails 4.5:1 (issue 17)
    ('#767676', '#ffffff', 4.54),  # the lightest grey that passes on white
    ('#777777', '#ffffff', 4.48),  # one step lighter fails
    ('#0f766e', '#ffffff', 5.47),  # the demo studio's teal
    ('#4f46e5', '#ffffff', 6.29),  # the default primary
    ('#fff', '#000', 21.0),  # three-digit form
])
def test_contrast_ratio_matches_wcag(fg: str, bg: str, expected: float) -> None:
    assert contrast_ratio(fg, bg) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(bg, fg) == pytest.approx(expected, abs=0.01)  # order does not matter


@pytest.mark.parametrize(('fg', 'bg', 'large', 'ok'), [
    ('#767676', '#ffffff', False, True),
    ('#777777', '#ffffff', False, False),
    ('#949494', '#ffffff', True, True),  # 3.03:1 is enough for large text
    ('#959595', '#ffffff', True, False),
])
def test_readable_is_4_5_or_3_for_large_text(fg: str, bg: str, large: bool, ok: bool) -> None:
    assert readable(fg, bg, large=large) is ok


@pytest.mark.parametrize('bad', ['blue', '#12345', '#gggggg', '', 'rgb(0,0,0)', '#1234567'])
def test_only_hex_colours_are_colours(bad: str) -> None:
    with pytest.raises(BadColor, match='#rrggbb'):
        parse_hex(bad)


# The default, the demo's, a business's pale yellow, a light sky blue, NiceGUI's blue, pure white, black, a mid grey.
PRIMARIES = ['#4f46e5', '#0f766e', '#fde047', '#7dd3fc', '#3b82f6', '#ffffff', '#000000', '#808080']


@pytest.mark.parametrize('primary', PRIMARIES)
@pytest.mark.parametrize('dark', [False, True], ids=['light', 'dark'])
def test_every_colour_of_the_palette_reads_whatever_the_business_picked(primary: str, dark: bool) -> None:
    colours = palette(primary, dark=dark)
    assert set(colours) == {'primary', 'positive', 'negative', 'warning', 'info'}
    for role, shade in colours.items():
        assert contrast_ratio(WHITE, shade.fill) >= 4.5, role  # white text on buttons, the top bar, notices
        for bg in DARK_BACKGROUNDS if dark else LIGHT_BACKGROUNDS:
            assert contrast_ratio(shade.text, bg) >= 4.5, (role, shade.text, bg)  # links, flat buttons, messages


@pytest.mark.parametrize('primary', ['#4f46e5', '#0f766e'])
def test_a_colour_that_passes_is_used_as_it_is(primary: str) -> None:
    assert shades(primary, dark=False) == Shades(fill=primary, text=primary)


def test_a_pale_colour_is_darkened_only_as_far_as_needed() -> None:
    fill = shades('#fde047', dark=False).fill
    assert fill != '#fde047'
    assert 4.5 <= contrast_ratio(WHITE, fill) < 4.8  # the nearest passing shade, not black
    r, g, b = parse_hex(fill)
    assert r > b and g > b  # still a yellow (an olive), not a grey


def test_nicegui_blue_links_become_readable() -> None:
    """The sign-in page's links were #3b82f6 on white, 3.68:1 (issue 17)."""
    text = shades('#3b82f6', dark=False).text
    assert contrast_ratio(text, '#ffffff') >= 4.5 and contrast_ratio(text, '#f6f7fb') >= 4.5


def test_dark_theme_text_is_lightened_and_fills_stay_dark() -> None:
    colour = shades('#4f46e5', dark=True)
    assert contrast_ratio(colour.text, '#0f1115') >= 4.5
    assert relative_luminance(colour.text) > relative_luminance('#4f46e5') >= relative_luminance(colour.fill)


@pytest.mark.parametrize(('color', 'problem'), [
    ('#4f46e5', None),
    ('#0f766e', None),
    ('#3b82f6', 'White text on #3b82f6 has a contrast of 3.68:1'),
    ('#FDE047', 'White text on #fde047 has a contrast of 1.'),
    ('yellow', '"yellow" is not a colour'),
])
def test_the_admin_area_refuses_a_colour_white_text_cannot_be_read_on(color: str, problem: str | None) -> None:
    said = brand_color_problem(color)
    found = None if said is None else str(said)  # the English (a Text, shown in the admin's language)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem)
        if found.startswith('White'):
            assert 'A darker shade such as #' in found
