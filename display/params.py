"""Checked access to a screen's plain parameters (the shape of the catalogue's ``Screen.to_dict()``).

A renderer reads each parameter through :class:`Params`, which checks its type and value; :meth:`Params.finish`
then rejects any parameter the renderer did not read, so a catalogue change that display does not know about fails
loudly instead of being drawn wrongly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from display.errors import BadParameters


class Params:
    def __init__(self, screen_id: str, values: Mapping[str, object]) -> None:
        self.screen_id = screen_id
        self._values = values
        self._read: set[str] = {"id", "language"}

    def _get(self, name: str) -> object:
        if name not in self._values:
            raise BadParameters(f"{self.screen_id}: parameter {name!r} is missing")
        self._read.add(name)
        return self._values[name]

    def _fail(self, name: str, want: str, got: object) -> BadParameters:
        return BadParameters(f"{self.screen_id}: parameter {name!r} must be {want}, got {got!r}")

    def integer(self, name: str, low: int, high: int) -> int:
        value = self._get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._fail(name, f"an int in {low}..{high}", value)
        return value

    def optional_int(self, name: str, low: int, high: int) -> int | None:
        return None if self._get(name) is None else self.integer(name, low, high)

    def flag(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            raise self._fail(name, "a bool", value)
        return value

    def choice(self, name: str, values: Collection[str]) -> str:
        value = self._get(name)
        if not isinstance(value, str) or value not in values:
            raise self._fail(name, f"one of {sorted(values)}", value)
        return value

    def optional_choice(self, name: str, values: Collection[str]) -> str | None:
        return None if self._get(name) is None else self.choice(name, values)

    def text(self, name: str, max_length: int) -> str:
        value = self._get(name)
        if not isinstance(value, str) or len(value) > max_length or not value.isprintable():
            raise self._fail(name, f"printable text of at most {max_length} characters", value)
        return value

    def optional_text(self, name: str, max_length: int) -> str | None:
        return None if self._get(name) is None else self.text(name, max_length)

    def optional_date(self, name: str) -> dt.date | None:
        value = self._get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._fail(name, "an ISO 8601 date", value)
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise self._fail(name, "an ISO 8601 date", value) from None

    def texts(self, name: str, max_items: int, max_length: int) -> list[str]:
        value = self._get(name)
        if not isinstance(value, list | tuple) or len(value) > max_items:
            raise self._fail(name, f"a list of at most {max_items} texts", value)
        for item in value:
            if not isinstance(item, str) or len(item) > max_length or not item.isprintable():
                raise self._fail(name, f"a list of texts of at most {max_length} characters", value)
        return list(value)

    def options(self, allowed: Collection[str]) -> list[str]:
        """The ``options`` list: option ids, each one this screen may offer, no repeats."""
        value = self._get("options")
        if not isinstance(value, list | tuple) or any(not isinstance(v, str) or v not in allowed for v in value):
            raise self._fail("options", f"a list drawn from {sorted(allowed)}", value)
        if len(set(value)) != len(value):
            raise self._fail("options", "a list without repeats", value)
        return list(value)

    def finish(self) -> None:
        extra = set(self._values) - self._read
        if extra:
            raise BadParameters(f"{self.screen_id}: unexpected parameters {sorted(extra)}")

