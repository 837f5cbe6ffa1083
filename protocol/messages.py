"""Application messages between the reader and the reception PC: CBOR maps, versioned, schema-checked on decode.

Every message is one CBOR map with text keys, carried as the payload of one link message::

    {"v": 1, "t": "<type>", "id": <uint>, ...fields..., ? "crit": [<field names>]}

``v`` is the message-format version (a receiver refuses a version it does not speak), ``t`` the message type, ``id``
the sender's message number (a reply names it in ``re``). Fields are checked against the type's schema: a missing
required field or a field of the wrong type is an error; a field the receiver does not know is ignored unless the
sender listed it in ``crit`` (comprehension required), which makes it an error. docs/protocol.md is the normative
description; :data:`SCHEMAS` is the same table in code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import cbor2

VERSION = 1
MAX_MESSAGE = 4000  # a message must fit one link frame (4 KiB with the link header and CRC)
MAX_COSE = 3800  # a signed result, so that the result message around it stays within MAX_MESSAGE
# The range of plausible Unix times (2020-01-01 .. 2100-01-01 UTC): the time a host may set and a result's iat.
# Outside it a value is an error (e.g. milliseconds sent as seconds), and huge values would overflow datetime.
MIN_UNIX_TIME = 1577836800
MAX_UNIX_TIME = 4102444800
UINT32_END = 2**32  # ids, "re", "seq" and version numbers are unsigned 32-bit
MAX_POOL = 64  # nonces a reader holds at most, so also at most in one nonce_pool and in info / need_nonces counts
NONCE_MIN_BYTES, NONCE_MAX_BYTES = 16, 64
MAX_NONCE_TTL = 86400  # seconds: a nonce lives at most one day on the reader
MAX_ERROR_CODE = 65535


class ErrorCode(IntEnum):
    """Codes of ``error`` messages (documented in docs/protocol.md)."""

    MALFORMED = 1  # not a CBOR map, or envelope fields missing / wrong type
    UNSUPPORTED_VERSION = 2  # "v" is a version this receiver does not speak
    UNKNOWN_TYPE = 3  # "t" names no message type
    UNKNOWN_CRITICAL_FIELD = 4  # a field listed in "crit" is unknown to the receiver
    MISSING_FIELD = 5  # a required field is absent
    BAD_FIELD = 6  # a field has the wrong type or an out-of-range value
    NOT_NOW = 7  # valid, but not allowed in the current state (e.g. set_mode during a session)
    NO_NONCE = 8  # a result is due but the reader holds no unexpired nonce
    INTERNAL = 9  # the receiver failed; the message may be retried
    TOO_LARGE = 10  # the encoded message exceeds MAX_MESSAGE


class MessageError(ValueError):
    """A message that cannot be accepted; ``code`` is what the error reply carries."""

    def __init__(self, code: ErrorCode, detail: str, in_reply_to: int | None = None,
                 message_type: str | None = None) -> None:
        super().__init__(f"{code.name.lower()}: {detail}")
        self.code = code
        self.detail = detail
        self.in_reply_to = in_reply_to
        self.message_type = message_type  # the "t" of the refused message, once known (an error is never answered)


# Field types: the CBOR shapes a field may take.
UINT, TEXT, BYTES, BOOL, NUMBER, LIST, MAP = "uint", "text", "bytes", "bool", "number", "list", "map"


@dataclass(frozen=True)
class FieldSpec:
    """One field's shape: its CBOR kind, and the documented limits checked at decode (docs/protocol.md section 8).

    Numbers (``uint``, ``number``) must lie in ``low <= value < high``: a field of any size is compared exactly,
    before anything converts it, so a hostile bignum is a ``bad-field`` error and not an ``OverflowError`` later.
    A ``number`` must also be finite. Lengths (text in characters, bytes, lists) must lie in
    ``min_length .. max_length``; a list's elements must match ``items``."""

    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int | None = None  # for text, bytes and list
    min_length: int = 0
    low: int | None = None  # for uint and number: the smallest value allowed
    high: int | None = None  # for uint and number: the first value no longer allowed
    items: FieldSpec | None = None  # for list: every element's spec


