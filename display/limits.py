"""The largest values the screens draw. The reception flow checks its events and configuration against these same
constants, so every value it accepts is one every screen can show. Nothing to import here: the flow imports this
module and must not pull in the renderer through it."""

from __future__ import annotations

CODE_MAX_LENGTH = 32
"""A fault or card-error code (device_error, card_unreadable, out_of_service): short enough to read out to staff."""
FAULT_CODES_MAX = 8
"""Fault codes listed on out_of_service."""
STAFF_ID_MAX_LENGTH = 64
"""A staff id on the visual-check screen (from the keyswitch, a staff code or the reception PC)."""
REASON_MAX_LENGTH = 400
"""The out-of-service reason given by the host or the technician console (long ones run over several pages)."""
ATTEMPTS_MAX = 99
"""Face attempts per session (drawn as "try n/N")."""
COUNTDOWN_MAX_SECONDS = 999
"""The face-capture countdown."""
