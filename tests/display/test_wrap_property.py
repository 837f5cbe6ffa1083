"""Line breaking as a property: any text comes out whole, in order, and every line fits its width."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from display.errors import TextDoesNotFit
from display.fonts import Face, Weight
from display.text import wrap

FACE = Face(24, Weight.REGULAR)
JAPANESE = st.text(alphabet="あいうえおかきくけこ漢字受付確認暗証番号、。「」ー・𠮷髙0123456789", min_size=1, max_size=80)
ENGLISH = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC.,'", min_size=1, max_size=12), min_size=1,
                   max_size=15).map(" ".join)


@settings(max_examples=60)
@given(text=JAPANESE, width=st.integers(min_value=60, max_value=380))
def test_japanese_lines_fit_and_keep_the_text(text: str, width: int) -> None:
    lines = wrap(text, FACE, width, "ja")
    assert "".join(lines) == text
    assert all(FACE.width(line) <= width for line in lines)


@settings(max_examples=60)
@given(text=ENGLISH, width=st.integers(min_value=150, max_value=380))
def test_english_lines_fit_and_keep_the_words(text: str, width: int) -> None:
    try:
        lines = wrap(text, FACE, width, "en")
    except TextDoesNotFit:
        assert any(FACE.width(word) > width for word in text.split(" "))
        return
    assert " ".join(lines).split() == text.split()
    assert all(FACE.width(line) <= width for line in lines)
