"""``mynareader screens render``: one PNG per catalogue screen, 1-bit, at the panel size asked for."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from firmware.cli import main
from firmware.reception.screens import CATALOGUE


def test_render_writes_one_png_per_screen(tmp_path: Path) -> None:
    assert main(["screens", "render", "--out", str(tmp_path), "--size", "800x480", "--lang", "en"]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written == sorted(f"{sid.value}.png" for sid in CATALOGUE)
    with Image.open(tmp_path / "pin_entry.png") as image:
        assert image.mode == "1" and image.size == (800, 480)
