"""券面事項確認AP (card surface verification application): 照合番号B, the card face record with the chip photo, and
the application's own key as proof that the card itself is present.

The face path (docs/card.md, "The face path"): the tries left for 照合番号B (empty VERIFY, costs nothing), VERIFY
照合番号B, READ the card face record of EF 0002 (sized from its ``FF 20`` header) and ask the application to sign a
fresh challenge with its own key (``80 2A 00 00``, no PIN), checked against the public key the record carries.

The record is parsed through its offset table (DF21), never fixed positions::

    FF20 { DF21 offsets, DF22 birth date, DF23 sex, DF24 card public key, DF25 name image, DF26 address image,
           DF27 photo (JPEG 2000), DF28 issuer signature, DF29 expiry, DF2A security-code image }

**Privacy.** Birth date, sex and the name, address and security-code images are only ever hashed (through memory
views of the record, never copied): the signature needs their hashes, nothing else does. What :func:`parse_card_face`
returns keeps the photo, the card's public key, the expiry and the signature results, and nothing else.

**The issuer signature (DF28).** What exactly real cards sign is not public. Our test-issuer convention follows the
one public description (myna-card ``surface.rs``): the TLVs of three groups — DF22–DF24, DF25–DF26, DF27 — are each
hashed with SHA-256, and the 96 bytes of the three hashes, wrapped in a DigestInfo that names SHA-256, are signed with
RSA PKCS#1 v1.5 (type 1). The emulated card signs that way (drivers.card.emulated.card_face_aps); a production
deployment would configure the real issuer's key and confirm the construction on a real card first. Without a
configured key the result is :attr:`SignatureCheck.NOT_VERIFIABLE`, never silently skipped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from drivers.card import apdu, ber, errors
from drivers.card.channel import CardChannel
from drivers.card.files import ApplicationFiles
from drivers.images import ImageTooLarge, ImageUndecodable, decoded_image

CARD_FACE_AID = bytes.fromhex("D3921000310001010402")
EF_CARD_FACE = 0x0002
EF_COLLATION_B = 0x0012  # 照合番号B's key EF in this AP (0011 生年月日, 0013 照合番号A)
COLLATION_B_DIGITS = 14
# Not settled (docs/card.md, "Secrets and their counters": a quoted Digital Agency figure says 10, another source 3); only reported as the count after
# a successful VERIFY, when the card answers the empty VERIFY with 9000 instead of a counter.
COLLATION_MAX_TRIES = 10

RECORD_TAG = 0xFF20
OFFSETS_TAG = 0xDF21
TAG_BIRTH, TAG_SEX, TAG_CARD_KEY = 0xDF22, 0xDF23, 0xDF24
TAG_NAME_IMAGE, TAG_ADDRESS_IMAGE, TAG_PHOTO = 0xDF25, 0xDF26, 0xDF27
TAG_SIGNATURE, TAG_EXPIRY, TAG_SECURITY_CODE_IMAGE = 0xDF28, 0xDF29, 0xDF2A
# The fields after the offset table, in the order the table lists them.
FIELD_TAGS = (TAG_BIRTH, TAG_SEX, TAG_CARD_KEY, TAG_NAME_IMAGE, TAG_ADDRESS_IMAGE, TAG_PHOTO, TAG_SIGNATURE,
              TAG_EXPIRY, TAG_SECURITY_CODE_IMAGE)
# The groups DF28 covers, each hashed separately (see the module docstring).
SIGNED_GROUPS = ((TAG_BIRTH, TAG_SEX, TAG_CARD_KEY), (TAG_NAME_IMAGE, TAG_ADDRESS_IMAGE), (TAG_PHOTO,))

# The JPEG 2000 signature box that opens a JP2 file.
JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
# DER of a DigestInfo naming SHA-256 whose OCTET STRING holds the three 32-byte group hashes.
_GROUP_DIGEST_INFO_PREFIX = bytes.fromhex("3071300d06096086480165030402010500" "0460")


class SignatureCheck(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    NOT_VERIFIABLE = "not-verifiable"  # no issuer key configured: the result says so, it is never skipped


@dataclass(frozen=True, slots=True)
class CardKeyProof:
    """The application signed ``challenge`` with its own key; ``result`` says whether that verified with the
    public key of the card face record."""

    challenge: bytes
    signature: bytes
    result: SignatureCheck

    def __repr__(self) -> str:
        return f"CardKeyProof({self.result.value})"


@dataclass(frozen=True, slots=True)
class CardFace:
    """What the face path keeps of the card face record: nothing but these fields exists in it.

    ``card_key`` is None only for a record parsed without asking the card (:func:`parse_card_face`);
    :meth:`CardFaceAp.read_card_face` always fills it.
    """

    photo: bytes  # JPEG 2000 in the JP2 container, greyscale, as stored on the chip
    card_public_key_der: bytes  # SubjectPublicKeyInfo DER of the key in DF24
    expiry: dt.date
    issuer_signature: SignatureCheck
    card_key: CardKeyProof | None = None

    @property
    def card_public_key(self) -> rsa.RSAPublicKey:
        key = serialization.load_der_public_key(self.card_public_key_der)
        assert isinstance(key, rsa.RSAPublicKey)  # built from an RSA modulus and exponent by the parser
        return key

    def __repr__(self) -> str:
        proof = "not asked" if self.card_key is None else self.card_key.result.value
        return (f"CardFace(photo={len(self.photo)} bytes JPEG 2000, expiry={self.expiry.isoformat()}, "
                f"issuer_signature={self.issuer_signature.value}, card_key={proof})")


#: Largest chip photo decoded, in pixels. Its pixel size is not published (ours are 240x320, a passport-style crop);
#: a megapixel leaves ample room while a hostile header, which costs a few bytes in a record of up to 64 KB, cannot
#: make the reader decode a camera-sized image.
PHOTO_MAX_PIXELS = 1_000_000


@dataclass(frozen=True)
class PhotoInfo:
    format: str
    width: int
    height: int
    mode: str  # Pillow's mode: "L" = 8-bit greyscale


def inspect_photo(photo: bytes) -> PhotoInfo:
    """Decode the photo in memory (nothing is written) and describe it. :class:`MalformedResponse` if it does not
    decode as JPEG 2000 or declares more than :data:`PHOTO_MAX_PIXELS` (refused from its header, before decoding)."""
    try:
        with decoded_image(io.BytesIO(photo), formats=["JPEG2000"], max_pixels=PHOTO_MAX_PIXELS) as image:
            return PhotoInfo("JPEG 2000", image.width, image.height, image.mode)
    except ImageTooLarge as exc:
        raise errors.MalformedResponse(f"the photo is too large for a chip photo: {exc}") from exc
    except ImageUndecodable as exc:
        raise errors.MalformedResponse(f"the photo does not decode as JPEG 2000: {exc}") from exc


def check_collation_b_format(code: str) -> bytes:
    """照合番号B as sent: exactly 14 ASCII digits, or :class:`InvalidPinFormat` (no APDU, no try lost)."""
    if not isinstance(code, str) or len(code) != COLLATION_B_DIGITS or not (code.isascii() and code.isdigit()):
        raise errors.InvalidPinFormat("照合番号B must be exactly 14 digits 0-9")
    return code.encode("ascii")


def collation_number_b(birth_era_yymmdd: str, expiry_year: int, security_code: str) -> str:
    """照合番号B from what the card face prints: era birth date YYMMDD + Gregorian expiry year + security code."""
    code = f"{birth_era_yymmdd}{expiry_year:04d}{security_code}"
    check_collation_b_format(code)
    return code


def group_digest_info(group_hashes: list[bytes]) -> bytes:
    """What DF28 signs under our test-issuer convention: a DigestInfo (SHA-256) of the three group hashes."""
    if len(group_hashes) != len(SIGNED_GROUPS) or any(len(h) != 32 for h in group_hashes):
        raise ValueError("three SHA-256 group hashes are needed")
    return _GROUP_DIGEST_INFO_PREFIX + b"".join(group_hashes)


def public_key_from_tlv(value: bytes) -> rsa.RSAPublicKey:
    """The card's RSA key from DF24's value: ``90`` public exponent, ``91`` modulus (as in EF 0004's certificate)."""
    try:
        fields = dict(ber.parse_all(value))
    except errors.MalformedResponse as exc:
        raise errors.MalformedResponse(f"card public key: {exc}") from exc
    if set(fields) != {0x90, 0x91}:
        raise errors.MalformedResponse("card public key is not one exponent (90) and one modulus (91)")
    exponent = int.from_bytes(fields[0x90], "big")
    modulus = int.from_bytes(fields[0x91], "big")
    if modulus.bit_length() != 2048 or exponent < 3 or exponent % 2 == 0:
        raise errors.MalformedResponse("card public key is not an RSA-2048 key")
    try:
        return rsa.RSAPublicNumbers(exponent, modulus).public_key()
    except ValueError as exc:
        raise errors.MalformedResponse(f"card public key: {exc}") from exc


def _date(value: memoryview, what: str) -> dt.date:
    raw = bytes(value)
    if len(raw) != 8 or not raw.isdigit():
        raise errors.MalformedResponse(f"{what} is not YYYYMMDD")
    try:
        return dt.datetime.strptime(raw.decode("ascii"), "%Y%m%d").date()
    except ValueError as exc:
        raise errors.MalformedResponse(f"{what} is not a valid date") from exc


def parse_card_face(record: bytes, issuer_key: rsa.RSAPublicKey | None = None) -> CardFace:
    """Parse EF 0002 through its offset table, check the issuer signature if a key is given, keep the minimum.

    Every field is located by its offset, must carry the tag the table's position implies, and the fields must
    follow each other exactly and fill the record; anything else is :class:`MalformedResponse`.
    """
    view = memoryview(record)
    outer = ber.parse_header(record)
    if outer.tag != RECORD_TAG:
        raise errors.MalformedResponse(f"card face record starts with tag {outer.tag:X}, expected FF20")
    end = outer.total_length
    if end != len(record):
        raise errors.MalformedResponse(f"card face record claims {end} bytes, {len(record)} were read")
    table = ber.parse_header(record, outer.header_length)
    if table.tag != OFFSETS_TAG or table.length != 2 * len(FIELD_TAGS):
        raise errors.MalformedResponse("card face record does not open with its offset table (DF21, 18 bytes)")
    table_start = outer.header_length + table.header_length
    if table_start + table.length > end:
        raise errors.MalformedResponse("card face offset table is truncated")
    offsets = [int.from_bytes(record[table_start + 2 * i : table_start + 2 * i + 2], "big")
               for i in range(len(FIELD_TAGS))]

    hashers = {group[0]: hashlib.sha256() for group in SIGNED_GROUPS}
    group_of = {tag: group[0] for group in SIGNED_GROUPS for tag in group}
    kept: dict[int, memoryview] = {}
    position = table_start + table.length
    for tag, offset in zip(FIELD_TAGS, offsets, strict=True):
        if offset != position:
            raise errors.MalformedResponse(
                f"offset table puts {tag:X} at {offset}, but the previous field ends at {position}")
        header = ber.parse_header(record, offset)
        field_end = offset + header.total_length
        if header.tag != tag:
            raise errors.MalformedResponse(f"offset {offset} holds tag {header.tag:X}, the table says {tag:X}")
        if field_end > end:
            raise errors.MalformedResponse(f"{tag:X} claims {header.length} bytes, past the end of the record")
        if tag in group_of:
            hashers[group_of[tag]].update(view[offset:field_end])
        if tag in (TAG_CARD_KEY, TAG_PHOTO, TAG_SIGNATURE, TAG_EXPIRY):
            kept[tag] = view[offset + header.header_length : field_end]
        position = field_end
    if position != end:
        raise errors.MalformedResponse(f"{end - position} bytes follow the last field of the card face record")

    card_key = public_key_from_tlv(bytes(kept[TAG_CARD_KEY]))
    photo = bytes(kept[TAG_PHOTO])
    if not photo.startswith(JP2_SIGNATURE):
        raise errors.MalformedResponse("the photo (DF27) is not JPEG 2000 in a JP2 container")
    signature = bytes(kept[TAG_SIGNATURE])
    if len(signature) != 256:
        raise errors.MalformedResponse(f"issuer signature of {len(signature)} bytes, expected 256 (RSA-2048)")
    expiry = _date(kept[TAG_EXPIRY], "expiry (DF29)")
    signed = group_digest_info([hashers[group[0]].digest() for group in SIGNED_GROUPS])
    return CardFace(
        photo=photo,
        card_public_key_der=card_key.public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo),
        expiry=expiry,
        issuer_signature=_check_issuer_signature(issuer_key, signature, signed),
    )


