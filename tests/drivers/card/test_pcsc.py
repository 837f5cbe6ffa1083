"""Readers, card events, cards pulled mid-command and pcscd restarts — all on the real pcscd."""

from __future__ import annotations

import time

import pytest

from drivers.card import errors
from drivers.card.channel import CardChannel
from drivers.card.emulated.vpcd import DEFAULT_PORT
from drivers.card.info import read_card_info
from drivers.card.jpki import JpkiAp, TokenKind
from drivers.card.pcsc import CardArrived, CardLeft, PcscContext

pytestmark = pytest.mark.pcsc


def collect(context: PcscContext, until: type, reader: str, timeout: float = 10.0) -> list:
    """Events until one of type ``until`` for ``reader`` arrives."""
    seen: list = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += context.wait_for_events(0.5)
        if any(isinstance(e, until) and e.reader == reader for e in seen):
            return seen
    raise AssertionError(f"no {until.__name__} for {reader} within {timeout} s; saw {seen}")


def test_insert_and_remove_are_reported_as_events(insert_card, context) -> None:
    assert context.wait_for_events(0) == []  # baseline: both slots empty
    inserted = insert_card("normal")
    events = collect(context, CardArrived, inserted.reader)
    assert [type(e) for e in events] == [CardArrived]
    assert events[0].atr == inserted.card.atr
    inserted.slot.remove()
    assert collect(context, CardLeft, inserted.reader) == [CardLeft(inserted.reader)]


def test_a_smartphone_on_the_second_reader_is_read_beside_the_card(insert_card, context) -> None:
    card = insert_card("normal", port=DEFAULT_PORT)
    phone = insert_card("android", port=DEFAULT_PORT + 1)
    assert set(context.readers()) >= {card.reader, phone.reader}
    kinds = {}
    for reader in (card.reader, phone.reader):
        with context.connect(reader) as connection:
            kinds[reader] = read_card_info(CardChannel(connection)).kind
    assert kinds == {card.reader: TokenKind.CARD, phone.reader: TokenKind.ANDROID}


def test_a_card_pulled_during_a_read_raises_card_removed_and_the_next_card_works(insert_card, context) -> None:
    inserted = insert_card("normal")
    # Pull the card at the second chunk of the certificate (READ BINARY at a non-zero offset).
    inserted.slot.pull_when = lambda apdu: apdu[1] == 0xB0 and not apdu[2] & 0x80 and apdu[2:4] != b"\x00\x00"
    connection = context.connect(inserted.reader)
    jpki = JpkiAp(CardChannel(connection))
    jpki.select()
    with pytest.raises(errors.CardRemovedError):
        jpki.auth_certificate()
    # No half state: the connection is dead and says so.
    with pytest.raises(errors.CardRemovedError):
        jpki.select()
    connection.close()

    fresh = insert_card("normal")
    with context.connect(fresh.reader) as connection:
        info = read_card_info(CardChannel(connection))
    assert info.auth_certificate is not None
    assert info.auth_certificate.der == fresh.card.applications[0].files[0x000A].data  # type: ignore[union-attr]


def test_a_card_that_falls_silent_is_reset_so_its_verified_pin_does_not_outlive_the_connection(
        insert_card, context) -> None:
    inserted = insert_card("normal", pin="8461")
    # A second handle keeps pcscd from powering the card down on its own once ours is gone: only a reset clears it.
    bystander = context.connect(inserted.reader)
    jpki = JpkiAp(CardChannel(context.connect(inserted.reader)))
    jpki.select()
    jpki.verify_pin("8461")
    assert inserted.card.verified
    # The card stays in the reader but answers the signature with a single byte, no status word.
    inserted.card.quirks.append(lambda _card, apdu: b"\x90" if apdu[:2] == b"\x80\x2a" else None)
    with pytest.raises(errors.CardCommunicationError):
        jpki.sign(bytes(32))
    assert context.card_present(inserted.reader)
    assert not inserted.card.verified  # reset on disconnect, not left verified
    bystander.close(reset=False)


def test_pcscd_restart_mid_session_gives_a_typed_error_then_recovers(insert_card, context, pcscd) -> None:
    inserted = insert_card("normal")
    context.wait_for_events(0)  # the monitor knows the card
    connection = context.connect(inserted.reader)
    jpki = JpkiAp(CardChannel(connection))
    jpki.select()
    pcscd.restart()
    with pytest.raises((errors.ServiceUnavailable, errors.CardRemovedError)):
        jpki.token_label()
    # The monitor reports the card gone with the old service …
    assert CardLeft(inserted.reader) in context.wait_for_events(0.5)
    # … and once the card is back in the new pcscd's reader, the same context finds and reads it.
    assert inserted.slot.wait_removed(timeout=5)
    inserted.reinsert()
    collect(context, CardArrived, inserted.reader)
    with context.connect(inserted.reader) as connection:
        assert read_card_info(CardChannel(connection)).kind is TokenKind.CARD


def test_connecting_to_an_empty_or_unknown_reader_is_typed(context) -> None:
    with pytest.raises(errors.NoCard):
        context.connect("Virtual PCD 00 01")
    with pytest.raises(errors.NoReader):
        context.connect("No Such Reader 00 00")
