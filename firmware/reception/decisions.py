"""Behaviour the flow chose where the reception rules are silent: each line is a rule the machine keeps and
docs/reception-flow.md prints."""

from __future__ import annotations

DECISIONS: tuple[str, ...] = (
    (
        "スマートフォン is offered on the insert-card screen (the phone replaces the card). A phone laid on a reader starts "
        "a phone session by itself; the iPhone / Android choice selects guidance only: the token label decides the path."
    ),
    (
        "A session starts when a card is detected and ends with exactly one `DropSession`. The end screen says why and "
        "waits for the card to be taken; a card left behind gets the card-forgotten reminder (a bounded number of beeps). "
        "Nothing restarts by itself while a card is still in the reader."
    ),
    (
        "A patient step left untouched ends as `timed_out`; a device step with no answer ends as `device_error` with the "
        "code `timeout.<state>`. Any accepted input restarts the step clock. A face attempt that runs out counts as one."
    ),
    (
        "PIN: the tries are read before every attempt, also after a wrong PIN. With one try left a separate warning screen "
        "must be confirmed. 訂正 clears the whole entry (as at a bank ATM); 決定 with fewer than 4 digits beeps and sends "
        "nothing; a fifth digit is ignored. A PIN-less card (tries unknown) and a locked PIN offer face and staff "
        "only; a phone whose PIN is locked or unreadable is told to ask staff, and 戻る ends its session."
    ),
    (
        "Face: attempts per session are bounded (`face_max_attempts`): no match, not live, no face and timed-out "
        "attempts all count, and every retry needs a press; switching to 暗証番号 during a capture (step 2a) drops that "
        "attempt uncounted and ignores its answer. Liveness is required by default. The card-face scan repeats by "
        "itself only when the card lay face down or out of view (bounded); other problems make face unavailable. The "
        "card-key proof is required; a failed issuer signature stops face, one that cannot be verified is reported."
    ),
    "The card signs the nonce right after a correct PIN, before the consents, while its security state is fresh.",
    (
        "Visual check: the host's set-mode message is itself the staff attestation (as at today's reception PC) and goes "
        "straight to the consents. The keyswitch or a staff code opens the staff screen, whose confirm / reject work only "
        "while the key is on, or in the session where the code was typed. Set between patients, it lapses after "
        "`visual_check_arm` if no card comes. It covers one session; the key must be turned off and on for the next; "
        "phones never get it."
    ),
    (
        "Staff codes are 6-12 digits, so a 4-digit PIN typed on the wrong screen never matches one (and does not count as "
        "a guess); they are typed where digits are not a PIN. Too many wrong codes stop code entry for a while. Digits "
        "typed without 決定 are forgotten `STAFF_DIGITS_KEPT` (10 s) after the last key, at every change of state and "
        "at rest."
    ),
    (
        "受付完了 shows only once the outbox holds the signed result. If the card leaves, the host cancels, the reader "
        "goes out of service or a device fault arrives while it is being queued, the session data is dropped at once "
        "and the result already handed over stands: 受付完了 follows, and out of service or a persistent fault shows at "
        "the next rest. Only a result the outbox never takes ends as `device_error`."
    ),
    (
        "Certificate validity is judged by the daemon's wall clock: expired or missing stops the reception; "
        "`expiry_warning_days` or fewer left warns after the result, before 受付完了; an unset clock does neither."
    ),
    (
        "No new session starts while the host is not connected (a card placed meanwhile is read when it connects); a "
        "running session finishes and its result waits in the outbox. Out of service and persistent faults show "
        "`out_of_service` with the codes until cleared; a transient fault at rest shows `device_error` briefly."
    ),
    "A card that arrives on the other reader during a session is not read; it must be placed again.",
    (
        "A failure answers the request it names (`RequestFailed`): a camera that fails withdraws face for the session "
        "and the attempt is not counted, the PIN stays; a card or outbox failure ends the session as `device_error` "
        "with its code. A failure of a request the flow no longer waits for is ignored. Whatever the flow stops "
        "waiting for, it cancels (`Cancel`), so no worker runs on for nothing."
    ),
    (
        "A `camera.*` fault keeps the reader in service: it shows once, face is not offered until it clears, and the "
        "PIN and staff paths go on. Faults the table in `faults.py` marks persistent take the reader out of service."
    ),
    (
        "One host nonce serves a whole session (card signature or card-face AP presence proof, then the result). With "
        "none left the session ends as `device_error` (`host.no_nonce`) and no new session starts until the host is "
        "ready again."
    ),
    (
        "Answers carry the request's id; an answer the flow no longer waits for is ignored. A clock that steps back is "
        "held. The language switch lasts the session; chosen at rest, it lasts into the session that starts next, but "
        "goes back to the default after `choice` with no session. The consent screens have a back button."
    ),
)
"""Behaviour chosen where the reception rules leave a choice open (docs/reception-flow.md lists them)."""
