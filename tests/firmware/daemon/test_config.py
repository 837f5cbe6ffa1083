"""The daemon's configuration file: every error names the key (dotted, as in the file) and the bad value; an empty
file runs the documented defaults; ``mynareader config check`` says the same with its exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.inputs.config import InputConfig
from firmware.daemon.config import DEFAULT_STATE_DIRECTORY, ConfigFileError, DaemonConfig, load_config, parse_config
from firmware.devices.backends import standard_registry
from firmware.devices.registry import DeviceConfig
from firmware.reception.config import FlowConfig, StaffCode, Timeouts
from firmware.reception.types import Language

MYNAREADER = Path(sys.executable).with_name("mynareader")


def _error(data: dict[str, object]) -> ConfigFileError:
    with pytest.raises(ConfigFileError) as caught:
        parse_config(data, standard_registry())
    return caught.value


def test_an_empty_file_is_the_documented_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("")
    config = load_config(path, standard_registry())
    assert config == DaemonConfig()
    assert config.devices == DeviceConfig() and config.flow == FlowConfig() and config.inputs == InputConfig()
    assert config.state_directory == DEFAULT_STATE_DIRECTORY and config.issuer_key is None


def test_a_full_file_sets_every_section(tmp_path: Path) -> None:
    staff = StaffCode.from_code("nurse-1", "246810")
    path = tmp_path / "config.toml"
    path.write_text(f"""
[devices]
card = "pcsc:ACS ACR1252 1S CL Reader PICC?phone=Sony"
camera = "v4l2:/dev/video2"
card_face_camera = "picamera2:1"
gpio = "mock"
panel = "png:/run/mynareader/screen.png"
audio = "wav:/tmp/voice"
host = "socket://reception:7000"

[flow]
face_max_attempts = 2
smartphone_reader = true
default_language = "en"

[flow.timeouts]
pin_entry = 45
device = 12.5

[[flow.staff_codes]]
staff_id = "nurse-1"
digest = "{staff.digest}"

[inputs]
buttons = ["GPIO2", "GPIO3", "GPIO4"]
scan_period = 0.01

[state]
directory = "/srv/mynareader"

