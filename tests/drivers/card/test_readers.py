"""Reader roles from the card URL, and which readers are emulations (pure: no PC/SC)."""

from __future__ import annotations

import pytest

from drivers.card.readers import ReaderRoles, ReaderRolesError, is_emulated_reader


def test_a_bare_pcsc_url_makes_every_reader_a_card_reader() -> None:
    roles = ReaderRoles.from_url("pcsc:")
    assert roles.role_of("SONY FeliCa Port/PaSoRi 4.0 00 00") == "card"
    assert roles.role_of("Virtual PCD 00 01") == "card"


def test_named_readers_match_by_prefix_and_the_phone_rule_comes_first() -> None:
    roles = ReaderRoles.from_url("pcsc:SONY FeliCa Port?phone=ACS ACR1252*PICC")
    assert roles.role_of("SONY FeliCa Port/PaSoRi 4.0 00 00") == "card"
    assert roles.role_of("ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 01 00") == "phone"
    assert roles.role_of("ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 01 01") is None
    assert roles.role_of("Virtual PCD 00 00") is None
    assert ReaderRoles.from_url("pcsc:?phone=Virtual PCD 00 01").role_of("Virtual PCD 00 01") == "phone"


@pytest.mark.parametrize("url", ["pcsc", "card:", "pcsc:x?speed=1", "pcsc:x?phone="])
def test_bad_card_urls_are_typed_errors(url: str) -> None:
    with pytest.raises(ReaderRolesError):
        ReaderRoles.from_url(url)


def test_roles_are_card_or_phone() -> None:
    with pytest.raises(ReaderRolesError, match="watch"):
        ReaderRoles((("*", "watch"),))


def test_vpcd_readers_are_the_emulated_ones() -> None:
    assert is_emulated_reader("Virtual PCD 00 00")
    assert not is_emulated_reader("SONY FeliCa Port/PaSoRi 4.0 00 00")
