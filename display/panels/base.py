"""The panel interface and the refresh policy every e-ink backend shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from PIL import Image

from display.errors import PanelError
from display.layout import PanelSize


class RefreshKind(Enum):
    SKIPPED = "skipped"  # the same frame as on the panel: nothing to do
    PARTIAL = "partial"  # ~0.3 s, a little ghosting
    FULL = "full"  # seconds, flashes, clears the ghosting


class Panel(Protocol):
    size: PanelSize

    def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
        """Put ``image`` on the panel. ``interactive`` steps (the patient is pressing keys) want a partial refresh."""
        ...

    def close(self) -> None: ...


@dataclass
class RefreshPolicy:
    """Partial refresh for interactive steps, a full refresh every ``full_every`` partials (ghosting builds up) and
    for non-interactive screens, and identical frames skipped."""

    full_every: int = 20
    _last: bytes | None = None
    _partials: int = field(default=0)

    def __post_init__(self) -> None:
        if self.full_every < 1:
            raise PanelError(f"full_every must be at least 1, got {self.full_every}")

    def decide(self, frame: bytes, interactive: bool) -> RefreshKind:
        if frame == self._last:
            return RefreshKind.SKIPPED
        first = self._last is None
        self._last = frame
        if first or not interactive or self._partials >= self.full_every:
            self._partials = 0
            return RefreshKind.FULL
        self._partials += 1
        return RefreshKind.PARTIAL

    def forget(self) -> None:
        """The panel's content is unknown (after a sleep or a reset): the next frame is a full refresh."""
        self._last = None


def check_image(image: Image.Image, size: PanelSize) -> Image.Image:
    # A wrong-sized image shows blank on Waveshare panels without any error: refuse it here instead.
    if image.size != (size.width, size.height):
        raise PanelError(f"image is {image.size[0]}x{image.size[1]}, the panel is {size.value}")
    if image.mode != "1":
        raise PanelError(f"image mode must be '1' (1-bit), got {image.mode!r}")
    return image
