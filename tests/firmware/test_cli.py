"""``mynareader``: the top level lists every group, and a command imports its own group only."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from firmware.cli import build_parser
from firmware.commands import GROUPS, CommandGroup

OURS = ("firmware", "drivers", "display", "protocol")
HEAVY = ("PIL", "fontTools", "budoux", "numpy", "cryptography", "smartcard", "serial", "cv2", "dlib")


def modules_after(statement: str) -> set[str]:
    """sys.modules after ``statement`` in a fresh interpreter."""
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(done.stdout))


def test_help_lists_every_group_and_loads_none() -> None:
    done = subprocess.run([sys.executable, "-m", "firmware.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert all(f"    {group.name}" in done.stdout for group in GROUPS)
    loaded = modules_after("from firmware.cli import build_parser; build_parser().format_help()")
    assert sorted(m for m in loaded if m.startswith(OURS)) == ["firmware", "firmware.cli", "firmware.commands"]
    assert sorted(m for m in loaded if m.partition(".")[0] in HEAVY) == []


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g.name)
def test_a_group_loads_its_own_module_and_no_other_group(group: CommandGroup) -> None:
    loaded = modules_after(f"from firmware.cli import build_parser; build_parser({group.name!r})")
    assert sorted(m for m in loaded if m.startswith("firmware.commands.")) == [group.module]


def test_voice_build_needs_no_card_stack_renderer_or_face_models() -> None:
    loaded = modules_after("from firmware.cli import build_parser; build_parser('voice')")
    assert sorted(m for m in loaded if m.partition(".")[0] in HEAVY) == []


def test_every_group_registers_its_sub_commands() -> None:
    for group in GROUPS:
        parser = build_parser(group.name)
        if group.name == "run":  # no sub-command: registered, it knows its handler and --config
            assert parser.parse_args(["run", "--config", "x.toml"]).handler is not None
            continue
        if group.name == "demo":  # no sub-command either: every scenario by default, a known one when named
            assert parser.parse_args(["demo"]).handler is not None
        with pytest.raises(SystemExit) as missing:
            parser.parse_args({"emulate-card": [group.name, "--profile", "nope"],
                               "demo": [group.name, "--scenario", "nope"]}.get(group.name, [group.name]))
        # The group's own rules apply (a sub-command, a known profile): unregistered, the words would parse.
        assert missing.value.code == 2


def test_an_unknown_command_is_refused() -> None:
    done = subprocess.run([sys.executable, "-m", "firmware.cli", "fly"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "invalid choice: 'fly'" in done.stderr
