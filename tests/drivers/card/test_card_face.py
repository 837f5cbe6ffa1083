"""The 券面事項確認AP: the record parser on its own, then the face path through pyscard → pcscd → vpcd → the card."""

from __future__ import annotations

import datetime as dt
import gc
import io
import logging
import pickle
import types
from functools import lru_cache

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from drivers.card import ber, errors
from drivers.images import ImageTooLarge, ImageUndecodable, decoded_image
from drivers.card.card_face import (
    EF_COLLATION_B,
    PHOTO_MAX_PIXELS,
    CardFace,
    CardFaceAp,
    SignatureCheck,
    collation_number_b,
    inspect_photo,
    parse_card_face,
)
from drivers.card.channel import CardChannel, Exchange
from drivers.card.emulated import card_face_damage, pki, portrait, profiles
from drivers.card.emulated.card import BinaryFile, EmulatedCard, PinKey
from drivers.card.info import PinState, read_card_info
from drivers.card.pcsc import PcscContext

CODE_B = "55021720352285"  # the default holder: 昭和55年2月17日生, valid to 2035, security code 2285
WRONG_B = "55021720359999"


@lru_cache(maxsize=1)
def normal_card() -> EmulatedCard:
    return profiles.build("normal")


def surface_files(card: EmulatedCard) -> dict:
    return next(app.files for app in card.applications if app.aid == bytes.fromhex("D3921000310001010402"))


def record_of(card: EmulatedCard) -> bytes:
    ef = surface_files(card)[0x0002]
    assert isinstance(ef, BinaryFile)
    return ef.data


def issuer() -> rsa.RSAPublicKey:
    return pki.test_card_face_issuer().public_key()


# -- the record on its own ------------------------------------------------------------------------------------------


def test_collation_number_b_is_built_like_the_spec_example() -> None:
    assert collation_number_b("550217", 2035, "2285") == CODE_B
    assert normal_card().face is not None and normal_card().face.collation_b == CODE_B


def test_the_record_parses_and_the_issuer_signature_is_verified_failed_or_not_verifiable() -> None:
    record = record_of(normal_card())
    face = parse_card_face(record, issuer())
    assert face.issuer_signature is SignatureCheck.VERIFIED
    assert face.expiry == dt.date(2035, 2, 17)
    assert face.photo == normal_card().face.photo  # type: ignore[union-attr]
    assert face.card_public_key.key_size == 2048
    assert parse_card_face(record).issuer_signature is SignatureCheck.NOT_VERIFIABLE
    stranger = pki.new_rsa_key().public_key()
    assert parse_card_face(record, stranger).issuer_signature is SignatureCheck.FAILED
    tampered = card_face_damage.tampered_photo(record)
    assert parse_card_face(tampered, issuer()).issuer_signature is SignatureCheck.FAILED


@pytest.mark.parametrize("damage", sorted(card_face_damage.MALFORMED))
def test_malformed_records_are_typed_errors(damage: str) -> None:
    broken = card_face_damage.MALFORMED[damage](record_of(normal_card()))
    with pytest.raises(errors.MalformedResponse):
        parse_card_face(broken, issuer())


@lru_cache(maxsize=1)
def compact_record() -> bytes:
    return record_of(profiles.build("normal", photo=portrait.default_photo(portrait.COMPACT_PHOTO_BYTES)))


@settings(max_examples=300)
@given(st.data())
def test_any_corruption_of_a_record_parses_or_is_a_typed_error(data: st.DataObject) -> None:
    record = bytearray(compact_record())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(record) - 1))
        record[at] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        record = record[: data.draw(st.integers(0, len(record)))]
    try:
        face = parse_card_face(bytes(record), issuer())
    except errors.MalformedResponse:
        return
    # A record that still parses has kept its shape; its signature verifies only if no signed byte changed.
    assert face.issuer_signature in (SignatureCheck.VERIFIED, SignatureCheck.FAILED)


