"""display on its own: text layout, glyph sizes, the fallback font, pagination, parameter checks, panels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

import display
from display import BadParameters, PanelSize, TextDoesNotFit, UnknownScreen, UnknownWording, layout_for
from display.compose import compose
from display.content import Content, Label, Paragraph
from display.fonts import Face, Weight
from display.panels import PanelError, PngPanel, RefreshKind, RefreshPolicy, open_panel
from display.text import wrap

MIN_BODY_INK = 20  # px: body glyphs on the 4.2" panel (≈ 3.5 mm)

INSERT = {"id": "insert_card", "language": "ja", "options": [], "visual_check_armed": False}


def ink_height(image: Image.Image) -> int:
    box = ImageChops.invert(image.convert("L")).getbbox()
    return 0 if box is None else box[3] - box[1]


def glyph_ink(face: Face, text: str) -> int:
    image = Image.new("1", (face.size * 3, face.size * 3), 255)
    draw = ImageDraw.Draw(image)
    for font, run in face.runs(text):
        draw.text((face.size // 2, face.size * 2), run, font=font, fill=0, anchor="ls")
    return ink_height(image)


@pytest.mark.parametrize("size", list(PanelSize))
def test_type_sizes_meet_the_minimum_in_ink(size: PanelSize) -> None:
    layout = layout_for(size)
    for px, minimum in ((layout.body_px, MIN_BODY_INK), (layout.label_px, MIN_BODY_INK),
                        (layout.title_px, MIN_BODY_INK + 4)):
        for weight in Weight:
            face = Face(px, weight)
            # kanji, kana, a capital letter: the shortest of each script must still reach the minimum
            for reference in ("漢", "あ", "H"):
                assert glyph_ink(face, reference) >= minimum, (size, px, weight, reference)


def test_rare_kanji_are_drawn_from_the_fallback_font_not_as_boxes() -> None:
    face = Face(24, Weight.REGULAR)
    runs = list(face.runs("𠮷田"))
    assert [run for _, run in runs] == ["𠮷", "田"]
    assert runs[0][0] is face.fallback and runs[1][0] is face.primary
    assert face.covers("𠮷")
    # The glyph drawn is not the primary font's "missing" box: it differs from BIZ UDGothic's rendering of it.
    with_fallback = Image.new("1", (40, 40), 255)
    ImageDraw.Draw(with_fallback).text((4, 32), "𠮷", font=face.fallback, fill=0, anchor="ls")
    primary_box = Image.new("1", (40, 40), 255)
    ImageDraw.Draw(primary_box).text((4, 32), "𠮷", font=face.primary, fill=0, anchor="ls")
    assert ImageChops.difference(with_fallback, primary_box).getbbox() is not None
    assert ink_height(with_fallback) >= MIN_BODY_INK


def test_japanese_breaks_at_phrase_boundaries() -> None:
    face = Face(24, Weight.REGULAR)
    lines = wrap("マイナンバーカードをカードリーダーに置いてください", face, 300, "ja")
    assert len(lines) > 1 and "".join(lines) == "マイナンバーカードをカードリーダーに置いてください"
    assert all(face.width(line) <= 300 for line in lines)
    assert lines[0].endswith("を") or lines[0].endswith("に")  # a phrase ends the line, not a cut word


def test_english_word_wider_than_the_box_breaks_between_characters() -> None:
    face = Face(24, Weight.REGULAR)
    lines = wrap("Staff: yoshida.takako@hosp.example.jp (staff key)", face, 200, "en")
    assert "".join(lines).replace(" ", "") == "Staff:yoshida.takako@hosp.example.jp(staffkey)"
    assert len(lines) > 2 and all(face.width(line) <= 200 for line in lines)


def test_long_text_paginates_instead_of_shrinking() -> None:
    long_reason = "点検のため休止しています。" * 20
    params = {"id": "out_of_service", "language": "ja", "options": [], "reason": long_reason[:400],
              "fault_codes": []}
    rendering = display.render("out_of_service", params, language="ja", size="400x300")
    assert len(rendering.pages) > 1
    body = [t for t in rendering.texts if t.role == "body"]
    assert {t.px for t in body} == {layout_for("400x300").body_px}
    assert [t.text for t in rendering.texts if t.role == "page"] == [
        f"{n}/{len(rendering.pages)}" for n in range(1, len(rendering.pages) + 1)]
    drawn = "".join(t.text for t in body)
    assert long_reason[:400].replace("。", "") in drawn.replace("。", "")  # every character made it onto a page


def test_label_too_long_for_its_button_is_refused() -> None:
    content = Content("T", (Paragraph("x"),), (Label("ok", "とても長いボタンのラベルで三行以上になるもの"),))
    with pytest.raises(TextDoesNotFit):
        compose(content, layout_for("400x300"), "ja")


@pytest.mark.parametrize("bad, error", [
    ({**INSERT, "visual_check_armed": "yes"}, BadParameters),
    ({**INSERT, "options": ["pin"]}, BadParameters),
    ({**INSERT, "surprise": 1}, BadParameters),
    ({k: v for k, v in INSERT.items() if k != "visual_check_armed"}, BadParameters),
    ({**INSERT, "id": "done"}, BadParameters),
])
def test_bad_parameters_are_typed_errors(bad: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        display.render("insert_card", bad, language="ja", size="400x300")


def test_unknown_screen_language_size_and_wording() -> None:
    with pytest.raises(UnknownScreen):
        display.render("fireworks", {}, language="ja", size="400x300")
    with pytest.raises(BadParameters):
        display.render("insert_card", INSERT, language="fr", size="400x300")
    with pytest.raises(BadParameters):
        display.render("insert_card", INSERT, language="ja", size="320x240")
    consent = {"id": "consent_medical", "language": "ja", "options": ["agree", "disagree"],
               "wording_version": "99", "step": 1, "steps": 3}
    with pytest.raises(UnknownWording):
        display.render("consent_medical", consent, language="ja", size="400x300")


def test_pin_entry_shows_dots_from_the_count_only() -> None:
    def pin(entered: int) -> Image.Image:
        params = {"id": "pin_entry", "language": "ja", "options": [], "entered": entered, "length": 4,
                  "tries_left": 3, "last_try": False, "previous_wrong": False, "smartphone": False}
        rendering = display.render("pin_entry", params, language="ja", size="400x300")
        assert not any(ch.isdigit() and ch not in "34" for t in rendering.texts for ch in t.text)
        return rendering.image
    images = [pin(n) for n in range(5)]
    blacks = [img.histogram()[0] for img in images]
    assert blacks == sorted(blacks) and len(set(blacks)) == 5  # each digit typed fills one more dot


def test_refresh_policy() -> None:
    policy = RefreshPolicy(full_every=2)
    a, b, c = b"a", b"b", b"c"
    assert policy.decide(a, interactive=True) is RefreshKind.FULL  # first frame: panel state unknown
    assert policy.decide(a, interactive=True) is RefreshKind.SKIPPED
    assert policy.decide(b, interactive=True) is RefreshKind.PARTIAL
    assert policy.decide(c, interactive=True) is RefreshKind.PARTIAL
    assert policy.decide(a, interactive=True) is RefreshKind.FULL  # every N partials: clear the ghosting
    assert policy.decide(b, interactive=False) is RefreshKind.FULL
    with pytest.raises(PanelError):
        RefreshPolicy(full_every=0)


def test_png_panel_writes_frames_and_refuses_wrong_images(tmp_path: Path) -> None:
    panel = open_panel(f"png:{tmp_path / 'screen.png'}", size=PanelSize.SMALL)
    assert isinstance(panel, PngPanel)
    image = display.render("insert_card", INSERT, language="ja", size="400x300").image
    assert panel.show(image) is RefreshKind.FULL
    assert panel.show(image) is RefreshKind.SKIPPED
    with Image.open(tmp_path / "screen.png") as written:
        assert ImageChops.difference(written.convert("1"), image).getbbox() is None
    with pytest.raises(PanelError):
        panel.show(Image.new("1", (800, 480), 255))
    with pytest.raises(PanelError):
        panel.show(Image.new("L", (400, 300), 255))


def test_hardware_panels_fail_clearly_without_their_libraries() -> None:
    with pytest.raises(PanelError, match="Waveshare"):
        open_panel("waveshare:epd4in2_V2")
    with pytest.raises(PanelError, match="unsupported"):
        open_panel("waveshare:epd13in3")
    with pytest.raises(PanelError):
        open_panel("hdmi:0")
