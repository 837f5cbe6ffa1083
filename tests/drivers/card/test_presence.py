"""Card presence by reader role, on a PC/SC context of its own — on the real pcscd with vpcd's emulated cards."""

from __future__ import annotations

import queue
import threading

import pytest

from drivers.card import errors
from drivers.card.channel import CardChannel
from drivers.card.emulated.card import EmulatedCard
from drivers.card.emulated.vpcd import DEFAULT_PORT
from drivers.card.info import read_card_info
from drivers.card.jpki import TokenKind
from drivers.card.pcsc import CardArrived, CardLeft
from drivers.card.presence import PresenceWatcher, RoleEvent
from drivers.card.readers import ReaderRoles

pytestmark = pytest.mark.pcsc

CARD_READER, PHONE_READER = "Virtual PCD 00 00", "Virtual PCD 00 01"
ROLES = ReaderRoles.from_url(f"pcsc:{CARD_READER}?phone={PHONE_READER}")


class Watching:
    def __init__(self, roles: ReaderRoles = ROLES, wait: float = 1.0) -> None:
        self.events: queue.Queue[RoleEvent] = queue.Queue()
        self.watcher = PresenceWatcher(roles, self.events.put, wait=wait)

    def next(self, timeout: float = 10.0) -> RoleEvent:
        return self.events.get(timeout=timeout)


@pytest.fixture
def watching(pcscd) -> Watching:
    w = Watching()
    w.watcher.start()
    yield w
    w.watcher.stop()


def test_cards_and_phones_arrive_and_leave_by_role(insert_card, watching) -> None:
    card = insert_card("normal", port=DEFAULT_PORT)
    assert watching.next() == RoleEvent("card", CardArrived(CARD_READER, card.card.atr))
    phone = insert_card("android", port=DEFAULT_PORT + 1)
    assert watching.next() == RoleEvent("phone", CardArrived(PHONE_READER, phone.card.atr))
    phone.remove()
    assert watching.next() == RoleEvent("phone", CardLeft(PHONE_READER))
    card.remove()
    assert watching.next() == RoleEvent("card", CardLeft(CARD_READER))


def test_a_reader_without_a_role_is_not_watched(insert_card, pcscd) -> None:
    only_card = Watching(ReaderRoles.from_url(f"pcsc:{CARD_READER}"))
    only_card.watcher.start()
    try:
        insert_card("android", port=DEFAULT_PORT + 1)
        card = insert_card("normal", port=DEFAULT_PORT)
        # The phone went in first, but only the card reader has a role.
        assert only_card.next() == RoleEvent("card", CardArrived(CARD_READER, card.card.atr))
    finally:
        only_card.watcher.stop()
    assert only_card.events.empty()


def test_card_commands_run_while_the_watcher_waits_on_its_own_context(insert_card, context, pcscd) -> None:
    """The watcher sits in one long SCardGetStatusChange; on a shared context the read below would wait behind it."""
    patient = Watching(wait=600.0)
    patient.watcher.start()
    try:
        card = insert_card("normal")
        assert patient.next() == RoleEvent("card", CardArrived(CARD_READER, card.card.atr))  # now waiting again
        kinds: list[TokenKind] = []

        def read() -> None:
            with context.connect(card.reader) as connection:
                kinds.append(read_card_info(CardChannel(connection)).kind)

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=30)
        assert kinds == [TokenKind.CARD]
    finally:
        patient.watcher.stop()  # SCardCancel wakes the 600 s wait
    assert not reader.is_alive()


def test_a_mute_card_is_reported_as_present_and_mute(insert_card, context, watching) -> None:
    # A broken chip: its answer to reset is longer than ISO 7816-3 allows (33 bytes), so the power-up fails while the
    # reader still sees a card — pcscd reports it present and mute.
    mute = insert_card(EmulatedCard(atr=b"\x3b" + bytes(39), applications=[]))
    assert watching.next() == RoleEvent("card", CardArrived(CARD_READER, b"", mute=True))
    with pytest.raises(errors.MuteCard):
        context.connect(mute.reader)
    mute.remove()
    assert watching.next() == RoleEvent("card", CardLeft(CARD_READER))
