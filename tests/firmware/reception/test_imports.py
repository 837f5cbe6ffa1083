"""The reception flow is pure: importing it loads no renderer, no device library, no I/O machinery.

Checked in a fresh interpreter, since this test process has long loaded all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("PIL", "fontTools", "budoux", "numpy", "serial", "smartcard", "gpiozero", "sqlite3", "asyncio", "socket")


def loaded_by(statement: str) -> list[str]:
    """The HEAVY top-level modules found in sys.modules after running ``statement`` in a new interpreter."""
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted({{m.partition('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    return [name for name in HEAVY if name in json.loads(done.stdout)]


@pytest.mark.parametrize("module", ["firmware.reception", "firmware.reception.testing", "firmware.reception.examples"])
def test_the_flow_loads_nothing_heavy(module: str) -> None:
    assert loaded_by(f"import {module}") == []


def test_the_probe_sees_a_heavy_import() -> None:
    # The check can fail: drawing a screen does load the renderer.
    assert loaded_by("import display; display.render") == ["PIL", "fontTools", "budoux"]
