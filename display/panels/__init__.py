"""Panel backends: show a 1-bit image on an e-ink panel, or write it to a PNG file.

Chosen by a config URL: ``waveshare:epd4in2_V2``, ``waveshare:epd7in5_V2``, ``inky:what``, ``png:/path/screen.png``.
Hardware libraries are imported inside their backend, only when that backend is opened (Waveshare's drivers touch
the hardware at import time).
"""

from __future__ import annotations

from display.errors import PanelError
from display.layout import PanelSize
from display.panels.base import Panel, RefreshKind, RefreshPolicy
from display.panels.png import PngPanel

__all__ = ["Panel", "PanelError", "PngPanel", "RefreshKind", "RefreshPolicy", "open_panel"]


def open_panel(url: str, *, size: PanelSize | None = None, full_every: int = 20) -> Panel:
    """Open the panel named by ``url``; ``size`` is required for ``png:`` (the e-ink models know theirs)."""
    scheme, _, rest = url.partition(":")
    if scheme == "png":
        if not rest:
            raise PanelError("png: needs a file path, e.g. png:/run/mynareader/screen.png")
        return PngPanel(rest, size or PanelSize.SMALL, full_every=full_every)
    if scheme == "waveshare":
        from display.panels.waveshare import WavesharePanel
        return WavesharePanel(rest, full_every=full_every)
    if scheme == "inky":
        from display.panels.inky import InkyPanel
        return InkyPanel(rest)
    raise PanelError(f"unknown panel {url!r}: use waveshare:MODEL, inky:what or png:PATH")