def test_fields_are_found_through_the_offset_table_not_fixed_positions() -> None:
    # A smaller photo moves every later field; the parser follows the table.
    card = profiles.build("normal", photo=portrait.default_photo(portrait.COMPACT_PHOTO_BYTES))
    record = record_of(card)
    big = record_of(normal_card())
    assert card_face_damage.field_offset(record, 0xDF28) != card_face_damage.field_offset(big, 0xDF28)
    assert parse_card_face(record, issuer()).photo == card.face.photo  # type: ignore[union-attr]


def reachable(root: object) -> list[object]:
    """Every object reachable from ``root`` through references (slots, dicts, containers), classes excluded."""
    seen: set[int] = set()
    found: list[object] = []
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (type, types.ModuleType, types.FunctionType,
                                                 types.BuiltinFunctionType)):
            continue
        seen.add(id(item))
        found.append(item)
        stack.extend(gc.get_referents(item))
    return found


def assert_nothing_personal(face: CardFace, record: bytes, card: EmulatedCard) -> None:
    fields = dict(ber.parse_all(ber.parse_all(record)[0][1]))
    dropped = [fields[tag] for tag in (0xDF22, 0xDF25, 0xDF26, 0xDF2A)]  # birth date, name, address, security code
    sex = fields[0xDF23]
    assert card.face is not None
    texts = [card.face.name, card.face.collation_b, card.face.security_code, card.face.my_number,
             *card.face.address, "19800217"]
    objects = reachable(face)
    leaves = [o for o in objects if isinstance(o, (bytes, bytearray, memoryview, str))]
    allowed = {face.photo, face.card_public_key_der}
    if face.card_key is not None:
        allowed |= {face.card_key.challenge, face.card_key.signature}
    # Positive: the only byte strings in the object are the photo, the card key and the proof.
    assert {bytes(o) for o in leaves if not isinstance(o, str)} <= allowed
    assert not hasattr(face, "__dict__")
    for leaf in leaves:
        data = leaf.encode() if isinstance(leaf, str) else bytes(leaf)
        assert data != sex
        for secret in dropped:
            assert secret not in data
        for text in texts:
            assert text.encode() not in data
    shown = repr(face) + str(face)
    pickled = pickle.dumps(face)
    assert pickle.loads(pickled) == face
    for secret in dropped:
        assert secret not in pickled
    for text in texts:
        assert text not in shown and text.encode() not in pickled


def jp2_of(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 128).save(buffer, format="JPEG2000", irreversible=True, quality_mode="rates",
                                              quality_layers=[200])
    return buffer.getvalue()


