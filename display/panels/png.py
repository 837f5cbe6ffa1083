"""A panel that writes each frame to a PNG file, for development and tests (``png:/path/screen.png``).

It follows the same refresh policy as the e-ink panels and keeps a count of each kind, so a test or a developer can
see what the real panel would have done. The file is replaced atomically, so a viewer never reads half a frame.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from PIL import Image

from display.layout import PanelSize
from display.panels.base import RefreshKind, RefreshPolicy, check_image


class PngPanel:
    def __init__(self, path: str | os.PathLike[str], size: PanelSize, *, full_every: int = 20) -> None:
        self.path = Path(path)
        self.size = size
        self.policy = RefreshPolicy(full_every)
        self.refreshes: Counter[RefreshKind] = Counter()

    def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
        check_image(image, self.size)
        kind = self.policy.decide(image.tobytes(), interactive)
        self.refreshes[kind] += 1
        if kind is not RefreshKind.SKIPPED:
            tmp = self.path.with_name(self.path.name + ".tmp")
            image.save(tmp, format="PNG", optimize=False)
            os.replace(tmp, self.path)
        return kind

    def close(self) -> None:
        pass