[card]
issuer_key = "/etc/mynareader/issuer.pem"
""")
    config = load_config(path, standard_registry())
    assert config.devices.card_face_camera == "picamera2:1" and config.devices.host == "socket://reception:7000"
    assert config.flow.face_max_attempts == 2 and config.flow.smartphone_reader
    assert config.flow.default_language is Language.EN
    assert config.flow.timeouts == Timeouts(pin_entry=45, device=12.5)
    assert config.flow.staff_codes == (staff,) and config.flow.staff_for_code("246810") == "nurse-1"
    assert config.inputs.buttons == ("GPIO2", "GPIO3", "GPIO4") and config.inputs.scan_period == 0.01
    assert config.state_directory == Path("/srv/mynareader")
    assert config.issuer_key == Path("/etc/mynareader/issuer.pem")
    assert staff.digest not in repr(config.canonical())  # the configuration hash never carries a staff digest


@pytest.mark.parametrize(
    ("data", "key", "shown"),
    [
        ({"bogus": 1}, "bogus", "unknown key"),
        ({"devices": {"scanner": "v4l2:"}}, "devices.scanner", "unknown key"),
        ({"flow": {"face_attempts": 3}}, "flow.face_attempts", "unknown key"),
        ({"flow": {"timeouts": {"pin": 3}}}, "flow.timeouts.pin", "unknown key"),
        ({"state": {"dir": "/srv"}}, "state.dir", "unknown key"),
        ({"card": {"issuer": "/k.pem"}}, "card.issuer", "unknown key"),
        ({"flow": 3}, "flow", "3"),
        ({"flow": {"timeouts": 4}}, "flow.timeouts", "4"),
    ],
)
def test_unknown_keys_and_misplaced_tables_are_named(data: dict[str, object], key: str, shown: str) -> None:
    error = _error(data)
    assert error.key == key and str(error).startswith(f"{key}: ") and shown in str(error)


@pytest.mark.parametrize(
    ("data", "key", "value"),
    [
        ({"flow": {"face_max_attempts": "3"}}, "flow.face_max_attempts", "'3'"),
        ({"flow": {"face_enabled": 1}}, "flow.face_enabled", "1"),
        ({"flow": {"expiry_warning_days": True}}, "flow.expiry_warning_days", "True"),
        ({"flow": {"timeouts": {"pin_entry": "x"}}}, "flow.timeouts.pin_entry", "'x'"),
        ({"flow": {"default_language": "fr"}}, "flow.default_language", "'fr'"),
        ({"devices": {"camera": 3}}, "devices.camera", "3"),
        ({"devices": {"audio": False}}, "devices.audio", "False"),
        ({"inputs": {"buttons": "GPIO5"}}, "inputs.buttons", "'GPIO5'"),
        ({"inputs": {"buttons": [5, 6, 13]}}, "inputs.buttons", "[5, 6, 13]"),
        ({"inputs": {"staff_key": 26}}, "inputs.staff_key", "26"),
        ({"state": {"directory": 3}}, "state.directory", "3"),
        ({"card": {"issuer_key": ""}}, "card.issuer_key", "''"),
        ({"flow": {"staff_codes": {"staff_id": "a"}}}, "flow.staff_codes", "array of tables"),
    ],
)
def test_a_value_of_the_wrong_type_names_key_and_value(data: dict[str, object], key: str, value: str) -> None:
    error = _error(data)
    assert error.key == key and value in str(error), str(error)


@pytest.mark.parametrize(
    ("data", "key", "value"),
    [
        ({"flow": {"face_max_attempts": 0}}, "flow.face_max_attempts", "0"),
        ({"flow": {"reminder_beeps": 1000}}, "flow.reminder_beeps", "1000"),
        ({"flow": {"expiry_warning_days": 99999}}, "flow.expiry_warning_days", "99999"),
        ({"flow": {"keyswitch_staff_id": ""}}, "flow.keyswitch_staff_id", "''"),
        ({"flow": {"consent_wording_version": "9"}}, "flow.consent_wording_version", "'9'"),
        ({"flow": {"timeouts": {"pin_entry": -1}}}, "flow.timeouts.pin_entry", "-1"),
        ({"flow": {"timeouts": {"device": float("inf")}}}, "flow.timeouts.device", "inf"),
        ({"flow": {"timeouts": {"face_attempt": 1000}}}, "flow.timeouts.face_attempt", "1000"),
        ({"inputs": {"scan_period": 1.0}}, "inputs.scan_period", "1.0"),
        ({"inputs": {"stable_samples": 0}}, "inputs.stable_samples", "0"),
    ],
)
def test_a_value_out_of_range_names_key_and_value(data: dict[str, object], key: str, value: str) -> None:
    """The range checks are FlowConfig's, Timeouts' and InputConfig's own; the file reports them under the key."""
    error = _error(data)
    assert error.key == key and value in str(error), str(error)


def test_an_inconsistency_between_keys_is_named_by_its_section() -> None:
    error = _error({"inputs": {"buttons": ["GPIO5", "GPIO5", "GPIO6"]}})
    assert error.key == "inputs" and "GPIO5" in str(error)
    error = _error({"inputs": {"keypad_rows": ["GPIO17"]}})
    assert error.key == "inputs" and "4 row pins" in str(error)


@pytest.mark.parametrize("name", ["card", "camera", "card_face_camera", "gpio", "panel", "audio", "host"])
def test_a_device_url_no_backend_opens_is_named(name: str) -> None:
    error = _error({"devices": {name: "nosuchscheme:0"}})
    assert error.key == f"devices.{name}" and "'nosuchscheme:0'" in str(error) and "known:" in str(error)


def test_device_urls_are_only_looked_up_when_a_registry_is_given() -> None:
    """Without a registry (a tool reading the file for its values) the URL is kept as written."""
    assert parse_config({"devices": {"camera": "nosuchscheme:0"}}).devices.camera == "nosuchscheme:0"


