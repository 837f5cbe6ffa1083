"""Named card profiles: one holder, one card, one situation each (``mynareader emulate-card --profile NAME``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from drivers.card import ber
from drivers.card.emulated import card_face_aps, card_face_damage, pki, portrait
from drivers.card.emulated.card_face_aps import PrintedFace
from drivers.card.emulated.card import (
    Application,
    BinaryFile,
    EmulatedCard,
    PinKey,
    PrivateKeyFile,
    Quirk,
    RecordFile,
    SW_OK,
    sw,
)

JPKI_AID = bytes.fromhex("D392F000260100000001")
COMMON_AID = bytes.fromhex("D3921000310001010100")
# A contactless reader's synthesised ATR listed by pcsc-tools for JPKI cards; never used to identify the card.
CARD_ATR = bytes.fromhex("3B888001000005E0B381A1007F")


class Profile(StrEnum):
    NORMAL = "normal"
    ONE_TRY_LEFT = "one-try-left"
    PIN_LOCKED = "pin-locked"
    CERT_EXPIRED = "cert-expired"
    CERT_EXPIRING = "cert-expiring"
    JUKI = "juki"
    ANDROID = "android"
    IPHONE = "iphone"
    DAMAGED = "damaged"
    PINLESS = "pinless"
    COLLATION_ONE_TRY_LEFT = "collation-one-try-left"
    COLLATION_LOCKED = "collation-locked"
    QUIRKY = "quirky"


# Smartphones and the 住基カード carry only a JPKI-AP; every other profile is a My Number card with all its APs.
JPKI_ONLY = frozenset({Profile.JUKI, Profile.ANDROID, Profile.IPHONE})
DEFAULT_SECURITY_CODE = "2285"  # with the default holder: 照合番号B 55021720352285, the public sources' example

TOKEN_LABELS = {
    Profile.JUKI: "JPKIAPICCTOKEN",
    Profile.ANDROID: "JPKIAPGPSETOKEN",
    Profile.IPHONE: "JPKIAPIOSTOKEN",
}


@dataclass(frozen=True)
class Holder:
    """The (fictional) holder: the dates the JPKI side needs, and what the card face prints."""

    birth: dt.date
    cert_issued: dt.date
    card_issued: dt.date
    name: str = "試験\u3000花子"
    address: tuple[str, ...] = ("東京都千代田区試験町一丁目２番３号", "テストマンション１０１号")
    sex: str = "2"

    @property
    def card_expiry(self) -> dt.date:
        # The card is valid until the 10th birthday after issue (adults); the certificate until the 5th.
        return pki.nth_birthday_after(self.birth, self.card_issued, 10)


def holder_for(profile: Profile, today: dt.date) -> Holder:
    if profile is Profile.CERT_EXPIRED:
        return Holder(dt.date(1980, 2, 17), dt.date(2019, 6, 1), dt.date(2019, 6, 1))
    if profile is Profile.CERT_EXPIRING:
        # The 5th birthday after issue falls 20 days from today.
        target = today + dt.timedelta(days=20)
        birth = pki.birthday_in(1980, target)
        issued = pki.birthday_in(target.year - 5, birth) + dt.timedelta(days=10)
        return Holder(birth, issued, issued)
    return Holder(dt.date(1980, 2, 17), dt.date(2025, 3, 10), dt.date(2025, 3, 10))


def token_info(label: str) -> bytes:
    """EF 0006: a PKCS#11 CK_TOKEN_INFO (160 bytes) with space-padded text fields, as myna-card describes it."""
    text = (
        label.encode().ljust(32)
        + b"J-LIS (mynareader emulated)".ljust(32)
        + b"EMULATED".ljust(16)
        + b"0000000000000000"
    )
    counters = (0).to_bytes(4, "big") * 11  # flags + 10 counters
    return text + counters + b"03" + b"01" + b" " * 16


def common_card_info(card_expiry: dt.date) -> bytes:
    """共通AP EF 0001 record 1: simple-TLV 01 1C + 15-digit card serial + 5-digit municipality code + expiry."""
    digits = b"000000000000001" + b"13101" + card_expiry.strftime("%Y%m%d").encode()
    return bytes((0x01, len(digits))) + digits


