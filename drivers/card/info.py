"""What the reader learns from a card without any PIN: its kind, the auth certificate, tries left, card expiry.

The kind comes from SELECT of the JPKI AID and the token label, never from the ATR (contactless readers synthesise
their own ATRs). Nothing personal is read.

A card without a usable PIN — the 顔認証マイナンバーカード, issued without any PIN, whose chip behaviour is not
published — is recognised defensively: whatever refusal the empty VERIFY of the PIN meets (no such key EF, no such
reference, conditions not satisfied, not supported), the card is reported with :attr:`PinState.NOT_USABLE` instead of
failing, so the reception can offer the face path alone. A missing 利用者証明用 certificate is reported as none for
the same reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from drivers.card import common_ap, errors
from drivers.card.channel import CardChannel
from drivers.card.jpki import TOKEN_LABELS, AuthCertificate, JpkiAp, TokenKind

UNSUPPORTED_REASONS = {
    TokenKind.JUKI: "old 住民基本台帳カード (住基カード): not a My Number card",
    TokenKind.UNKNOWN: "not a My Number card or smartphone certificate",
}


# Answers to the PIN's empty VERIFY that mean "this token has no PIN to use" rather than a broken card.
NO_USABLE_PIN = (errors.FileNotFound, errors.IncorrectParameters, errors.ConditionsNotSatisfied,
                  errors.NotSupported, errors.SecurityStatusNotSatisfied)


class PinState(StrEnum):
    USABLE = "usable"  # tries left ≥ 1
    LOCKED = "locked"  # 0 tries left: only the municipal office can reset it
    NOT_USABLE = "not_usable"  # no PIN on this token (顔認証マイナンバーカード) or none it will count


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

    @property
    def pin_state(self) -> PinState | None:
        """Whether the PIN path is open; None for unsupported tokens (nothing was asked)."""
        if not self.supported:
            return None
        if self.pin_tries_left is None:
            return PinState.NOT_USABLE
        return PinState.USABLE if self.pin_tries_left > 0 else PinState.LOCKED


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
    try:
        certificate: AuthCertificate | None = jpki.auth_certificate()
    except errors.FileNotFound:
        certificate = None  # defensively: a card issued without PINs may carry no certificate either
    try:
        tries: int | None = jpki.pin_tries_left()
    except NO_USABLE_PIN:
        tries = None  # no PIN on this token
    expiry = None
    if kind is TokenKind.CARD:
        try:
            expiry = common_ap.read_card_expiry(channel)
        except errors.FileNotFound:
            expiry = None
    return CardInfo(kind, label, certificate, tries, expiry)
