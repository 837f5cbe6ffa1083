"""Card reader names: which role each reader serves, and which readers are emulations.

Roles are ``"card"`` for the card reader and ``"phone"`` for the separate NFC reader smartphones are held to: plain
strings here, which the firmware translates into the flow's own type. vpcd's readers ("Virtual PCD 00 00", …) hold
the emulated card behind the real pcscd, so only a reader's name tells an emulated card from a real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import parse_qs

EMULATED_READER_PREFIX = "Virtual PCD"


def is_emulated_reader(name: str) -> bool:
    return name.startswith(EMULATED_READER_PREFIX)


ROLES = ("card", "phone")


class ReaderRolesError(ValueError):
    """A reader-role rule or a ``pcsc:`` URL that cannot be used."""


@dataclass(frozen=True)
class ReaderRoles:
    """Reader-name patterns and the role each gives, first match wins; readers matching none are not watched.

    A pattern is a shell wildcard pattern matched against the start of the name (pcsc-lite appends slot numbers,
    as in ``"Virtual PCD 00 01"``), case-sensitively.
    """

    rules: tuple[tuple[str, str], ...] = (("*", "card"),)

    def __post_init__(self) -> None:
        for pattern, role in self.rules:
            if role not in ROLES:
                raise ReaderRolesError(f"reader role {role!r} is not one of {', '.join(ROLES)}")
            if not pattern:
                raise ReaderRolesError("a reader-name pattern must not be empty")

    @classmethod
    def from_url(cls, url: str) -> ReaderRoles:
        """``pcsc:`` (every reader is a card reader), ``pcsc:NAME`` (the card reader is NAME), and either with
        ``?phone=NAME`` (the smartphone reader)."""
        scheme, sep, rest = url.partition(":")
        if scheme != "pcsc" or not sep:
            raise ReaderRolesError(f"card URL {url!r} is not pcsc:[READER][?phone=READER]")
        card, _, query = rest.partition("?")
        options = parse_qs(query, keep_blank_values=True)
        unknown = sorted(set(options) - {"phone"})
        if unknown:
            raise ReaderRolesError(f"card URL {url!r}: unknown option {unknown[0]!r} (only phone=READER)")
        phone = [("".join(options["phone"][-1:]), "phone")] if "phone" in options else []
        return cls((*phone, (card or "*", "card")))

    def role_of(self, reader: str) -> str | None:
        for pattern, role in self.rules:
            if fnmatchcase(reader, pattern + "*"):
                return role
        return None
