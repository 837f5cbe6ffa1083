"""The daemon's configuration: one TOML file (``/etc/mynareader/config.toml`` on the device), checked whole at start.

Every key has a documented default (docs/daemon.md lists them), so an empty file is a valid configuration for the
Raspberry Pi parts the docs name. A key the reader does not know, a value of the wrong type or out of its range, or a
device URL no backend opens is a :class:`ConfigFileError` naming the key and the value; ``mynareader config check``
reports it without starting anything.

Sections: ``[devices]`` (device URLs, see :class:`firmware.devices.registry.DeviceConfig`), ``[flow]`` and
``[flow.timeouts]`` (:class:`firmware.reception.config.FlowConfig`), ``[[flow.staff_codes]]`` (``staff_id`` and the
code's ``digest``, never the code), ``[inputs]`` (GPIO pins, :class:`drivers.inputs.config.InputConfig`),
``[state]`` (``directory`` for keys, outbox and counters), ``[card]`` (``issuer_key``: the card face record issuer's
public key, PEM, optional).
"""

from __future__ import annotations

import dataclasses
import enum
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.inputs.config import InputConfig, InputConfigError
from firmware.devices.registry import BackendConfigError, DeviceConfig, Registry
from firmware.reception.config import ConfigError, FlowConfig, StaffCode, Timeouts

DEFAULT_PATH = Path("/etc/mynareader/config.toml")
DEFAULT_STATE_DIRECTORY = Path("/var/lib/mynareader")
OPTIONAL_DEVICES = frozenset({"card_face_camera", "audio"})  # devices a reader may lack: "" in the file