def printed_face(holder: Holder, photo: bytes, security_code: str) -> PrintedFace:
    serial = "".join(str(secrets.randbelow(10)) for _ in range(16))
    return PrintedFace(holder.name, holder.address, holder.birth, holder.sex, holder.card_expiry, security_code,
                       serial, card_face_aps.fictional_my_number(), photo)


@dataclass
class ProfileCard(EmulatedCard):
    """A profile's card: the chip (the generic :class:`EmulatedCard` with the applications assembled here) and the
    face printed on its front, from which its 券面 APs were made (None for a token without them: a smartphone's or a
    住基カード). The chip itself never needs the printed face; developers' tools (the card front's PNG) and tests do."""

    face: PrintedFace | None = field(default=None, repr=False, kw_only=True)


def build(
    profile: Profile | str = Profile.NORMAL,
    pin: str = "1234",
    sign_password: str = "ABC123",
    today: dt.date | None = None,
    photo: bytes | None = None,
    security_code: str = DEFAULT_SECURITY_CODE,
) -> ProfileCard:
    """A fresh card for ``profile`` (new keys, a certificate from the process's test CA).

    ``photo`` is the chip photo as JPEG 2000 (:mod:`portrait` makes one from a real photo); by default the synthetic
    portrait at :data:`portrait.DEFAULT_PHOTO_BYTES`.
    """
    profile = Profile(profile)
    today = today or dt.datetime.now(pki.JST).date()
    holder = holder_for(profile, today)
    ca = pki.test_ca()
    creds = pki.issue_auth_certificate(ca, holder.birth, holder.cert_issued)
    signing = pki.issue_auth_certificate(ca, holder.birth, holder.cert_issued)
    remaining = {Profile.ONE_TRY_LEFT: 1, Profile.PIN_LOCKED: 0}.get(profile, 3)
    label = TOKEN_LABELS.get(profile, "JPKIAPICCTOKEN2")

    jpki_files: dict[int, BinaryFile | RecordFile | PinKey | PrivateKeyFile] = {
        # The signature side (署名用): certificate and CA behind the 6-16 character password. The reception
        # never uses it; it is here so that clients probing the AP (OpenSC's PKCS#15 bind) meet a real layout.
        0x0001: BinaryFile(signing.auth_certificate_der, size=0x0800, read_requires=frozenset({0x001B})),
        0x0002: BinaryFile(ca.certificate_der, size=0x0800, read_requires=frozenset({0x001B})),
        0x0006: BinaryFile(token_info(label), size=160),
        0x0008: BinaryFile(b"\x8f\x8f\x00", size=3),
        0x000A: BinaryFile(creds.auth_certificate_der, size=0x0800),
        0x000B: BinaryFile(ca.certificate_der, size=0x0800),
        0x0017: PrivateKeyFile(creds.auth_key, use_requires=frozenset({0x0018})),
        0x0018: PinKey(pin.encode(), max_tries=3, remaining=remaining),
        0x001A: PrivateKeyFile(signing.auth_key, use_requires=frozenset({0x001B})),
        0x001B: PinKey(sign_password.encode(), max_tries=5, remaining=5),
    }
    if profile is Profile.PINLESS:
        # 顔認証マイナンバーカード: issued without PINs. Its chip is not publicly described; this emulator's choice:
        # no PIN EFs (VERIFY answers 6A88 by reference, 6A82 on SELECT), hence no 署名用 side, and the
        # 利用者証明用 certificate kept but its key unusable (it needs the absent PIN: 6982).
        for fid in (0x0001, 0x0002, 0x0018, 0x001A, 0x001B):
            del jpki_files[fid]
    if profile is Profile.IPHONE:
        # An iPhone asks its holder itself (Face ID in the マイナポータル app) before it signs; the reader sends no
        # PIN. The emulated holder always approves: the key needs no VERIFY.
        jpki_files[0x0017] = PrivateKeyFile(creds.auth_key)
    jpki = Application(JPKI_AID, jpki_files)
    if profile in JPKI_ONLY:
        return ProfileCard(CARD_ATR, [jpki])
    face = printed_face(holder, photo or portrait.default_photo(), security_code)
    collation_b_tries = {Profile.COLLATION_ONE_TRY_LEFT: 1, Profile.COLLATION_LOCKED: 0}.get(
        profile, card_face_aps.COLLATION_MAX_TRIES)
    common = Application(COMMON_AID, {0x0001: RecordFile([common_card_info(holder.card_expiry)])})
    # One key of the card's own for both 券面 APs (whether real cards share it is not public; it saves a key
    # generation per card).
    card_key = pki.new_rsa_key()
    surface = card_face_aps.card_face_ap(face, card_key, collation_b_tries)
    input_support = card_face_aps.input_support_ap(face, card_key, None if profile is Profile.PINLESS else pin)
    quirks: list[Quirk] = []
    if profile is Profile.DAMAGED:
        damage(jpki, common, surface)
        quirks = [odd_status_words]
    elif profile is Profile.QUIRKY:
        quirks = [GenericStatusWords()]
    return ProfileCard(CARD_ATR, [jpki, common, surface, input_support], quirks, face=face)