def test_a_staff_code_entry_needs_its_digest_and_never_echoes_it() -> None:
    error = _error({"flow": {"staff_codes": [{"staff_id": "nurse-1"}]}})
    assert error.key == "flow.staff_codes[0].digest" and "missing" in str(error)
    error = _error({"flow": {"staff_codes": [{"digest": "0" * 64}]}})
    assert error.key == "flow.staff_codes[0].staff_id"
    bad = "ab" * 31 + "zz"
    error = _error({"flow": {"staff_codes": [{"staff_id": "nurse-1", "digest": bad}]}})
    assert error.key == "flow.staff_codes[0].digest" and bad not in str(error)
    error = _error({"flow": {"staff_codes": [{"staff_id": "nurse-1", "code": "246810"}]}})
    assert error.key == "flow.staff_codes[0].code" and "unknown key" in str(error)
    error = _error({"flow": {"staff_codes": ["nurse-1"]}})
    assert error.key == "flow.staff_codes[0]"
    digest = StaffCode.from_code("a", "135791").digest
    error = _error({"flow": {"staff_codes": [{"staff_id": "a", "digest": digest}, {"staff_id": "a", "digest": digest}]}})
    assert error.key == "flow" and "unique" in str(error)


def test_invalid_toml_and_an_unreadable_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[flow\nface_enabled = true\n")
    with pytest.raises(ConfigFileError, match="not valid TOML") as caught:
        load_config(path)
    assert str(path) in str(caught.value) and "line 1" in str(caught.value)
    path.write_bytes(b"[flow]\nkeyswitch_staff_id = '\xff'\n")
    with pytest.raises(ConfigFileError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigFileError, match="cannot read") as caught:
        load_config(tmp_path / "missing.toml")
    assert "missing.toml" in str(caught.value)
    with pytest.raises(ConfigFileError, match="cannot read"):
        load_config(tmp_path)  # a directory


def _check(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([str(MYNAREADER), "config", "check", str(path)], capture_output=True, text=True, env=env,
                          timeout=120)  # fmt: skip


def test_config_check_exit_statuses(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[devices]\ncamera = "files:/srv/frames"\n[flow.timeouts]\npin_entry = 30\n')
    result = _check(good)
    assert result.returncode == 0 and "valid" in result.stdout and not result.stderr

    bad = tmp_path / "bad.toml"
    bad.write_text("[flow.timeouts]\npin_entry = -5\n")
    result = _check(bad)
    assert result.returncode == 2 and not result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "flow.timeouts.pin_entry" in lines[0] and "-5" in lines[0] and str(bad) in lines[0]

    unknown_device = tmp_path / "device.toml"
    unknown_device.write_text('[devices]\npanel = "oled:ssd1306"\n')
    result = _check(unknown_device)
    assert result.returncode == 2 and "devices.panel" in result.stderr and "oled:ssd1306" in result.stderr

    result = _check(tmp_path / "absent.toml")
    assert result.returncode == 2 and "cannot read" in result.stderr and len(result.stderr.splitlines()) == 1


def test_docs_list_every_key_with_its_default() -> None:
    """docs/daemon.md's configuration tables: one row per key, showing the default the code has."""
    import dataclasses
    import json

    docs = (Path(__file__).resolve().parents[3] / "docs" / "daemon.md").read_text()
    for cls in (DeviceConfig, FlowConfig, Timeouts, InputConfig):
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in ("timeouts", "staff_codes"):
                continue  # tables of their own
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            shown = "none" if default is None else json.dumps(getattr(default, "value", default), ensure_ascii=False)
            if isinstance(default, float) and default.is_integer() and cls is Timeouts:
                shown = str(int(default))
            assert f"| `{f.name}` | `{shown}` |" in docs or f"| `{f.name}` | {shown} |" in docs, (cls.__name__, f.name)
    assert "| `state.directory` | `\"/var/lib/mynareader\"` |" in docs and "| `card.issuer_key` | none |" in docs


def test_an_empty_url_means_an_optional_device_is_not_fitted() -> None:
    config = parse_config({"devices": {"audio": "", "card_face_camera": ""}})
    assert config.devices.audio is None and config.devices.card_face_camera is None