def _check_issuer_signature(issuer_key: rsa.RSAPublicKey | None, signature: bytes, signed: bytes) -> SignatureCheck:
    if issuer_key is None:
        return SignatureCheck.NOT_VERIFIABLE
    try:
        recovered = issuer_key.recover_data_from_signature(signature, padding.PKCS1v15(), None)
    except (InvalidSignature, ValueError):
        return SignatureCheck.FAILED
    return SignatureCheck.VERIFIED if hmac.compare_digest(recovered, signed) else SignatureCheck.FAILED


class CardFaceAp:
    """The 券面事項確認AP of one card on an open channel."""

    def __init__(self, channel: CardChannel) -> None:
        self.channel = channel
        self.files = ApplicationFiles(channel)

    def select(self) -> None:
        """SELECT the AP; :class:`FileNotFound` on tokens without one (smartphones, 住基カード)."""
        self.channel.call(apdu.select_df(CARD_FACE_AID))

    def collation_b_tries_left(self) -> int:
        """Tries left before 照合番号B locks, read with the empty VERIFY (costs no try). 0 = locked."""
        command, response = self.files.send_by_reference(lambda ref: apdu.verify(ref, None), EF_COLLATION_B)
        return apdu.tries_left(response.sw, command, COLLATION_MAX_TRIES)

    def verify_collation_b(self, code: str) -> None:
        """VERIFY 照合番号B: returns on success, raises :class:`WrongPin` (with tries left) or :class:`PinBlocked`.
        Anything but 14 ASCII digits is refused before any APDU."""
        secret = check_collation_b_format(code)
        command, response = self.files.send_by_reference(lambda ref: apdu.verify(ref, secret), EF_COLLATION_B)
        apdu.check(response, command)

    def read_card_face(self, issuer_key: rsa.RSAPublicKey | None = None, challenge: bytes | None = None) -> CardFace:
        """Read and parse the card face record (after :meth:`verify_collation_b`), then have the card sign
        ``challenge`` (default: 32 fresh random bytes) with the key the record names."""
        face = parse_card_face(self.files.read_object(EF_CARD_FACE), issuer_key)
        proof = self.prove_card_key(face.card_public_key, challenge or secrets.token_bytes(32))
        return dataclasses.replace(face, card_key=proof)

    def prove_card_key(self, card_key: rsa.RSAPublicKey, challenge: bytes) -> CardKeyProof:
        """Ask the AP to sign SHA-256(``challenge``) with its own key (P2 = 00, no PIN) and verify it."""
        digest = hashlib.sha256(challenge).digest()
        signature = self.channel.call(apdu.compute_signature(0x00, apdu.sha256_digest_info(digest)))
        if len(signature) != 256:
            raise errors.MalformedResponse(f"signature of {len(signature)} bytes, expected 256 (RSA-2048)")
        try:
            card_key.verify(signature, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
            result = SignatureCheck.VERIFIED
        except InvalidSignature:
            result = SignatureCheck.FAILED
        return CardKeyProof(challenge, signature, result)
