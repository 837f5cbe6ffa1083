"""display draws what it is told: it imports nothing of firmware, drivers or protocol (DESIGN.md, the arrows)."""

from __future__ import annotations

import ast
from pathlib import Path

DISPLAY = Path(__file__).resolve().parents[2] / "display"
FORBIDDEN = ("firmware", "drivers", "protocol")


def test_display_imports_none_of_firmware_drivers_protocol() -> None:
    offenders = []
    files = sorted(DISPLAY.rglob("*.py"))
    assert files
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
