"""The hypothesis profiles of tests/conftest.py, seen from a pytest run of a small test module that uses them.

A test's own ``@settings(max_examples=...)`` must keep the profile's "no deadline" (a busy 2-core CI machine is
slower than hypothesis's default 200 ms allows) and, under ``--hypothesis-profile=ci``, its derandomization (the
same examples on every run); a test that sets a deadline of its own is refused.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")

SLOW = """
import os
import time

from hypothesis import given, settings, strategies as st


@settings(max_examples=3)
@given(st.integers())
def test_slower_than_the_default_deadline(n):
    time.sleep(0.25)
    with open(os.environ["EXAMPLES"], "a") as out:
        out.write(f"{n}\\n")
"""

OWN_DEADLINE = """
from hypothesis import given, settings, strategies as st


@settings(deadline=1000)
@given(st.integers())
def test_with_its_own_deadline(n):
    pass
"""


def run_pytest(tmp_path: Path, module: str, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    project = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n")  # the root here, not a directory above
    shutil.copy(CONFTEST, project / "conftest.py")
    (project / "test_probe.py").write_text(module)
    examples = project / "examples.txt"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=project,
                          capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "EXAMPLES": str(examples)})
    return done, examples.read_text().split() if examples.exists() else []


def test_own_settings_keep_no_deadline_and_ci_runs_the_same_examples_every_time(tmp_path: Path) -> None:
    first, seen_first = run_pytest(tmp_path, SLOW, "--hypothesis-profile=ci")
    second, seen_second = run_pytest(tmp_path, SLOW, "--hypothesis-profile=ci")
    local, seen_local = run_pytest(tmp_path, SLOW)
    for done in (first, second, local):
        assert done.returncode == 0, done.stdout + done.stderr
    assert len(seen_first) >= 3 and seen_first == seen_second
    assert len(seen_local) >= 3


def test_a_test_with_its_own_deadline_is_refused(tmp_path: Path) -> None:
    done, _ = run_pytest(tmp_path, OWN_DEADLINE)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "test_probe.py::test_with_its_own_deadline runs with deadline=0:00:01" in done.stderr
