"""The repository stands alone: no file sends a reader to design notes or specifications kept outside it.

Only the code that reads the development photos (and says where it reads them) may name the folder beside the
repository that holds them; everything else points at docs/.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The readers of the development photos, which live outside the repository and are never copied into it.
DATA_READERS = {"tests/conftest.py", "firmware/face/evaluation.py", "benchmarks/face.py", "pyproject.toml"}
OUTSIDE = re.compile(r"\.\./shared|\bDESIGN\.md|\bspec/[\w.-]+\.md|\bspec §|mynumber-card\.md|pcsc-test-stack\.md"
                     r"|line-protocol-anchors|pi-hardware\.md")
SKIPPED_DIRS = {".git", ".venv", ".cache", "build", "node_modules", ".mypy_cache", ".pytest_cache", ".hypothesis"}


def repository_files() -> list[str]:
    """The tracked files (a checkout without git: every file outside the ignored folders)."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
        return [name for name in listed.stdout.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)
                and not any(part.endswith(".egg-info") for part in p.parts)]


def references_outside(text: str) -> list[str]:
    return [match.group(0) for match in OUTSIDE.finditer(text)]


def test_the_pattern_catches_what_it_is_for() -> None:
    assert references_outside("see ../shared/DESIGN.md and spec/reader-flow.md (spec §3.3)") == [
        "../shared", "DESIGN.md", "spec/reader-flow.md", "spec §"]
    assert references_outside("see docs/reader-flow.md and docs/card.md") == []


def test_no_file_points_outside_the_repository() -> None:
    offenders = []
    files = repository_files()
    assert "README.md" in files and "docs/card.md" in files
    for name in files:
        path = ROOT / name
        if name == "tests/test_standalone.py" or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images, COSE vectors: no prose
        found = references_outside(text)
        if name in DATA_READERS:
            found = [f for f in found if f != "../shared"]  # naming where the photos are read is their job
        offenders += [f"{name}: {f}" for f in found]
    assert offenders == []