def _f(kind: str, required: bool = True, choices: tuple[str, ...] = (), max_length: int | None = None,
       min_length: int = 0, low: int | None = None, high: int | None = None,
       items: FieldSpec | None = None) -> FieldSpec:
    if kind == UINT:
        low = 0 if low is None else low
        high = 2**64 if high is None else high
    return FieldSpec(kind, required, choices, max_length, min_length, low, high, items)


_UINT32 = _f(UINT, high=UINT32_END)
_VERSIONS = _f(LIST, max_length=16, items=_UINT32)


MODES = ("auto", "visual_check")

# Host → reader
HELLO = "hello"
GET_INFO = "get_info"
NONCE_POOL = "nonce_pool"
SET_MODE = "set_mode"
CANCEL = "cancel"
STATUS = "status"
SET_TIME = "set_time"
RESULT_ACK = "result_ack"
# Reader → host
INFO = "info"
STATE = "state"
RESULT = "result"
NEED_NONCES = "need_nonces"
# Both ways
ERROR = "error"

SCHEMAS: dict[str, dict[str, FieldSpec]] = {
    HELLO: {"host": _f(TEXT, required=False, max_length=64), "versions": _VERSIONS},
    GET_INFO: {},
    NONCE_POOL: {
        "nonces": _f(LIST, max_length=MAX_POOL,
                     items=_f(BYTES, min_length=NONCE_MIN_BYTES, max_length=NONCE_MAX_BYTES)),
        "ttl": _f(UINT, low=1, high=MAX_NONCE_TTL + 1),
    },
    SET_MODE: {"mode": _f(TEXT, choices=MODES), "staff": _f(TEXT, required=False, max_length=64)},
    CANCEL: {},
    STATUS: {},
    SET_TIME: {"unix": _f(NUMBER, low=MIN_UNIX_TIME, high=MAX_UNIX_TIME)},
    RESULT_ACK: {
        "cti": _f(BYTES, min_length=1, max_length=64),
        "accepted": _f(BOOL, required=False),
        "reason": _f(TEXT, required=False, max_length=64),
    },
    INFO: {
        "device": _f(BYTES, max_length=64),
        "public_key": _f(TEXT, max_length=1024),
        "fingerprint": _f(TEXT, max_length=100),
        "firmware": _f(TEXT, max_length=64),
        "versions": _VERSIONS,
        "demo": _f(BOOL),
        "clock_set": _f(BOOL),
        "nonces": _f(UINT, high=MAX_POOL + 1),
    },
    STATE: {"state": _f(TEXT, max_length=64), "mode": _f(TEXT, choices=MODES), "seq": _UINT32},
    RESULT: {"cose": _f(BYTES, max_length=MAX_COSE)},
    NEED_NONCES: {"available": _f(UINT, high=MAX_POOL + 1)},
    ERROR: {
        "code": _f(UINT, high=MAX_ERROR_CODE + 1),
        "detail": _f(TEXT, required=False, max_length=200),
        "re": _f(UINT, required=False, high=UINT32_END),
    },
}

_ENVELOPE = ("v", "t", "id", "crit")


@dataclass(frozen=True)
class Message:
    type: str
    id: int
    fields: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


def _check_value(name: str, spec: FieldSpec, value: Any, msg_id: int | None) -> None:
    ok = {
        UINT: isinstance(value, int) and not isinstance(value, bool),
        TEXT: isinstance(value, str),
        BYTES: isinstance(value, bytes),
        BOOL: isinstance(value, bool),
        NUMBER: isinstance(value, (int, float)) and not isinstance(value, bool),
        LIST: isinstance(value, list),
        MAP: isinstance(value, dict),
    }[spec.kind]
    if not ok:
        raise MessageError(ErrorCode.BAD_FIELD, f"field {name!r} must be {spec.kind}", msg_id)
    if spec.kind in (UINT, NUMBER):
        # int/float comparisons are exact in Python whatever the int's size; NaN fails every comparison.
        finite = isinstance(value, int) or math.isfinite(value)
        if not (finite and (spec.low is None or value >= spec.low) and (spec.high is None or value < spec.high)):
            raise MessageError(ErrorCode.BAD_FIELD, f"field {name!r} out of range {_range(spec)}", msg_id)
    if spec.choices and value not in spec.choices:
        raise MessageError(ErrorCode.BAD_FIELD, f"field {name!r} must be one of {', '.join(spec.choices)}", msg_id)
    if spec.max_length is not None and len(value) > spec.max_length:
        raise MessageError(ErrorCode.BAD_FIELD, f"field {name!r} longer than {spec.max_length}", msg_id)
    if spec.kind in (TEXT, BYTES, LIST) and len(value) < spec.min_length:
        raise MessageError(ErrorCode.BAD_FIELD, f"field {name!r} shorter than {spec.min_length}", msg_id)
    if spec.items is not None:
        for item in value:
            _check_value(f"{name}[]", spec.items, item, msg_id)


