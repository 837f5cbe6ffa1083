"""ISO 7816-4 command/response APDUs as the My Number card uses them, and the status-word map.

Commands are plain values; :func:`check` turns a response's status word into a typed error. The data of a VERIFY
command is secret: :class:`Command` marks it ``secret`` and its ``repr`` and :meth:`Command.trace` never show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.card import errors

SW_OK = 0x9000

# DER of a SHA-256 DigestInfo up to the hash: SEQUENCE { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32) }.
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")


@dataclass(frozen=True)
class Command:
    """One command APDU. ``le`` of 256 is encoded as 00; ``None`` means no Le byte (case 1 or 3)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = field(default=b"", repr=False)
    le: int | None = None
    name: str = "APDU"
    secret: bool = False

    def __post_init__(self) -> None:
        for part in (self.cla, self.ins, self.p1, self.p2):
            if not 0 <= part <= 0xFF:
                raise ValueError("APDU header bytes must be 0..255")
        if len(self.data) > 255:
            raise ValueError("short APDUs carry at most 255 data bytes")
        if self.le is not None and not 1 <= self.le <= 256:
            raise ValueError("Le must be 1..256")

    def to_bytes(self) -> bytes:
        out = bytes((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out += bytes((len(self.data),)) + self.data
        if self.le is not None:
            out += bytes((self.le & 0xFF,))
        return out

    def trace(self) -> str:
        """Hex of the command for logs and benchmarks; the data of a secret command is replaced by its length."""
        header = self.to_bytes()[:4].hex(" ").upper()
        if not self.data:
            body = ""
        elif self.secret:
            body = f" {len(self.data):02X} <{len(self.data)} bytes redacted>"
        else:
            body = f" {len(self.data):02X} " + self.data.hex(" ").upper()
        le = "" if self.le is None else f" {self.le & 0xFF:02X}"
        return f"{self.name}: {header}{body}{le}"

    def __repr__(self) -> str:
        return f"Command({self.trace()})"


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise errors.MalformedResponse(f"response of {len(raw)} bytes has no status word")
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])

    def __repr__(self) -> str:
        return f"Response({len(self.data)} bytes, SW {self.sw:04X})"


_FIXED: dict[int, type[errors.StatusWordError]] = {
    0x6282: errors.EndOfFile,
    0x6700: errors.WrongLength,
    0x6881: errors.NotSupported,
    0x6882: errors.NotSupported,
    0x6981: errors.ConditionsNotSatisfied,
    0x6982: errors.SecurityStatusNotSatisfied,
    0x6983: errors.PinBlocked,
    0x6984: errors.PinBlocked,
    0x6985: errors.ConditionsNotSatisfied,
    0x6986: errors.ConditionsNotSatisfied,
    0x6A80: errors.WrongData,
    0x6A81: errors.NotSupported,
    0x6A82: errors.FileNotFound,
    0x6A83: errors.RecordNotFound,
    0x6A86: errors.IncorrectParameters,
    0x6A88: errors.IncorrectParameters,
    0x6B00: errors.EndOfFile,
    0x6D00: errors.NotSupported,
    0x6E00: errors.NotSupported,
}


def error_for(sw: int, command: Command) -> errors.StatusWordError:
    """The typed error for a status word other than 90 00."""
    if sw & 0xFFF0 == 0x63C0:
        tries = sw & 0x0F
        if tries == 0:
            return errors.PinBlocked(sw, command.name)
        return errors.WrongPin(sw, command.name, tries)
    if sw & 0xFF00 == 0x6C00:
        return errors.WrongLength(sw, command.name, f"wrong Le, the card expects {sw & 0xFF or 256}")
    cls = _FIXED.get(sw, errors.UnexpectedStatus)
    return cls(sw, command.name)


def tries_left(sw: int, command: Command, max_tries: int) -> int:
    """Tries left from the answer to an empty VERIFY: 63Cx → x; 63C0, 6983, 6984 → 0 (locked).

    9000 means the key is already verified in this session (docs/card.md, "Commands"; myna-card): no counter is reported, but the
    successful VERIFY reset it to its maximum, so ``max_tries`` is the answer.
    """
    if sw & 0xFFF0 == 0x63C0:
        return sw & 0x0F
    if sw in (0x6983, 0x6984):
        return 0
    if sw == SW_OK:
        return max_tries
    raise error_for(sw, command)


def check(response: Response, command: Command) -> bytes:
    """The response data, or the typed error for its status word."""
    if response.sw != SW_OK:
        raise error_for(response.sw, command)
    return response.data


# -- the commands the driver sends (docs/card.md, "Commands") ---------------------------------------------------------


def select_df(aid: bytes) -> Command:
    return Command(0x00, 0xA4, 0x04, 0x0C, aid, name="SELECT DF")


def select_ef(fid: int) -> Command:
    return Command(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"), name="SELECT EF")


def read_binary(offset: int, length: int) -> Command:
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("READ BINARY offset must be 0..32767")
    return Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=length, name="READ BINARY")


def read_binary_sfi(sfi: int, offset: int, length: int) -> Command:
    """READ BINARY that selects the EF by its short file identifier (P1 = 80 | SFI, 8-bit offset)."""
    if not 1 <= sfi <= 30 or not 0 <= offset <= 0xFF:
        raise ValueError("SFI must be 1..30 and the offset 0..255")
    return Command(0x00, 0xB0, 0x80 | sfi, offset, le=length, name="READ BINARY")


def read_record(record: int, sfi: int | None = None) -> Command:
    """READ RECORD of one record, from the current EF or (``sfi``) the EF with that short identifier."""
    p2 = 0x04 if sfi is None else (sfi << 3) | 0x04
    return Command(0x00, 0xB2, record, p2, le=256, name="READ RECORD")


def verify(key_reference: int, secret: bytes | None) -> Command:
    """VERIFY against ``key_reference`` (P2: 80 = key of the current EF, 80|SFI = that key EF).

    With ``secret`` None it is the empty VERIFY that reports the tries left without consuming one.
    """
    return Command(0x00, 0x20, 0x00, key_reference, secret or b"", name="VERIFY", secret=secret is not None)


def sha256_digest_info(digest: bytes) -> bytes:
    """The DigestInfo that COMPUTE SIGNATURE takes with P1 = 00: the card pads it (PKCS#1 v1.5 type 1) and signs."""
    if len(digest) != 32:
        raise ValueError("a SHA-256 DigestInfo wraps a 32-byte hash")
    return SHA256_DIGEST_INFO_PREFIX + digest


def compute_signature(key_reference: int, digest_info: bytes) -> Command:
    """The proprietary COMPUTE DIGITAL SIGNATURE (80 2A 00 P2): the card pads the DigestInfo and signs it.

    P2 names the key: 80 = the key EF selected, 80|SFI = that key EF, 00 = the application's own key (券面 APs).
    """
    return Command(0x80, 0x2A, 0x00, key_reference, digest_info, le=256, name="COMPUTE SIGNATURE")
