"""The card itself: applications (DFs), elementary files, keys, retry counters and the APDU interpreter.

Behaviour follows docs/card.md: SELECT by DF name then EF (P2=0C, no FCI); READ BINARY by offset or by
short file identifier, returning fewer bytes when a read crosses the end and 6B00 at or past it; READ RECORD; VERIFY
with the empty form reporting 63Cx without consuming a try; JPKI's COMPUTE SIGNATURE (80 2A 00 P2) with PKCS#1 v1.5
type-1 padding done by the card. Security state belongs to the current DF and is lost on SELECT of a DF and on a
power cycle; retry counters survive both, like EEPROM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric import rsa

SW_OK = b"\x90\x00"


def sw(value: int) -> bytes:
    return value.to_bytes(2, "big")


@dataclass
class BinaryFile:
    """A transparent EF: the object followed by filler up to the file's physical size."""

    data: bytes = field(repr=False)  # the holder's records (fictional, still personal-shaped): never in a repr
    size: int = 0
    read_requires: frozenset[int] = frozenset()  # key EFs any one of which must be verified; empty = free
    filler: int = 0xFF

    def __post_init__(self) -> None:
        self.size = max(self.size, len(self.data))

    def content(self) -> bytes:
        return self.data + bytes([self.filler]) * (self.size - len(self.data))


@dataclass
class RecordFile:
    records: list[bytes] = field(repr=False)
    read_requires: frozenset[int] = frozenset()


@dataclass
class PinKey:
    """A PIN / code EF with its retry counter. ``remaining`` 0 = locked."""

    value: bytes = field(repr=False)
    max_tries: int
    remaining: int


@dataclass
class PrivateKeyFile:
    key: rsa.RSAPrivateKey
    use_requires: frozenset[int] = frozenset()


File = BinaryFile | RecordFile | PinKey | PrivateKeyFile


@dataclass
class Application:
    aid: bytes
    files: dict[int, File]
    # The key signed with when COMPUTE SIGNATURE names none (P2=00), for applications that have one.
    default_key: PrivateKeyFile | None = None


# A hook for odd behaviour (the damaged profile): given the card and the APDU, return a response to send instead of
# the normal one, or None to answer normally.
Quirk = Callable[["EmulatedCard", bytes], bytes | None]


