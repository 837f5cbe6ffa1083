"""What the daemon holds for the card session in progress, in memory only, until the flow's ``DropSession``.

The open card connection and its :class:`~firmware.card_session.CardSession` (with the evidence for the result),
the host nonce the session took, what the chip gives without a PIN for the card-face cross-check, the chip photo and
the face session built from it. :meth:`SessionState.drop` forgets all of it; nothing here is ever logged (its repr
says what it holds, not what it is).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drivers.card.pcsc import PcscConnection
from firmware.card_session import CardSession
from firmware.face.verifier import FaceSession


@dataclass
class SessionState:
    reader: str | None = None  # the PC/SC reader the card is in
    is_phone: bool = False  # on the smartphone reader
    connection: PcscConnection | None = None
    card: CardSession | None = None
    card_expiry: dt.date | None = None  # the 共通AP's expiry: the card-face scan checks the printed one against it
    certificate_not_after: dt.datetime | None = None  # the holder's birthday, for the same check
    nonce: bytes | None = field(default=None, repr=False)
    photo: bytes | None = field(default=None, repr=False)
    face: FaceSession | None = None

    def __repr__(self) -> str:
        held = [name for name in ("connection", "nonce", "photo", "face") if getattr(self, name) is not None]
        return f"SessionState(reader={self.reader!r}, holds {', '.join(held) or 'nothing'})"

    def drop(self) -> None:
        """Forget the session: close the face session and the card connection, drop evidence, photo and nonce."""
        if self.face is not None:
            self.face.close()
        if self.card is not None:
            self.card.drop()
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # a card already pulled or a pcscd gone: nothing left to release
                pass
        self.reader = self.connection = self.card = self.face = None
        self.is_phone = False
        self.card_expiry = self.certificate_not_after = None
        self.nonce = self.photo = None
