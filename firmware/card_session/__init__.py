"""One card session: everything the reader asks of the card in the reader, in the order the reception needs it,
with the session's evidence kept in memory until it is dropped. The daemon, the card-face scan and the
``mynareader card`` commands all go through it (see :mod:`firmware.card_session.service`)."""

from __future__ import annotations

from firmware.card_session.service import (
    CardFaceOutcome,
    CardFaceRefusal,
    CardSession,
    SessionEvidence,
)

__all__ = ["CardFaceOutcome", "CardFaceRefusal", "CardSession", "SessionEvidence"]