def test_a_photo_declaring_too_many_pixels_is_refused_from_its_header() -> None:
    wide = jp2_of(PHOTO_MAX_PIXELS // 500 + 1, 500)
    cut = wide[:180]  # the header whole, the codestream cut short: decoding it fails ...
    with pytest.raises(ImageUndecodable):
        with decoded_image(io.BytesIO(cut), max_pixels=10**9):
            pass
    with pytest.raises(errors.MalformedResponse, match="too large") as refused:
        inspect_photo(cut)  # ... so this refusal came from the header alone
    assert isinstance(refused.value.__cause__, ImageTooLarge)
    assert inspect_photo(jp2_of(500, PHOTO_MAX_PIXELS // 500)).mode == "L"  # at the limit: decoded


def test_a_photo_that_is_not_jpeg_2000_is_a_typed_error() -> None:
    png = io.BytesIO()
    Image.new("L", (24, 32)).save(png, format="PNG")
    for photo in (png.getvalue(), jp2_of(24, 32)[:-40], b""):
        with pytest.raises(errors.MalformedResponse, match="does not decode as JPEG 2000") as refused:
            inspect_photo(photo)
        assert isinstance(refused.value.__cause__, ImageUndecodable)


def test_nothing_but_photo_key_expiry_and_signature_results_survives_parsing() -> None:
    record = record_of(normal_card())
    face = parse_card_face(record, issuer())
    assert {f for f in CardFace.__slots__} == {"photo", "card_public_key_der", "expiry", "issuer_signature",
                                                "card_key"}
    assert_nothing_personal(face, record, normal_card())


# -- the face path through pcscd ------------------------------------------------------------------------------------


def open_face(context: PcscContext, reader: str) -> tuple[CardFaceAp, list[Exchange]]:
    channel = CardChannel(context.connect(reader))
    log: list[Exchange] = []
    channel.observers.append(log.append)
    ap = CardFaceAp(channel)
    ap.select()
    return ap, log


def collation_key(card: EmulatedCard) -> PinKey:
    key = surface_files(card)[EF_COLLATION_B]
    assert isinstance(key, PinKey)
    return key


@pytest.mark.pcsc
def test_the_face_path_with_a_3_kb_record_fits_in_18_apdus_and_proves_the_card(insert_card, context) -> None:
    card = profiles.build("normal", photo=portrait.default_photo(portrait.COMPACT_PHOTO_BYTES))
    inserted = insert_card(card)
    ap, log = open_face(context, inserted.reader)
    log.clear()
    assert ap.collation_b_tries_left() == 10
    ap.verify_collation_b(CODE_B)
    face = ap.read_card_face(issuer(), challenge=b"host nonce")
    assert face.card_key is not None and face.card_key.result is SignatureCheck.VERIFIED
    assert face.card_key.challenge == b"host nonce"
    assert face.issuer_signature is SignatureCheck.VERIFIED
    assert face.photo == card.face.photo  # type: ignore[union-attr]
    assert len(record_of(card)) <= 3 * 1024 + 100
    assert len(log) <= 18
    assert_nothing_personal(face, record_of(card), card)


@pytest.mark.pcsc
def test_a_wrong_code_costs_exactly_one_try_and_is_reported(insert_card, context) -> None:
    inserted = insert_card("normal")
    ap, _ = open_face(context, inserted.reader)
    with pytest.raises(errors.WrongPin) as caught:
        ap.verify_collation_b(WRONG_B)
    assert caught.value.tries_left == 9 and caught.value.sw == 0x63C9
    assert collation_key(inserted.card).remaining == 9
    assert ap.collation_b_tries_left() == 9
    with pytest.raises(errors.SecurityStatusNotSatisfied):
        ap.read_card_face()  # nothing opened the record
    ap.verify_collation_b(CODE_B)
    assert collation_key(inserted.card).remaining == 10
    assert ap.read_card_face().expiry == dt.date(2035, 2, 17)


@pytest.mark.pcsc
def test_a_code_that_is_not_14_ascii_digits_is_refused_before_any_apdu(insert_card, context) -> None:
    inserted = insert_card("normal")
    ap, log = open_face(context, inserted.reader)
    log.clear()
    count = inserted.card.apdu_count
    for bad in ["5502172035228", "550217203522850", "5502172035228a", "５５０２１７２０３５２２８５", "",
                "55021720352285\n", " 5502172035228", None, 55021720352285]:
        with pytest.raises(errors.InvalidPinFormat):
            ap.verify_collation_b(bad)  # type: ignore[arg-type]
    assert log == [] and inserted.card.apdu_count == count
    assert collation_key(inserted.card).remaining == 10


@pytest.mark.pcsc
def test_one_try_left_and_locked_profiles(insert_card, context) -> None:
    inserted = insert_card("collation-one-try-left")
    ap, _ = open_face(context, inserted.reader)
    assert ap.collation_b_tries_left() == 1
    with pytest.raises(errors.PinBlocked):
        ap.verify_collation_b(WRONG_B)
    assert ap.collation_b_tries_left() == 0

    locked = insert_card("collation-locked")
    ap, _ = open_face(context, locked.reader)
    assert ap.collation_b_tries_left() == 0
    with pytest.raises(errors.PinBlocked) as caught:
        ap.verify_collation_b(CODE_B)  # even the right code: 6984
    assert caught.value.sw == 0x6984


@pytest.mark.pcsc
def test_pinless_card_reports_pin_not_usable_and_its_face_path_works(insert_card, context) -> None:
    inserted = insert_card("pinless")
    with context.connect(inserted.reader) as connection:
        info = read_card_info(CardChannel(connection))
    assert info.supported and info.pin_tries_left is None and info.pin_state is PinState.NOT_USABLE
    assert info.card_expiry == dt.date(2035, 2, 17)
    ap, _ = open_face(context, inserted.reader)
    ap.verify_collation_b(CODE_B)
    face = ap.read_card_face(issuer())
    assert face.card_key is not None and face.card_key.result is SignatureCheck.VERIFIED
    ap.channel.transport.close()  # type: ignore[attr-defined]

    # Whether such a card carries the 利用者証明用 certificate is not public: without one it is still no failure.
    bare = profiles.build("pinless")
    for fid in (0x000A, 0x000B, 0x0017):
        del bare.applications[0].files[fid]
    inserted = insert_card(bare)
    with context.connect(inserted.reader) as connection:
        info = read_card_info(CardChannel(connection))
    assert info.auth_certificate is None and info.pin_state is PinState.NOT_USABLE and info.supported


@pytest.mark.pcsc
def test_a_card_pulled_during_the_record_read_raises_card_removed_and_the_next_card_works(insert_card,
                                                                                           context) -> None:
    inserted = insert_card("normal")
    # Pull the card at the record's second chunk (READ BINARY by offset, not SFI, at a non-zero offset).
    inserted.slot.pull_when = lambda apdu: apdu[1] == 0xB0 and not apdu[2] & 0x80 and apdu[2:4] != b"\x00\x00"
    ap, _ = open_face(context, inserted.reader)
    ap.verify_collation_b(CODE_B)
    with pytest.raises(errors.CardRemovedError):
        ap.read_card_face()
    with pytest.raises(errors.CardRemovedError):
        ap.select()
    ap.channel.transport.close()  # type: ignore[attr-defined]

    fresh = insert_card("normal")
    ap, _ = open_face(context, fresh.reader)
    ap.verify_collation_b(CODE_B)
    assert ap.read_card_face(issuer()).issuer_signature is SignatureCheck.VERIFIED


@pytest.mark.pcsc
def test_the_damaged_card_face_gives_typed_errors(insert_card, context) -> None:
    inserted = insert_card("damaged")
    ap, _ = open_face(context, inserted.reader)
    ap.verify_collation_b(CODE_B)
    with pytest.raises(errors.MalformedResponse):
        ap.read_card_face(issuer())  # the offset table points past the end
    with pytest.raises(errors.MalformedResponse):
        ap.prove_card_key(issuer(), b"challenge")  # a 128-byte "signature"
    ap.select()  # the connection still works


@pytest.mark.pcsc
def test_every_malformed_record_is_a_typed_error_through_the_stack(insert_card, context) -> None:
    inserted = insert_card("normal")
    files = surface_files(inserted.card)
    good = files[0x0002]
    assert isinstance(good, BinaryFile)
    ap, _ = open_face(context, inserted.reader)
    ap.verify_collation_b(CODE_B)
    for damage in card_face_damage.MALFORMED.values():
        files[0x0002] = BinaryFile(damage(good.data), good.size, good.read_requires)  # the card in the reader
        with pytest.raises(errors.MalformedResponse):
            ap.read_card_face(issuer())
    files[0x0002] = good
    assert ap.read_card_face(issuer()).issuer_signature is SignatureCheck.VERIFIED  # and the session goes on


@pytest.mark.pcsc
def test_tokens_without_the_application_say_so(insert_card, context) -> None:
    inserted = insert_card("android")
    with context.connect(inserted.reader) as connection:
        with pytest.raises(errors.FileNotFound):
            CardFaceAp(CardChannel(connection)).select()


@pytest.mark.pcsc
def test_the_code_is_redacted_in_the_apdu_log(insert_card, context, caplog) -> None:
    inserted = insert_card("normal")
    caplog.set_level(logging.DEBUG, logger="drivers.card.apdu")
    ap, _ = open_face(context, inserted.reader)
    with pytest.raises(errors.WrongPin) as caught:
        ap.verify_collation_b(WRONG_B)
    ap.verify_collation_b(CODE_B)
    text = caplog.text + str(caught.value) + repr(caught.value)
    assert "VERIFY" in caplog.text and "redacted" in caplog.text
    for secret in (CODE_B, WRONG_B):
        assert secret not in text
        assert secret.encode().hex() not in text.replace(" ", "").lower()
