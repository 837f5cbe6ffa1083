"""The two 券面 APs of the emulated card, built from what is printed on its face (docs/card.md).

券面事項確認AP (``D3921000310001010402``): EF 0001 age record (生年月日 key 0011), EF 0002 card face record with
the photo (照合番号B 0012 or 照合番号A 0013), EF 0003 AP basic information and EF 0004 certificate (free), EF 0005
the rendered My Number (照合番号A only), EF 0006 of unknown purpose (A or B).
券面事項入力補助AP (``D3921000310001010408``): EF 0001 My Number (PIN 0011 or A 0014), EF 0002 the 4 basic
attributes as text (PIN or B 0015), EF 0003 integrity record, EF 0006/0007 keys (PIN, A or B), EF 0004/0005 free,
key 0012 blocked as on every card examined.
Both sign a challenge with their own key without any PIN (``80 2A 00 00``).

Choices where the public sources are silent (README, "The emulated My Number card"):
- retry limits: 照合番号A and B 10 (the figure a Digital Agency page is quoted with), the 生年月日 key 3; each AP
  keeps its own counters;
- what the issuer signs: the card face record as :mod:`drivers.card.card_face` describes; every other record
  (age record, My Number image, integrity record, AP key record, certificate body) with RSA PKCS#1 v1.5 SHA-256
  over the TLVs before the signature — all by the process's test issuer (:func:`pki.test_card_face_issuer`);
- both APs sign challenges with the same per-card key (profiles.build);
- the My Number is a fictional random one with a valid check digit, made per card and never written anywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from drivers.card import ber
from drivers.card.card_face import (
    CARD_FACE_AID,
    FIELD_TAGS,
    OFFSETS_TAG,
    RECORD_TAG,
    SIGNED_GROUPS,
    collation_number_b,
    group_digest_info,
)
from drivers.card.emulated import lettering, pki
from drivers.card.emulated.card import Application, BinaryFile, PinKey, PrivateKeyFile, pkcs1_type1_sign
from drivers.card.era import to_era

INPUT_SUPPORT_AID = bytes.fromhex("D3921000310001010408")
COLLATION_MAX_TRIES = 10
BIRTH_KEY_MAX_TRIES = 3
# Card-verifiable certificate key identifiers: "6000023…" marks test cards.
TEST_ISSUER_KEY_ID = bytes.fromhex("60000230000000000000000000000000")


@dataclass(frozen=True)
class PrintedFace:
    """What is printed on the emulated card and stored in its 券面 APs. Fictional, made per card."""

    name: str  # family and given name separated by U+3000
    address: tuple[str, ...]  # printed lines
    birth: dt.date
    sex: str  # JIS X 0303: '1' male, '2' female, '9' not applicable
    expiry: dt.date
    security_code: str = dataclasses.field(repr=False)  # 4 digits printed under the photo
    serial: str  # 16 digits printed under the photo (their meaning on real cards is not public)
    my_number: str = dataclasses.field(repr=False)
    photo: bytes = dataclasses.field(repr=False)  # JPEG 2000 (JP2), greyscale

    @property
    def collation_b(self) -> str:
        """照合番号B: era birth date YYMMDD + Gregorian expiry year + security code."""
        return collation_number_b(to_era(self.birth).yymmdd, self.expiry.year, self.security_code)

    @property
    def birth_key(self) -> str:
        return to_era(self.birth).yymmdd

    @property
    def sex_printed(self) -> str:
        return {"1": "男", "2": "女"}.get(self.sex, "")


def my_number_check_digit(first_eleven: str) -> int:
    """The 12th digit of a 個人番号 (the check-digit rule of the 個人番号 ordinance, art. 8)."""
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(digit) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def fictional_my_number() -> str:
    first = "".join(str(secrets.randbelow(10)) for _ in range(11))
    return first + str(my_number_check_digit(first))


def public_key_tlv_value(key: rsa.RSAPublicKey) -> bytes:
    numbers = key.public_numbers()
    exponent = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    return ber.encode(0x90, exponent) + ber.encode(0x91, numbers.n.to_bytes(256, "big"))


def with_offset_table(outer_tag: int, table_tag: int, fields: list[bytes]) -> bytes:
    """``outer { table, fields… }`` where the table holds, per field, the offset of its tag from the file start."""
    table_tlv_length = len(ber.encode(table_tag, bytes(2 * len(fields))))
    body_length = table_tlv_length + sum(len(f) for f in fields)
    position = len(ber.encode(outer_tag, bytes(body_length))) - body_length + table_tlv_length
    offsets = b""
    for field in fields:
        offsets += position.to_bytes(2, "big")
        position += len(field)
    return ber.encode(outer_tag, ber.encode(table_tag, offsets) + b"".join(fields))


def _issuer_signs(data: bytes) -> bytes:
    return pki.test_card_face_issuer().sign(data, padding.PKCS1v15(), hashes.SHA256())


def signed_record(outer_tag: int, fields: list[bytes], signature_tag: int) -> bytes:
    """``outer { fields…, signature over the fields' TLVs }``."""
    body = b"".join(fields)
    return ber.encode(outer_tag, body + ber.encode(signature_tag, _issuer_signs(body)))


@lru_cache(maxsize=1)
def issuer_certificate() -> bytes:
    """EF 0004: ``7F21 { 5F4E { issuer key id, subject key id, 90 e, 91 n }, 5F37 signature }``; the test issuer
    certifies its own key (the real J-LIS key above it is not public)."""
    issuer = pki.test_card_face_issuer()
    body = ber.encode(0x5F4E, TEST_ISSUER_KEY_ID + TEST_ISSUER_KEY_ID + public_key_tlv_value(issuer.public_key()))
    return ber.encode(0x7F21, body + ber.encode(0x5F37, _issuer_signs(body)))


def card_face_fields(face: PrintedFace, card_key: rsa.RSAPublicKey) -> list[bytes]:
    """The TLVs DF22–DF2A of the card face record, the issuer signature (DF28) computed over the three groups."""
    tlvs = {
        0xDF22: ber.encode(0xDF22, face.birth.strftime("%Y%m%d").encode()),
        0xDF23: ber.encode(0xDF23, face.sex.encode()),
        0xDF24: ber.encode(0xDF24, public_key_tlv_value(card_key)),
        0xDF25: ber.encode(0xDF25, lettering.text_png((face.name,), 24)),
        0xDF26: ber.encode(0xDF26, lettering.text_png(face.address, 20)),
        0xDF27: ber.encode(0xDF27, face.photo),
        0xDF29: ber.encode(0xDF29, face.expiry.strftime("%Y%m%d").encode()),
        0xDF2A: ber.encode(0xDF2A, lettering.text_png((face.security_code,), 10, width=24)),
    }
    group_hashes = [hashlib.sha256(b"".join(tlvs[tag] for tag in group)).digest() for group in SIGNED_GROUPS]
    tlvs[0xDF28] = ber.encode(0xDF28, pkcs1_type1_sign(pki.test_card_face_issuer(), group_digest_info(group_hashes)))
    return [tlvs[tag] for tag in FIELD_TAGS]


def card_face_record(face: PrintedFace, card_key: rsa.RSAPublicKey) -> bytes:
    return with_offset_table(RECORD_TAG, OFFSETS_TAG, card_face_fields(face, card_key))


def _size(data: bytes) -> int:
    """An EF larger than its object, as on the card (clients must size their reads): the next 1 KB boundary."""
    return (len(data) // 1024 + 1) * 1024


def card_face_ap(face: PrintedFace, key: rsa.RSAPrivateKey, collation_b_tries: int = COLLATION_MAX_TRIES) -> Application:
    """The 券面事項確認AP."""
    birth_key, code_b, code_a = 0x0011, 0x0012, 0x0013
    public = public_key_tlv_value(key.public_key())
    age = signed_record(0xFF10, [ber.encode(0xDF11, face.birth.strftime("%Y%m%d").encode()),
                                 ber.encode(0xDF12, public)], 0xDF13)
    record = card_face_record(face, key.public_key())
    basic = ber.encode(0xFF30, ber.encode(0xDF31, bytes.fromhex("06030E01")) + ber.encode(0xDF32, secrets.token_bytes(16))
                       + ber.encode(0xDF33, b"\x01") + ber.encode(0xDF34, b"13101")
                       + ber.encode(0xDF35, secrets.token_bytes(16 + 256)))
    number_image = signed_record(0xFF40, [ber.encode(0xDF41, lettering.text_png((face.my_number,), 10, width=72)),
                                          ber.encode(0xDF42, public)], 0xDF43)
    return Application(CARD_FACE_AID, {
        0x0001: BinaryFile(age, size=_size(age), read_requires=frozenset({birth_key})),
        0x0002: BinaryFile(record, size=_size(record), read_requires=frozenset({code_b, code_a})),
        0x0003: BinaryFile(basic, size=_size(basic)),
        0x0004: BinaryFile(issuer_certificate(), size=_size(issuer_certificate())),
        0x0005: BinaryFile(number_image, size=_size(number_image), read_requires=frozenset({code_a})),
        0x0006: BinaryFile(b"", size=256, read_requires=frozenset({code_b, code_a})),  # content not public
        birth_key: PinKey(face.birth_key.encode(), BIRTH_KEY_MAX_TRIES, BIRTH_KEY_MAX_TRIES),
        code_b: PinKey(face.collation_b.encode(), COLLATION_MAX_TRIES, collation_b_tries),
        code_a: PinKey(face.my_number.encode(), COLLATION_MAX_TRIES, COLLATION_MAX_TRIES),
    }, default_key=PrivateKeyFile(key))


def input_support_ap(face: PrintedFace, key: rsa.RSAPrivateKey, pin: str | None) -> Application:
    """The 券面事項入力補助AP; ``pin`` None leaves out its PIN (a card issued without PINs)."""
    pin_key, blocked, code_a, code_b = 0x0011, 0x0012, 0x0014, 0x0015
    my_number = ber.encode(0xFF10, face.my_number.encode())
    attributes = with_offset_table(0xFF20, 0xDF21, [
        ber.encode(0xDF22, face.name.encode()),
        ber.encode(0xDF23, "".join(face.address).encode()),
        ber.encode(0xDF24, face.birth.strftime("%Y%m%d").encode()),
        ber.encode(0xDF25, face.sex.encode()),
    ])
    number_file = BinaryFile(my_number, size=len(my_number) + 2)
    attributes_value = ber.parse_all(attributes)[0][1]
    # EF 0003 hashes EF 0001 with its filler and EF 0002's value without the offset table (as public sources describe it).
    attributes_without_table = attributes_value[ber.parse_header(attributes_value).total_length:]
    integrity = signed_record(0xFF30, [ber.encode(0xDF31, hashlib.sha256(number_file.content()).digest()),
                                       ber.encode(0xDF32, hashlib.sha256(attributes_without_table).digest())], 0xDF33)
    any_code = frozenset({pin_key, code_a, code_b})
    files: dict[int, BinaryFile | PinKey | PrivateKeyFile] = {
        0x0001: dataclasses.replace(number_file, read_requires=frozenset({pin_key, code_a})),
        0x0002: BinaryFile(attributes, size=_size(attributes), read_requires=frozenset({pin_key, code_b})),
        0x0003: BinaryFile(integrity, size=_size(integrity), read_requires=any_code),
        0x0004: BinaryFile(issuer_certificate(), size=_size(issuer_certificate())),
        0x0005: BinaryFile(ber.encode(0xFF40, ber.encode(0xDF41, bytes.fromhex("06030E01"))
                                      + ber.encode(0xDF42, secrets.token_bytes(16))
                                      + ber.encode(0xDF43, secrets.token_bytes(128))), size=256),
        0x0006: BinaryFile(ber.encode(0xA1, public_key_tlv_value(pki.test_session_key_delivery_key().public_key())), size=512,
                           read_requires=any_code),
        0x0007: BinaryFile(signed_record(0xFF50, [ber.encode(0xDF51, public_key_tlv_value(key.public_key()))], 0xDF52),
                           size=1024, read_requires=any_code),
        blocked: PinKey(secrets.token_hex(8).encode(), 3, 0),
        code_a: PinKey(face.my_number.encode(), COLLATION_MAX_TRIES, COLLATION_MAX_TRIES),
        code_b: PinKey(face.collation_b.encode(), COLLATION_MAX_TRIES, COLLATION_MAX_TRIES),
    }
    if pin is not None:
        files[pin_key] = PinKey(pin.encode(), 3, 3)
    return Application(INPUT_SUPPORT_AID, dict(files), default_key=PrivateKeyFile(key))
