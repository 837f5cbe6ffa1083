"""Pimoroni Inky wHAT (``inky:what``): black and white, no partial refresh, so every new frame is a full refresh."""

from __future__ import annotations

from typing import Any

from PIL import Image

from display.errors import PanelError
from display.layout import PanelSize
from display.panels.base import RefreshKind, RefreshPolicy, check_image


class InkyPanel:
    def __init__(self, model: str) -> None:
        if model != "what":
            raise PanelError(f"unsupported Inky model {model!r} (supported: what)")
        try:
            from inky import InkyWHAT
        except ImportError as exc:
            raise PanelError(f"cannot load the inky library ({exc}); install it on the Raspberry Pi") from exc
        self.size = PanelSize.SMALL
        self._inky: Any = InkyWHAT("black")
        # No partial refresh on Inky: every frame that differs is a full one (the policy still skips repeats).
        self.policy = RefreshPolicy(full_every=1)

    def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
        check_image(image, self.size)
        if self.policy.decide(image.tobytes(), interactive=False) is RefreshKind.SKIPPED:
            return RefreshKind.SKIPPED
        # Inky's palette: 0 = white, 1 = black; our 1-bit images use 255 = white.
        self._inky.set_image(image.point(lambda v: 0 if v else 1, mode="P"))
        self._inky.show()
        return RefreshKind.FULL

    def close(self) -> None:
        self.policy.forget()
