"""The damaged profile: every answer that is wrong gives a typed error, never a crash."""

from __future__ import annotations

import hashlib

import pytest

from drivers.card import common_ap, errors
from drivers.card.channel import CardChannel
from drivers.card.info import read_card_info
from drivers.card.jpki import JpkiAp

pytestmark = pytest.mark.pcsc


def test_every_damaged_answer_is_a_typed_error(insert_card, context) -> None:
    inserted = insert_card("damaged")
    channel = CardChannel(context.connect(inserted.reader))
    jpki = JpkiAp(channel)
    jpki.select()
    expectations = [
        (jpki.token_label, errors.MalformedResponse),  # not text
        (jpki.auth_certificate, errors.MalformedResponse),  # header claims more than the file holds
        (jpki.auth_ca_certificate, errors.MalformedResponse),  # a TLV, not a certificate
        (jpki.pin_tries_left, errors.UnexpectedStatus),  # 6F00
        (lambda: jpki.verify_pin("1234"), errors.UnexpectedStatus),  # 6581
        (lambda: jpki.sign(hashlib.sha256(b"n").digest()), errors.MalformedResponse),  # 128-byte "signature"
        (lambda: common_ap.read_card_expiry(channel), errors.MalformedResponse),  # truncated TLV
    ]
    for operation, kind in expectations:
        with pytest.raises(kind):
            operation()
    # The whole identification fails with a typed error too, and the connection still works afterwards.
    with pytest.raises(errors.CardError):
        read_card_info(channel)
    jpki.select()
