"""Panel sizes and layouts: where the title, the body and each physical button's label go.

A :class:`PanelLayout` is the layout description of one panel model: type sizes (in px; both panels have about
0.2 mm per pixel, so the same pixel size is the same physical size) and the label area beside each physical button.
The buttons are named ``button1`` … in the order options are assigned to them; the daemon maps a press of
``buttonN`` to the N-th option drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from display.errors import BadParameters


class PanelSize(StrEnum):
    SMALL = "400x300"  # Waveshare 4.2", Inky wHAT
    LARGE = "800x480"  # Waveshare 7.5"

    @property
    def width(self) -> int:
        return int(self.value.split("x")[0])

    @property
    def height(self) -> int:
        return int(self.value.split("x")[1])

    @classmethod
    def parse(cls, value: str | PanelSize) -> PanelSize:
        try:
            return cls(value)
        except ValueError:
            raise BadParameters(f"panel size must be one of {', '.join(s.value for s in cls)}, got {value!r}") from None


@dataclass(frozen=True)
class Rect:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def contains(self, other: Rect) -> bool:
        return self.x0 <= other.x0 and self.y0 <= other.y0 and other.x1 <= self.x1 and other.y1 <= self.y1


@dataclass(frozen=True)
class ButtonSlot:
    """A physical button and the panel area its label is drawn in; ``side`` is the panel edge the button sits at."""

    name: str
    label_area: Rect
    side: str  # "bottom" or "right"


@dataclass(frozen=True)
class PanelLayout:
    size: PanelSize
    margin: int
    title_px: int
    body_px: int
    label_px: int
    big_px: int
    line_spacing: float
    buttons: tuple[ButtonSlot, ...]

    @property
    def button_band(self) -> Rect:
        """The strip the button labels occupy (below or right of the content when a screen has options)."""
        xs = [b.label_area for b in self.buttons]
        return Rect(min(r.x0 for r in xs), min(r.y0 for r in xs), max(r.x1 for r in xs), max(r.y1 for r in xs))

    def content_area(self, with_buttons: bool) -> Rect:
        full = Rect(self.margin, self.margin, self.size.width - self.margin, self.size.height - self.margin)
        if not with_buttons:
            return full
        band = self.button_band
        if self.buttons[0].side == "bottom":
            return Rect(full.x0, full.y0, full.x1, band.y0 - self.margin)
        return Rect(full.x0, full.y0, band.x0 - self.margin, full.y1)


def _bottom_row(width: int, height: int, count: int, band: int, gap: int) -> tuple[ButtonSlot, ...]:
    slot = (width - gap * (count + 1)) // count
    return tuple(
        ButtonSlot(f"button{i + 1}", Rect(gap + i * (slot + gap), height - band, gap + i * (slot + gap) + slot,
                                          height - 4), "bottom")
        for i in range(count))


def _right_column(width: int, height: int, count: int, band: int, gap: int) -> tuple[ButtonSlot, ...]:
    slot = (height - gap * (count + 1)) // count
    return tuple(
        ButtonSlot(f"button{i + 1}", Rect(width - band, gap + i * (slot + gap), width - 4,
                                          gap + i * (slot + gap) + slot), "right")
        for i in range(count))


LAYOUTS: dict[PanelSize, PanelLayout] = {
    # 4.2": three buttons in a row under the panel, one under each third.
    PanelSize.SMALL: PanelLayout(PanelSize.SMALL, margin=8, title_px=30, body_px=24, label_px=24, big_px=56,
                                 line_spacing=1.2, buttons=_bottom_row(400, 300, 3, band=76, gap=4)),
    # 7.5": three buttons in a column right of the panel, level with the thirds of its height.
    PanelSize.LARGE: PanelLayout(PanelSize.LARGE, margin=16, title_px=48, body_px=36, label_px=36, big_px=112,
                                 line_spacing=1.35, buttons=_right_column(800, 480, 3, band=236, gap=10)),
}


def layout_for(size: PanelSize | str) -> PanelLayout:
    return LAYOUTS[PanelSize.parse(size)]
