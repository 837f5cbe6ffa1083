"""What a screen shows, as data: a title, blocks of body content and the labels of its buttons.

Each screen's renderer builds a :class:`Content`; :mod:`display.compose` lays it out on a panel.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Notice:
    """A warning or an error drawn white on black, so that it stands out at a glance."""

    text: str


@dataclass(frozen=True)
class PinDots:
    """●●○○: how many digits are typed, never which."""

    entered: int
    length: int


@dataclass(frozen=True)
class BigText:
    """One large centred figure (the countdown of a face attempt)."""

    text: str


Block = Paragraph | Notice | PinDots | BigText


@dataclass(frozen=True)
class Label:
    option: str  # the option id the button selects
    text: str


@dataclass(frozen=True)
class Content:
    title: str
    blocks: tuple[Block, ...]
    labels: tuple[Label, ...] = ()
    corner: str | None = None  # a short mark at the top right (consent step "1/3", a staff mark)
    alert: bool = False  # an error or a warning: the title band is drawn white on black