def _range(spec: FieldSpec) -> str:
    low = "" if spec.low is None else str(spec.low)
    high = "" if spec.high is None else str(spec.high - 1) if spec.kind == UINT else f"<{spec.high}"
    return f"{low}..{high}"


def encode(message: Message) -> bytes:
    """The CBOR bytes of ``message``, checked against its schema first (we never send what we would refuse)."""
    body = {"v": VERSION, "t": message.type, "id": message.id, **message.fields}
    validate(body)
    data: bytes = cbor2.dumps(body)
    if len(data) > MAX_MESSAGE:
        raise MessageError(ErrorCode.TOO_LARGE, f"{len(data)} bytes > {MAX_MESSAGE}")
    return data


def decode(data: bytes) -> Message:
    """Parse and check one message; every problem is a :class:`MessageError` carrying the code to reply with."""
    if len(data) > MAX_MESSAGE:
        raise MessageError(ErrorCode.TOO_LARGE, f"{len(data)} bytes > {MAX_MESSAGE}")
    try:
        body = cbor2.loads(data)
    except Exception as exc:  # noqa: BLE001 - cbor2 raises several types (CBORDecodeError, ValueError, …)
        raise MessageError(ErrorCode.MALFORMED, f"not CBOR: {type(exc).__name__}") from None
    return validate(body)


def validate(body: object) -> Message:
    if not isinstance(body, dict) or not all(isinstance(k, str) for k in body):
        raise MessageError(ErrorCode.MALFORMED, "a message is a CBOR map with text keys")
    msg_id = body.get("id")
    if not isinstance(msg_id, int) or isinstance(msg_id, bool) or not 0 <= msg_id < 2**32:
        msg_id = None
    version = body.get("v")
    if not isinstance(version, int) or isinstance(version, bool):
        raise MessageError(ErrorCode.MALFORMED, "'v' must be an integer", msg_id)
    # The version comes first: another version may shape its envelope differently (its "id" included), so all
    # this side can say about it is that it does not speak that version.
    if version != VERSION:
        raise MessageError(ErrorCode.UNSUPPORTED_VERSION, f"version {version}; this side speaks {VERSION}", msg_id)
    if msg_id is None:
        raise MessageError(ErrorCode.MALFORMED, "'id' must be an unsigned 32-bit integer")
    kind = body.get("t")
    if not isinstance(kind, str):
        raise MessageError(ErrorCode.MALFORMED, "'t' must be text", msg_id)
    schema = SCHEMAS.get(kind)
    if schema is None:
        raise MessageError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind[:40]!r}", msg_id)
    crit = body.get("crit", [])
    if not isinstance(crit, list) or not all(isinstance(c, str) for c in crit):
        raise MessageError(ErrorCode.MALFORMED, "'crit' must be a list of field names", msg_id)
    for name in crit:
        if name not in schema:
            raise MessageError(ErrorCode.UNKNOWN_CRITICAL_FIELD, f"critical field {name[:40]!r} not understood", msg_id)
    fields: dict[str, Any] = {}
    for name, spec in schema.items():
        if name not in body:
            if spec.required:
                raise MessageError(ErrorCode.MISSING_FIELD, f"{kind} needs field {name!r}", msg_id, kind)
            continue
        try:
            _check_value(name, spec, body[name], msg_id)
        except MessageError as error:
            error.message_type = kind
            raise
        fields[name] = body[name]
    return Message(kind, msg_id, fields)


def error_reply(error: MessageError, msg_id: int) -> Message:
    fields: dict[str, Any] = {"code": int(error.code), "detail": error.detail[:200]}
    if error.in_reply_to is not None:
        fields["re"] = error.in_reply_to
    return Message(ERROR, msg_id, fields)