def damage(jpki: Application, common: Application, surface: Application) -> None:
    """Malformed contents for the damaged profile: each file the driver reads is broken in its own way."""
    files = jpki.files
    # Token label that is not text.
    files[0x0006] = BinaryFile(b"\xff\xfe\x00JPKI\x80\x81" + bytes(24), size=160)
    # A certificate whose DER header claims more than the file holds: the reads come up short.
    cert = files[0x000A]
    assert isinstance(cert, BinaryFile)
    files[0x000A] = BinaryFile(b"\x30\x82\x06\x00" + cert.data[4:700], size=704)
    # A CA "certificate" that is a well-formed TLV but not a certificate.
    files[0x000B] = BinaryFile(ber.encode(0x30, ber.encode(0x02, b"\x01") * 40), size=0x0800)
    # A card-information record whose TLV is truncated.
    common.files[0x0001] = RecordFile([b"\x01\x1c2035"])
    # A card face record whose offset table points past the end of the record.
    record = surface.files[0x0002]
    assert isinstance(record, BinaryFile)
    surface.files[0x0002] = dataclasses.replace(record, data=card_face_damage.offset_past_end(record.data))


def odd_status_words(card: EmulatedCard, apdu: bytes) -> bytes | None:
    """The damaged card's odd answers: status words no My Number card documents, and a short signature."""
    if apdu[:2] == b"\x00\x20" and card.current_app is not None and card.current_app.aid == JPKI_AID:
        return sw(0x6F00) if len(apdu) == 4 else sw(0x6581)
    if apdu[:2] == b"\x80\x2a":
        return bytes(128) + sw(0x9000)
    return None


@dataclass
class GenericStatusWords:
    """The quirky card's answers: ISO status words the public sources allow but no source saw on a card (docs/card.md,
    "Commands"), so that the driver meets them somewhere. READ BINARY answers of more than :attr:`piece` bytes come in
    pieces chained with 61xx (GET RESPONSE fetches the rest); a read that crosses the end of the EF ends with 6282
    instead of 9000; an empty VERIFY on a key already verified answers 9000 instead of its counter (myna-card)."""

    piece: int = 100
    pending: bytes = field(default=b"", repr=False)  # the rest of a chained answer, data ‖ final SW

    def __call__(self, card: EmulatedCard, apdu: bytes) -> bytes | None:
        if apdu[:2] == b"\x00\xc0" and self.pending:
            want = (apdu[4] or 256) if len(apdu) == 5 else 256
            return self._next(self.pending[:-2], self.pending[-2:], want)
        self.pending = b""
        if apdu[:2] == b"\x00\x20" and len(apdu) == 4 and card.key_reference(apdu[3]) in card.verified:
            return SW_OK
        if apdu[:2] != b"\x00\xb0" or len(apdu) != 5:
            return None
        answer = card.interpret(apdu)
        data, status = answer[:-2], answer[-2:]
        if status != SW_OK:
            return answer
        if len(data) < (apdu[4] or 256):
            status = sw(0x6282)  # the EF ended before Le bytes
        return self._next(data, status, self.piece)

    def _next(self, data: bytes, status: bytes, want: int) -> bytes:
        piece, rest = data[:want], data[want:]
        if not rest:
            self.pending = b""
            return piece + status
        self.pending = rest + status
        return piece + sw(0x6100 | (min(len(rest), 256) & 0xFF))
