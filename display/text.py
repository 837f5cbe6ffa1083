"""Line breaking and drawing of text at 1 bit.

Japanese breaks at phrase boundaries found by BudouX, English at spaces; a word that alone is wider than the line (a
long staff id or e-mail address in English too) then breaks between characters with the usual 禁則 rules. Text is
positioned by its baseline (anchor ``ls``), so BIZ UDGothic and the Noto fallback share one baseline whatever their
ascents.
"""

from __future__ import annotations

import functools

import budoux
from PIL import ImageDraw

from display.errors import TextDoesNotFit
from display.fonts import Face

# Characters that must not start a line (行頭禁則) and that must not end one (行末禁則).
_NO_LINE_START = frozenset("、。，．・：；？！ー」』）〕］｝〉》】ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々…‥%)]},.!?:;")
_NO_LINE_END = frozenset("「『（〔［｛〈《【([{")


@functools.cache
def _phrase_parser() -> budoux.Parser:
    return budoux.load_default_japanese_parser()


def _chunks(paragraph: str, language: str) -> list[str]:
    if language == "ja":
        return list(_phrase_parser().parse(paragraph))
    words = paragraph.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]]


def _split_by_characters(chunk: str, face: Face, max_width: float) -> list[str]:
    """Break a phrase wider than a line between characters, keeping 禁則 characters with their neighbour."""
    pieces: list[str] = []
    current = ""
    for ch in chunk:
        if current and face.width(current + ch) > max_width:
            if ch in _NO_LINE_START and len(current) > 1:
                pieces.append(current[:-1])
                current = current[-1]
            elif current[-1] in _NO_LINE_END and len(current) > 1:
                pieces.append(current[:-1])
                current = current[-1]
            else:
                pieces.append(current)
                current = ""
        current += ch
    if current:
        pieces.append(current)
    for piece in pieces:
        if face.width(piece) > max_width:
            raise TextDoesNotFit(f"{piece!r} is wider than {max_width:.0f} px at {face.size} px")
    return pieces


def wrap(text: str, face: Face, max_width: float, language: str) -> list[str]:
    """Lines of ``text`` (paragraphs separated by newlines), each at most ``max_width`` px wide."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for chunk in _chunks(paragraph, language):
            candidate = current + chunk
            if face.width(candidate.rstrip()) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current.rstrip())
                current = ""
            if face.width(chunk.rstrip()) <= max_width:
                current = chunk
            else:
                *full, current = _split_by_characters(chunk, face, max_width)
                lines.extend(full)
        lines.append(current.rstrip())
    return lines


def draw_line(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, face: Face, *,
              align: str = "left", fill: int = 0) -> float:
    """Draw one line with its left edge, centre or right edge at ``x``; returns the line's width."""
    width = face.width(text)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    for font, run in face.runs(text):
        draw.text((x, baseline), run, font=font, fill=fill, anchor="ls")
        x += font.getlength(run)
    return width
