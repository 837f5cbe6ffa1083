"""Typed errors of the card driver.

Every error a caller can meet derives from :class:`CardError`. Errors caused by a status word carry it (``sw``) and
the name of the command that got it; like gpiozero's, several also derive from the builtin they resemble so that
generic handlers keep working. No error text ever contains the data of a VERIFY command.
"""

from __future__ import annotations


class CardError(Exception):
    """Base of every error raised by :mod:`drivers.card`."""


class ServiceUnavailable(CardError, ConnectionError):
    """The PC/SC service (pcscd) is not running or went away; the driver reconnects on the next call."""


class NoReader(CardError, LookupError):
    """No card reader is attached (or the named one is not)."""


class NoCard(CardError):
    """The reader holds no card."""


class MuteCard(CardError):
    """A card is in the reader but does not answer: no chip, or a broken one (the patient is told it is unreadable)."""


class CardRemovedError(CardError, ConnectionError):
    """The card left the reader, possibly in the middle of a command. Nothing read so far is kept."""


class CardCommunicationError(CardError, IOError):
    """The reader or card failed to answer at the transport level (not a status word)."""


class MalformedResponse(CardError, ValueError):
    """The card answered with data that does not parse: a truncated TLV, a length beyond the file, bad DER, …

    ``sw`` is the status word that came with it when one did (e.g. an endless 61xx chain), else None.
    """

    def __init__(self, message: str, sw: int | None = None) -> None:
        self.sw = sw
        super().__init__(message if sw is None else f"{message} (SW {sw:04X})")


class InvalidPinFormat(CardError, ValueError):
    """A PIN or code was refused before any APDU was sent, so it cost no try."""


class StatusWordError(CardError):
    """The card answered a command with a status word other than 90 00."""

    def __init__(self, sw: int, command: str, message: str | None = None) -> None:
        self.sw = sw
        self.command = command
        text = message or self.__class__.__doc__ or "card error"
        super().__init__(f"{command}: SW {sw:04X}: {text.strip().splitlines()[0]}")


class WrongPin(StatusWordError):
    """The PIN was wrong; ``tries_left`` attempts remain before the PIN locks."""

    def __init__(self, sw: int, command: str, tries_left: int) -> None:
        self.tries_left = tries_left
        super().__init__(sw, command, f"wrong PIN, {tries_left} tries left")


class PinBlocked(StatusWordError):
    """The PIN is locked (63C0, 6983 or 6984); only the municipal office can reset it."""


class SecurityStatusNotSatisfied(StatusWordError, PermissionError):
    """The command needs a successful VERIFY first (6982)."""


class FileNotFound(StatusWordError, FileNotFoundError):
    """No such application or file on this card (6A82)."""


class RecordNotFound(StatusWordError, LookupError):
    """No such record (6A83)."""


class EndOfFile(StatusWordError, EOFError):
    """The read started at or after the end of the file (6B00, or 6282 with no data)."""


class WrongLength(StatusWordError, ValueError):
    """Lc or Le was wrong (6700, 6Cxx)."""


class IncorrectParameters(StatusWordError, ValueError):
    """P1-P2 are not accepted (6A86) or the referenced data does not exist (6A88)."""


class ConditionsNotSatisfied(StatusWordError):
    """Conditions of use not satisfied (6985) or the command does not fit the file structure (6981, 6986)."""


class WrongData(StatusWordError, ValueError):
    """The command data was refused (6A80)."""


class NotSupported(StatusWordError):
    """The card does not support this instruction, class, function or channel (6D00, 6E00, 6A81, 688x)."""


class UnexpectedStatus(StatusWordError):
    """A status word this driver does not expect from a My Number card."""
