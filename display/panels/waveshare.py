"""Waveshare e-Paper panels through the ``waveshare-epaper`` package (``waveshare:epd4in2_V2``, ``…epd7in5_V2``).

The vendor modules open SPI and GPIO when imported, so the import happens here, when the panel is opened. Method
names differ between models (``display_Partial`` vs ``displayPartial``); this wrapper finds the one the model has.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from PIL import Image

from display.errors import PanelError
from display.layout import PanelSize
from display.panels.base import RefreshKind, RefreshPolicy, check_image

MODELS: dict[str, PanelSize] = {
    "epd4in2_V2": PanelSize.SMALL,
    "epd7in5_V2": PanelSize.LARGE,
}


def _import_driver(model: str) -> ModuleType:
    try:
        return importlib.import_module(f"waveshare_epd.{model}")
    except (ImportError, OSError) as exc:  # OSError: the vendor module loads a .so or opens /dev/spidev at import
        raise PanelError(f"cannot load the Waveshare driver {model!r} ({exc}); "
                         "install the pi extra on a Raspberry Pi with SPI enabled") from exc


class WavesharePanel:
    def __init__(self, model: str, *, full_every: int = 20) -> None:
        if model not in MODELS:
            raise PanelError(f"unsupported Waveshare model {model!r} (supported: {', '.join(MODELS)})")
        self.size = MODELS[model]
        self.policy = RefreshPolicy(full_every)
        self._epd: Any = _import_driver(model).EPD()
        self._epd.init()
        self._partial = self._method("display_Partial", "displayPartial")
        self._partial_mode = False

    def _method(self, *names: str) -> Any:
        for name in names:
            if hasattr(self._epd, name):
                return getattr(self._epd, name)
        raise PanelError(f"the Waveshare driver has none of {names}")

    def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
        check_image(image, self.size)
        kind = self.policy.decide(image.tobytes(), interactive)
        if kind is RefreshKind.FULL:
            if self._partial_mode:
                self._epd.init()  # the V2 drivers leave partial mode only through a fresh init
                self._partial_mode = False
            self._epd.display(self._epd.getbuffer(image))
        elif kind is RefreshKind.PARTIAL:
            self._partial(self._epd.getbuffer(image))
            self._partial_mode = True
        return kind

    def close(self) -> None:
        self._epd.sleep()
        self.policy.forget()