@dataclass
class EmulatedCard:
    atr: bytes
    applications: list[Application]
    quirks: list[Quirk] = field(default_factory=list)
    current_app: Application | None = field(default=None, init=False)
    current_fid: int | None = field(default=None, init=False)
    verified: set[int] = field(default_factory=set, init=False)
    apdu_count: int = field(default=0, init=False)

    # -- power --------------------------------------------------------------------------------------------------

    def power_on(self) -> None:
        self.reset()

    def power_off(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.current_app = None
        self.current_fid = None
        self.verified = set()

    # -- the interpreter ---------------------------------------------------------------------------------------

    def process(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        for quirk in self.quirks:
            answer = quirk(self, apdu)
            if answer is not None:
                return answer
        return self.interpret(apdu)

    def interpret(self, apdu: bytes) -> bytes:
        """The normal answer, without quirks (a quirk may start from it)."""
        if len(apdu) < 4:
            return sw(0x6700)
        cla, ins, p1, p2 = apdu[:4]
        parsed = _parse_body(apdu[4:])
        if parsed is None:
            return sw(0x6700)
        data, le = parsed
        if cla & 0x03:
            return sw(0x6881)
        if cla & 0x0C:
            return sw(0x6882 if ins == 0xA4 else 0x69FC)
        if cla == 0x00:
            handler = {0xA4: self._select, 0xB0: self._read_binary, 0xB2: self._read_record, 0x20: self._verify}.get(ins)
        elif cla == 0x80:
            handler = {0x2A: self._compute_signature}.get(ins)
        else:
            return sw(0x6E00)
        if handler is None:
            return sw(0x6D00)
        return handler(p1, p2, data, le)

    # -- SELECT ------------------------------------------------------------------------------------------------

    def _select(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if p1 == 0x04:
            app = next((a for a in self.applications if a.aid == data), None)
            if app is None:
                return sw(0x6A82)
            if p2 != 0x0C:
                return sw(0x6A86)
            self.current_app, self.current_fid, self.verified = app, None, set()
            return SW_OK
        if p1 == 0x02 and p2 == 0x0C:
            if len(data) != 2:
                return sw(0x6700)
            fid = int.from_bytes(data, "big")
            if self.current_app is None or fid not in self.current_app.files:
                return sw(0x6A82)
            self.current_fid = fid
            return SW_OK
        return sw(0x6A86)

    def _file(self, fid: int | None) -> File | None:
        if self.current_app is None or fid is None:
            return None
        return self.current_app.files.get(fid)

    def _allowed(self, requires: frozenset[int]) -> bool:
        return not requires or bool(requires & self.verified)

    # -- READ BINARY / READ RECORD ---------------------------------------------------------------------------

    def _read_binary(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if data or le is None:
            return sw(0x6700)
        fid: int | None
        if p1 & 0x80:
            fid, offset = p1 & 0x1F, p2
            if self._file(fid) is None:
                return sw(0x6A82)
        else:
            fid, offset = self.current_fid, (p1 << 8) | p2
            if fid is None:
                return sw(0x6986)
        ef = self._file(fid)
        if not isinstance(ef, BinaryFile):
            return sw(0x6981)
        if not self._allowed(ef.read_requires):
            return sw(0x6982)
        self.current_fid = fid
        content = ef.content()
        if offset >= len(content):
            return sw(0x6B00)
        return content[offset : offset + le] + SW_OK

    def _read_record(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if data or le is None:
            return sw(0x6700)
        if p2 & 0x07 != 0x04:
            return sw(0x6A86)
        fid = (p2 >> 3) if p2 >> 3 else self.current_fid
        ef = self._file(fid)
        if ef is None:
            return sw(0x6A82 if p2 >> 3 else 0x6986)
        if not isinstance(ef, RecordFile):
            return sw(0x6981)
        if not self._allowed(ef.read_requires):
            return sw(0x6982)
        self.current_fid = fid
        if not 1 <= p1 <= len(ef.records):
            return sw(0x6A83)
        return ef.records[p1 - 1][:le] + SW_OK

    # -- VERIFY ------------------------------------------------------------------------------------------------

    def key_reference(self, p2: int) -> int | None:
        if p2 == 0x80:
            return self.current_fid
        if p2 & 0x80 and p2 & 0x1F:
            return p2 & 0x1F
        return None

    def _verify(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if p1 != 0x00 or le is not None:
            return sw(0x6A86)
        fid = self.key_reference(p2)
        if fid is None:
            return sw(0x6A86)
        key = self._file(fid)
        if key is None:
            return sw(0x6A88 if p2 != 0x80 else 0x6986)
        if not isinstance(key, PinKey):
            return sw(0x6981)
        if not data:
            return sw(0x63C0 | key.remaining)
        if key.remaining == 0:
            return sw(0x6984)
        # Anything that is not the value costs a try, whatever its format: the public sources do not say whether
        # a malformed PIN is refused before counting, so the emulator takes the strict reading.
        if data == key.value:
            key.remaining = key.max_tries
            self.verified.add(fid)
            return SW_OK
        key.remaining -= 1
        return sw(0x63C0 | key.remaining)

    # -- COMPUTE SIGNATURE -------------------------------------------------------------------------------------

    def _compute_signature(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if p1 != 0x00:
            return sw(0x6A86)
        if p2 == 0x00:
            key = self.current_app.default_key if self.current_app else None
        else:
            fid = self.key_reference(p2)
            key_file = self._file(fid)
            key = key_file if isinstance(key_file, PrivateKeyFile) else None
        if key is None:
            return sw(0x6A88)
        if not self._allowed(key.use_requires):
            return sw(0x6982)
        if not 1 <= len(data) <= 245:
            return sw(0x6700)
        return pkcs1_type1_sign(key.key, data) + SW_OK


def _parse_body(body: bytes) -> tuple[bytes, int | None] | None:
    """Split a short APDU's body into (data, Le); None when Lc does not match the length."""
    if not body:
        return b"", None
    if len(body) == 1:
        return b"", body[0] or 256
    lc = body[0]
    if lc == 0:
        return None
    if len(body) == 1 + lc:
        return body[1:], None
    if len(body) == 2 + lc:
        return body[1 : 1 + lc], body[-1] or 256
    return None


def pkcs1_type1_sign(key: rsa.RSAPrivateKey, data: bytes) -> bytes:
    """RSA with PKCS#1 v1.5 type-1 padding over the given bytes (the card pads; the host hashes and wraps)."""
    numbers = key.private_numbers()
    n = numbers.public_numbers.n
    k = (n.bit_length() + 7) // 8
    block = b"\x00\x01" + b"\xff" * (k - 3 - len(data)) + b"\x00" + data
    m = int.from_bytes(block, "big")
    # CRT: two half-size exponentiations instead of one.
    s1 = pow(m, numbers.dmp1, numbers.p)
    s2 = pow(m, numbers.dmq1, numbers.q)
    h = (numbers.iqmp * (s1 - s2)) % numbers.p
    return (s2 + h * numbers.q).to_bytes(k, "big")
