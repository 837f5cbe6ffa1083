"""The catalogue's screens as display draws them: every screen id has a renderer and golden images, the images
match pixel for pixel, and no text overflows its area or falls below the minimum size.

After an intended change of the look, regenerate the golden images and review the diff:
``.venv/bin/mynareader screens render --all --out docs/screens``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

import display
from display import PanelSize, layout_for
from display.compose import Rendering
from display.layout import Rect
from firmware.reception.types import Language
from firmware.reception.examples import examples
from firmware.reception.screens import CATALOGUE, ScreenId

GOLDEN = Path(__file__).resolve().parents[3] / "docs" / "screens"
MIN_BODY_PX = 20
CASES = [(size, lang, sid) for size in PanelSize for lang in Language for sid in CATALOGUE]


def test_every_catalogue_screen_has_a_renderer() -> None:
    assert set(display.SCREEN_IDS) == {sid.value for sid in ScreenId}


@pytest.fixture(scope="module")
def renderings() -> dict[tuple[PanelSize, Language, ScreenId], Rendering]:
    out = {}
    for size in PanelSize:
        for lang in Language:
            for sid, screen in examples(lang).items():
                out[(size, lang, sid)] = display.render(sid.value, screen.to_dict(), language=lang.value, size=size)
    return out


@pytest.mark.parametrize("size, lang, sid", CASES, ids=[f"{s.value}-{lang.value}-{i.value}" for s, lang, i in CASES])
def test_golden_image(renderings: dict[tuple[PanelSize, Language, ScreenId], Rendering], size: PanelSize,
                      lang: Language, sid: ScreenId) -> None:
    rendering = renderings[(size, lang, sid)]
    for number, page in enumerate(rendering.pages, start=1):
        path = GOLDEN / size.value / lang.value / (f"{sid.value}.png" if number == 1 else f"{sid.value}.p{number}.png")
        assert path.is_file(), f"no golden image {path}: run mynareader screens render --all --out docs/screens"
        with Image.open(path) as golden:
            assert golden.size == page.size and golden.mode == "1"
            diff = ImageChops.difference(golden, page).getbbox()
        assert diff is None, f"{path} differs in {diff}"


@pytest.mark.parametrize("size, lang, sid", CASES, ids=[f"{s.value}-{lang.value}-{i.value}" for s, lang, i in CASES])
def test_no_text_overflows_or_is_too_small(renderings: dict[tuple[PanelSize, Language, ScreenId], Rendering],
                                           size: PanelSize, lang: Language, sid: ScreenId) -> None:
    rendering = renderings[(size, lang, sid)]
    layout = layout_for(size)
    panel = Rect(0, 0, size.width, size.height)
    for placed in rendering.texts:
        assert placed.px >= layout.body_px, placed
        if placed.role == "title":
            assert placed.px > layout.body_px
        if placed.role == "label":
            assert any(area.contains(placed.box) for area in rendering.button_areas), placed
        else:
            assert rendering.content_area.contains(placed.box), placed
        assert panel.contains(placed.box)
        # Measured on the drawn pixels: a line with a kanji, a kana or a capital reaches the minimum height.
        if placed.role in ("body", "notice", "label", "title") and any(
                ch.isupper() or ord(ch) > 0x3000 for ch in placed.text):
            page = rendering.pages[placed.page - 1]
            crop = page.crop((placed.box.x0, placed.box.y0, placed.box.x1, placed.box.y1)).convert("L")
            if placed.role in ("notice", "label"):
                crop = ImageChops.invert(crop)  # white text on black
            ink = ImageChops.invert(crop).getbbox()
            assert ink is not None and ink[3] - ink[1] >= MIN_BODY_PX, (placed, ink)


def test_interactive_screens_fit_one_page(renderings: dict[tuple[PanelSize, Language, ScreenId], Rendering]) -> None:
    # A patient typing a PIN or choosing must see the whole question at once.
    for (size, lang, sid), rendering in renderings.items():
        if rendering.buttons or sid is ScreenId.PIN_ENTRY:
            assert len(rendering.pages) == 1, (size, lang, sid)


def test_buttons_carry_the_options_in_order() -> None:
    screen = examples(Language.JA)[ScreenId.CONSENT_CHECKUP]
    rendering = display.render("consent_checkup", screen.to_dict(), language="ja", size="800x480")
    assert rendering.buttons == (("button1", "agree"), ("button2", "disagree_or_under_40"), ("button3", "back"))
