"""The emulated 券面 APs at the APDU level: which key opens which EF, retry counters, signatures (no pcscd needed:
the driver's tests run the same card through the real stack)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from drivers.card import apdu, ber
from drivers.card.card_face import CARD_FACE_AID, public_key_from_tlv
from drivers.card.emulated import pki, profiles
from drivers.card.emulated.card import EmulatedCard
from drivers.card.emulated.card_face_aps import INPUT_SUPPORT_AID, my_number_check_digit

JPKI_AID = bytes.fromhex("D392F000260100000001")


@lru_cache(maxsize=1)
def card() -> EmulatedCard:
    return profiles.build("normal", pin="8461")


def send(c: EmulatedCard, command: apdu.Command) -> tuple[bytes, int]:
    raw = c.process(command.to_bytes())
    return raw[:-2], int.from_bytes(raw[-2:], "big")


def read(c: EmulatedCard, fid: int) -> tuple[bytes, int]:
    return send(c, apdu.read_binary_sfi(fid, 0, 256))


def read_object(c: EmulatedCard, fid: int) -> bytes:
    """The BER object at the start of an EF, read to the end of the file in 256-byte chunks."""
    data, status = read(c, fid)
    while status == 0x9000 and len(data) % 256 == 0:
        chunk, status = send(c, apdu.read_binary(len(data), 256))
        data += chunk
    return data[: ber.parse_header(data).total_length]


def verify(c: EmulatedCard, fid: int, code: str | None) -> int:
    return send(c, apdu.verify(0x80 | fid, None if code is None else code.encode()))[1]


def codes(c: EmulatedCard) -> tuple[str, str, str]:
    assert c.face is not None
    return c.face.collation_b, c.face.my_number, c.face.birth_key


def readable(c: EmulatedCard, fids: range) -> set[int]:
    return {fid for fid in fids if read(c, fid)[1] == 0x9000}


def test_which_key_opens_which_file_of_the_card_face_ap() -> None:
    c = card()
    code_b, code_a, birth = codes(c)
    c.reset()
    assert send(c, apdu.select_df(CARD_FACE_AID))[1] == 0x9000
    assert readable(c, range(1, 7)) == {0x0003, 0x0004}
    assert verify(c, 0x0011, birth) == 0x9000
    assert readable(c, range(1, 7)) == {0x0001, 0x0003, 0x0004}
    send(c, apdu.select_df(CARD_FACE_AID))  # security state belongs to the DF: selecting it again drops it
    assert verify(c, 0x0012, code_b) == 0x9000
    assert readable(c, range(1, 7)) == {0x0002, 0x0003, 0x0004, 0x0006}  # B does not open the My Number image
    c.reset()
    send(c, apdu.select_df(CARD_FACE_AID))
    assert verify(c, 0x0013, code_a) == 0x9000
    assert readable(c, range(1, 7)) == {0x0002, 0x0003, 0x0004, 0x0005, 0x0006}


def test_which_key_opens_which_file_of_the_input_support_ap() -> None:
    c = card()
    code_b, code_a, _ = codes(c)
    for key, code, opened in [(0x0015, code_b, {2, 3, 4, 5, 6, 7}), (0x0014, code_a, {1, 3, 4, 5, 6, 7}),
                              (0x0011, "8461", {1, 2, 3, 4, 5, 6, 7})]:
        c.reset()
        send(c, apdu.select_df(INPUT_SUPPORT_AID))
        assert readable(c, range(1, 8)) == {4, 5}
        assert verify(c, key, code) == 0x9000
        assert readable(c, range(1, 8)) == opened
    # The key every examined card has blocked.
    assert verify(c, 0x0012, None) == 0x63C0
    assert verify(c, 0x0012, "0000") == 0x6984


def test_the_my_number_file_is_17_bytes_with_filler_and_the_integrity_record_hashes_it() -> None:
    c = card()
    c.reset()
    send(c, apdu.select_df(INPUT_SUPPORT_AID))
    verify(c, 0x0011, "8461")
    number, _ = read(c, 0x0001)
    assert number == b"\xff\x10\x0c" + c.face.my_number.encode() + b"\xff\xff"  # type: ignore[union-attr]
    fields = dict(ber.parse_all(ber.parse_all(read_object(c, 0x0003))[0][1]))
    assert fields[0xDF31] == hashlib.sha256(number).digest()


def test_collation_b_locks_after_ten_wrong_codes_and_counters_survive_a_power_cycle() -> None:
    c = profiles.build("collation-one-try-left")
    code_b, _, _ = codes(c)
    send(c, apdu.select_df(CARD_FACE_AID))
    assert verify(c, 0x0012, None) == 0x63C1
    fresh = profiles.build("normal")
    send(fresh, apdu.select_df(CARD_FACE_AID))
    assert verify(fresh, 0x0012, None) == 0x63CA
    for left in range(9, -1, -1):
        assert verify(fresh, 0x0012, "00000000000000") == 0x63C0 | left
    fresh.power_off()
    fresh.power_on()
    send(fresh, apdu.select_df(CARD_FACE_AID))
    assert verify(fresh, 0x0012, code_b) == 0x6984


def test_the_ap_signs_a_challenge_without_pin_with_the_key_its_records_carry() -> None:
    c = card()
    c.reset()
    send(c, apdu.select_df(CARD_FACE_AID))
    digest = hashlib.sha256(b"challenge").digest()
    signature, status = send(c, apdu.compute_signature(0x00, apdu.sha256_digest_info(digest)))
    assert status == 0x9000
    verify(c, 0x0011, codes(c)[2])
    body = ber.parse_all(read_object(c, 0x0001))[0][1]
    fields = dict(ber.parse_all(body))
    key = public_key_from_tlv(fields[0xDF12])
    key.verify(signature, b"challenge", padding.PKCS1v15(), hashes.SHA256())
    # The age record is signed by the issuer over the TLVs before its signature.
    signed = body[: body.index(b"\xdf\x13")]
    pki.test_card_face_issuer().public_key().verify(fields[0xDF13], signed, padding.PKCS1v15(), hashes.SHA256())


def test_pinless_card_has_no_pin_efs() -> None:
    c = profiles.build("pinless")
    send(c, apdu.select_df(JPKI_AID))
    assert verify(c, 0x0018, None) == 0x6A88
    assert send(c, apdu.select_ef(0x0018))[1] == 0x6A82
    send(c, apdu.select_df(INPUT_SUPPORT_AID))
    assert verify(c, 0x0011, None) == 0x6A88


@pytest.mark.parametrize(("first_eleven", "check"), [("12345678901", 8), ("00000000000", 0)])
def test_my_number_check_digit(first_eleven: str, check: int) -> None:
    assert my_number_check_digit(first_eleven) == check