class ConfigFileError(ValueError):
    """A configuration the reader cannot run: ``key`` (dotted, as in the file) and what is wrong with its value."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}" if key else message)


@dataclass(frozen=True)
class DaemonConfig:
    devices: DeviceConfig = field(default_factory=DeviceConfig)
    flow: FlowConfig = field(default_factory=FlowConfig)
    inputs: InputConfig = field(default_factory=InputConfig)
    state_directory: Path = DEFAULT_STATE_DIRECTORY
    issuer_key: Path | None = None

    def canonical(self) -> dict[str, Any]:
        """The running configuration as plain data, for the result's configuration hash (no staff digests)."""
        flow = dataclasses.asdict(self.flow)
        flow["staff_codes"] = [code["staff_id"] for code in flow["staff_codes"]]
        return {
            "devices": dataclasses.asdict(self.devices),
            "flow": _plain(flow),
            "inputs": dataclasses.asdict(self.inputs),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def load_config(path: Path, registry: Registry | None = None) -> DaemonConfig:
    """Read and check ``path``; a missing file is an error (the service names its file)."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ConfigFileError("", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigFileError("", f"{path} is not valid TOML: {exc}") from None
    return parse_config(data, registry)


def parse_config(data: dict[str, Any], registry: Registry | None = None) -> DaemonConfig:
    _known(data, "", {"devices", "flow", "inputs", "state", "card"})
    devices_table = {key: (None if value == "" and key in OPTIONAL_DEVICES else value)
                     for key, value in _table(data, "devices").items()}  # "" = not fitted (TOML has no null)
    devices = _build(DeviceConfig, devices_table, "devices")
    if registry is not None:
        for name, kind, url in devices.devices():
            try:
                registry.backend(kind, url)
            except BackendConfigError as exc:
                raise ConfigFileError(f"devices.{name}", str(exc)) from None
    flow_table = dict(_table(data, "flow"))
    timeouts = _build(Timeouts, _table(flow_table, "timeouts", "flow."), "flow.timeouts")
    codes = flow_table.pop("staff_codes", [])
    flow_table.pop("timeouts", None)
    if not isinstance(codes, list):
        raise ConfigFileError("flow.staff_codes", "must be an array of tables ([[flow.staff_codes]])")
    staff = tuple(_staff_code(entry, i) for i, entry in enumerate(codes))
    flow = _build(FlowConfig, flow_table, "flow", timeouts=timeouts, staff_codes=staff)
    inputs = _build(InputConfig, _table(data, "inputs"), "inputs")
    state = _table(data, "state")
    _known(state, "state", {"directory"})
    card = _table(data, "card")
    _known(card, "card", {"issuer_key"})
    return DaemonConfig(devices, flow, inputs, _path(state, "directory", "state", DEFAULT_STATE_DIRECTORY),
                        _path(card, "issuer_key", "card", None))  # fmt: skip


def _table(data: dict[str, Any], name: str, prefix: str = "") -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigFileError(prefix + name, f"must be a table, got {value!r}")
    return value


def _known(table: dict[str, Any], section: str, names: set[str]) -> None:
    for key in table:
        if key not in names:
            where = f"{section}.{key}" if section else key
            raise ConfigFileError(where, f"unknown key (known: {', '.join(sorted(names))})")


def _path(table: dict[str, Any], key: str, section: str, default: Path | None) -> Any:
    value = table.get(key)
    if value is None:
        return default
    if not isinstance(value, str) or not value:
        raise ConfigFileError(f"{section}.{key}", f"must be a path, got {value!r}")
    return Path(value)


def _staff_code(entry: object, index: int) -> StaffCode:
    key = f"flow.staff_codes[{index}]"
    if not isinstance(entry, dict):
        raise ConfigFileError(key, "must be a table with staff_id and digest")
    _known(entry, key, {"staff_id", "digest"})
    for name in ("staff_id", "digest"):
        if name not in entry:
            raise ConfigFileError(f"{key}.{name}", "missing (an entry is a staff_id and the code's digest)")
    try:
        return StaffCode(entry.get("staff_id"), entry.get("digest"))  # type: ignore[arg-type]
    except ConfigError as exc:  # the digest's own value is never echoed: it is as good as the code to a guesser
        name = "digest" if "digest" in str(exc) else "staff_id"
        raise ConfigFileError(f"{key}.{name}", str(exc)) from None


T = typing.TypeVar("T")


def _build(cls: type[T], table: dict[str, Any], section: str, **given: Any) -> T:
    """``cls`` from the table's keys (each a field of ``cls``), converted to the field's type; the dataclass's own
    checks run last, and their message is reported under the section."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)} - set(given)  # type: ignore[arg-type]
    _known(table, section, names)
    values = dict(given)
    for key, raw in table.items():
        values[key] = _convert(hints[key], raw, f"{section}.{key}")
    try:
        return cls(**values)
    except (ConfigError, InputConfigError, TypeError, ValueError) as exc:
        raise _range_error(section, table, names, str(exc)) from None


def _range_error(section: str, table: dict[str, Any], names: set[str], message: str) -> ConfigFileError:
    """A dataclass's own check as a :class:`ConfigFileError` under the key it names. The checks begin their message
    with the field's name (``timeouts.`` before a timeout's); one that does not (an inconsistency between fields,
    such as a pin used twice) stays under the section. The value is added where the message leaves it out."""
    word = _FIELD_WORD.match(message.removeprefix("timeouts."))
    name = word.group(0) if word else ""
    if name not in names:
        return ConfigFileError(section, message)
    if name in table and repr(table[name]) not in message:
        message = f"{message} (got {table[name]!r})"
    return ConfigFileError(f"{section}.{name}", message)


_FIELD_WORD = re.compile(r"[a-z_]+")


_ARTICLE = {bool: "a", int: "an", float: "a", str: "a"}


def _convert(hint: Any, raw: object, key: str) -> object:
    """A TOML value as the field's type: enums from their value, tuples from arrays; other types are left to the
    dataclass's checks, except for the plain mismatches TOML makes easy (a string for a number)."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if raw is None:
            return None
        hint = next(a for a in args if a is not type(None))
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(raw)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in hint)
            raise ConfigFileError(key, f"{raw!r} is not one of {allowed}") from None
    if origin is tuple:
        if not isinstance(raw, list):
            raise ConfigFileError(key, f"must be an array, got {raw!r}")
        item = args[0] if args else object
        if isinstance(item, type) and not all(isinstance(v, item) for v in raw):
            raise ConfigFileError(key, f"must be an array of {item.__name__}, got {raw!r}")
        return tuple(raw)
    expected = {bool: (bool,), int: (int,), float: (int, float), str: (str,)}.get(hint)
    if expected is not None and (not isinstance(raw, expected) or (hint is not bool and isinstance(raw, bool))):
        raise ConfigFileError(key, f"must be {_ARTICLE[hint]} {hint.__name__}, got {raw!r}")
    return raw

