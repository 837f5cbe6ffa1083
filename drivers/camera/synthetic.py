"""Frames made up on the spot: a camera for tests and the demo that needs no device.

With no photo it draws a moving test pattern (no face: the face path must answer with guidance). Built around a
photo, it places the photo in the frame at a chosen scale, with controlled brightness, blur and a small per-frame
jitter, so that the face path's guidance (closer, more light, hold still) can be exercised with real faces.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from drivers.camera.base import CameraConfigError, SourceBase


class SyntheticCamera(SourceBase):
    def __init__(
        self,
        size: tuple[int, int] = (640, 480),
        photo: np.ndarray | None = None,
        scale: float = 0.9,
        brightness: float = 1.0,
        blur: float = 0.0,
        jitter: int = 0,
        seed: int = 0,
    ) -> None:
        """``scale``: photo height as a share of the frame height; ``brightness``: gain on the pixels (1 = as is);
        ``blur``: Gaussian radius in frame pixels; ``jitter``: at most this many pixels of random shift per frame."""
        width, height = size
        if width < 16 or height < 16 or width * height > 12_000_000:
            raise CameraConfigError(f"synthetic camera: {width}x{height} is not a sensible frame size")
        if not (0 < scale <= 4 and 0 <= brightness <= 4 and blur >= 0 and jitter >= 0):
            raise CameraConfigError("synthetic camera: scale, brightness, blur or jitter out of range")
        self.size = self._size = (width, height)
        self._rng = np.random.default_rng(seed)
        self._count = 0
        self._jitter = jitter
        self._brightness = brightness
        self._blur = blur
        self._scene: Image.Image | None = None
        if photo is not None:
            self._scene = self._compose(photo, scale)

    def _compose(self, photo: np.ndarray, scale: float) -> Image.Image:
        """The photo scaled and centred on a plain grey background the size of the frame."""
        width, height = self._size
        image = Image.fromarray(np.ascontiguousarray(photo[:, :, :3])).convert("RGB")
        factor = scale * height / image.height
        image = image.resize(
            (max(1, round(image.width * factor)), max(1, round(image.height * factor))), Image.Resampling.LANCZOS
        )
        scene = Image.new("RGB", (width, height), (128, 128, 128))
        scene.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
        return scene

    def read(self) -> np.ndarray:
        self._check_open()
        self._count += 1
        if self._scene is None:
            frame = self._pattern()
        else:
            scene = self._scene
            if self._jitter:
                dx, dy = (int(v) for v in self._rng.integers(-self._jitter, self._jitter + 1, size=2))
                scene = scene.transform(scene.size, Image.Transform.AFFINE, (1, 0, dx, 0, 1, dy), fillcolor=(128,) * 3)
            if self._blur:
                scene = scene.filter(ImageFilter.GaussianBlur(self._blur))
            frame = np.asarray(scene, dtype=np.float32)
        if self._brightness != 1.0:
            frame = frame * self._brightness
        return frame.clip(0, 255).astype(np.uint8)  # not np.clip: its stubs type the result Any

    def _pattern(self) -> np.ndarray:
        """Colour bars that scroll one step per frame, with a little sensor noise."""
        width, height = self._size
        x = (np.arange(width) + 8 * self._count) % width
        bars = np.stack([(x * 255 // width), np.full(width, 128), 255 - (x * 255 // width)], axis=1)
        frame = np.broadcast_to(bars[None, :, :], (height, width, 3)).astype(np.float32)
        return frame + self._rng.normal(0, 3, size=frame.shape)
