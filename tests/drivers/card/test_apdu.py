import pytest

from drivers.card import apdu, errors


def test_commands_encode_as_iso_7816_short_apdus() -> None:
    assert apdu.select_df(bytes.fromhex("D392F000260100000001")).to_bytes().hex() == "00a4040c0ad392f000260100000001"
    assert apdu.select_ef(0x000A).to_bytes().hex() == "00a4020c02000a"
    assert apdu.read_binary(0x0100, 256).to_bytes().hex() == "00b0010000"
    assert apdu.read_binary_sfi(0x0A, 0, 256).to_bytes().hex() == "00b08a0000"
    assert apdu.read_record(1, sfi=1).to_bytes().hex() == "00b2010c00"
    assert apdu.verify(0x98, None).to_bytes().hex() == "00200098"
    assert apdu.verify(0x80, b"1234").to_bytes().hex() == "002000800431323334"
    assert apdu.compute_signature(0x97, b"\x01" * 51).to_bytes()[:5].hex() == "802a009733"
    assert apdu.compute_signature(0x97, b"\x01" * 51).to_bytes()[-1] == 0


def test_verify_data_never_appears_in_trace_or_repr() -> None:
    command = apdu.verify(0x80, b"8461")
    for text in (command.trace(), repr(command), str(command)):
        assert "8461" not in text
        assert "38 34 36 31" not in text and "38343631" not in text
        assert "redacted" in text


@pytest.mark.parametrize(
    ("sw", "kind"),
    [
        (0x6982, errors.SecurityStatusNotSatisfied),
        (0x6A82, errors.FileNotFound),
        (0x6983, errors.PinBlocked),
        (0x6984, errors.PinBlocked),
        (0x63C0, errors.PinBlocked),
        (0x6B00, errors.EndOfFile),
        (0x6700, errors.WrongLength),
        (0x6C10, errors.WrongLength),
        (0x6A86, errors.IncorrectParameters),
        (0x6D00, errors.NotSupported),
        (0x6F00, errors.UnexpectedStatus),
    ],
)
def test_status_words_map_to_typed_errors_that_keep_the_sw(sw: int, kind: type[errors.StatusWordError]) -> None:
    command = apdu.read_binary(0, 4)
    with pytest.raises(kind) as caught:
        apdu.check(apdu.Response(b"", sw), command)
    assert caught.value.sw == sw
    assert f"{sw:04X}" in str(caught.value)
    assert isinstance(caught.value, errors.CardError)


def test_wrong_pin_reports_tries_left() -> None:
    error = apdu.error_for(0x63C2, apdu.verify(0x80, b"0000"))
    assert isinstance(error, errors.WrongPin) and error.tries_left == 2
    assert "0000" not in str(error)


def test_response_without_status_word_is_malformed() -> None:
    with pytest.raises(errors.MalformedResponse):
        apdu.Response.from_bytes(b"\x90")


def test_9000_to_the_empty_verify_means_verified_and_a_full_counter() -> None:
    assert apdu.tries_left(0x9000, apdu.verify(0x98, None), 3) == 3
    assert apdu.tries_left(0x63C1, apdu.verify(0x98, None), 3) == 1
