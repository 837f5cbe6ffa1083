"""What the reader learns from a card without any PIN: its kind, the auth certificate, tries left, card expiry.

The kind comes from SELECT of the JPKI AID and the token label, never from the ATR (contactless readers synthesise
their own ATRs). Nothing personal is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drivers.card import common_ap, errors
from drivers.card.channel import CardChannel
from drivers.card.jpki import TOKEN_LABELS, AuthCertificate, JpkiAp, TokenKind

UNSUPPORTED_REASONS = {
    TokenKind.JUKI: "old 住民基本台帳カード (住基カード): not a My Number card",
    TokenKind.UNKNOWN: "not a My Number card or smartphone certificate",
}


@dataclass(frozen=True)
class CardInfo:
    kind: TokenKind
    token_label: str | None
    auth_certificate: AuthCertificate | None
    pin_tries_left: int | None
    card_expiry: dt.date | None

    @property
    def supported(self) -> bool:
        return self.kind not in UNSUPPORTED_REASONS

    @property
    def reason(self) -> str | None:
        return UNSUPPORTED_REASONS.get(self.kind)


def read_card_info(channel: CardChannel) -> CardInfo:
    """Identify the card and read what needs no PIN. Ends with the JPKI-AP or the 共通AP selected."""
    jpki = JpkiAp(channel)
    try:
        jpki.select()
    except errors.FileNotFound:
        return CardInfo(TokenKind.UNKNOWN, None, None, None, None)
    label = jpki.token_label()
    kind = TOKEN_LABELS.get(label, TokenKind.UNKNOWN)
    if kind in UNSUPPORTED_REASONS:
        return CardInfo(kind, label, None, None, None)
    certificate = jpki.auth_certificate()
    try:
        tries: int | None = jpki.pin_tries_left()
    except errors.FileNotFound:
        tries = None  # no PIN on this token
    expiry = None
    if kind is TokenKind.CARD:
        try:
            expiry = common_ap.read_card_expiry(channel)
        except errors.FileNotFound:
            expiry = None
    return CardInfo(kind, label, certificate, tries, expiry)
