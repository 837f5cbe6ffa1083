"""Every transition the flow may take, as data: the machine refuses any other, and the diagram in
docs/reception-flow.md is drawn from it."""

from __future__ import annotations

from dataclasses import dataclass

from firmware.reception.events import ReceptionError
from firmware.reception.states import (
    AFTER_SESSION,
    BEFORE_AUTH,
    PATIENT_STEPS,
    RESTING,
    SESSION,
    S,
    State,
)

# --- the transition table --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    source: State
    target: State
    label: str


@dataclass(frozen=True)
class StateGroup:
    """A named set of states that share transitions (drawn once, from a note, in the diagram)."""

    name: str
    title: str
    members: frozenset[State]


@dataclass(frozen=True)
class SharedTransition:
    """The same transition from every member of a group."""

    group: StateGroup
    target: State
    label: str


@dataclass(frozen=True)
class TransitionTable:
    """Every transition the flow may take. The flow refuses any other (:class:`UndeclaredTransition`), so the diagram
    drawn from this table is the machine. ``to_rest`` sources go to whichever resting state applies."""

    transitions: tuple[Transition, ...]
    shared: tuple[SharedTransition, ...]
    to_rest: tuple[Transition, ...]  # target = IDLE as a stand-in for "the resting state that applies"

    def pairs(self) -> frozenset[tuple[State, State]]:
        out = {(t.source, t.target) for t in self.transitions}
        out |= {(m, t.target) for t in self.shared for m in t.group.members}
        out |= {(t.source, r) for t in self.to_rest for r in RESTING}
        return frozenset(out)


G_REMOVABLE = StateGroup("any_step_before_sending", "any step of a session before the result is sent",
                         SESSION - {S.SENDING_RESULT})  # fmt: skip
G_PATIENT = StateGroup("any_patient_step", "any step waiting for the patient or staff", PATIENT_STEPS)
G_BEFORE_AUTH = StateGroup("card_before_auth", "a card session before authentication", BEFORE_AUTH)


def _build_table() -> TransitionTable:
    edges: list[Transition] = []
    rest: list[Transition] = []

    def edge(source: State, target: State, label: str) -> None:
        edges.append(Transition(source, target, label))

    # resting
    for a in sorted(RESTING):
        for b in sorted(RESTING):
            if a != b:
                edge(a, b, "host / service status")
    edge(S.IDLE, S.READING_CARD, "card or phone placed")
    edge(S.IDLE, S.CHOOSE_PHONE, "スマートフォン")
    edge(S.IDLE, S.DEVICE_ERROR, "device fault")
    edge(S.HOST_NOT_CONNECTED, S.DEVICE_ERROR, "device fault")
    # smartphone, before anything is read
    edge(S.CHOOSE_PHONE, S.WAITING_FOR_PHONE, "iPhone / Android")
    edge(S.CHOOSE_PHONE, S.READING_CARD, "card or phone placed")
    edge(S.WAITING_FOR_PHONE, S.READING_CARD, "phone held")
    for s in (S.CHOOSE_PHONE, S.WAITING_FOR_PHONE):
        rest.append(Transition(s, S.IDLE, "back / timeout / cancel"))
        edge(s, S.DEVICE_ERROR, "device fault")
    # identification
    edge(S.READING_CARD, S.UNSUPPORTED_CARD, "住基カード, not a My Number card, no chip, phone not accepted")
    edge(S.READING_CARD, S.CARD_UNREADABLE, "unreadable")
    edge(S.READING_CARD, S.CERTIFICATE_EXPIRED, "certificate expired or missing")
    edge(S.READING_CARD, S.CHOOSE_METHOD, "My Number card")
    edge(S.READING_CARD, S.CHECKING_PIN_TRIES, "Android")
    edge(S.READING_CARD, S.PHONE_AUTHORISING, "iPhone")
    # face
    for s in (S.CHOOSE_METHOD, S.PIN_LAST_TRY_WARNING, S.PIN_LOCKED):
        edge(s, S.SCANNING_CARD_FACE, "顔認証")
        edge(s, S.CAPTURING_FACE, "顔認証 (card face already read)")
    edge(S.SCANNING_CARD_FACE, S.SCANNING_CARD_FACE, "card face not in view, scan again")
    edge(S.SCANNING_CARD_FACE, S.CAPTURING_FACE, "chip photo read")
    edge(S.SCANNING_CARD_FACE, S.CHOOSE_METHOD, "card face unusable")
    edge(S.CAPTURING_FACE, S.CONSENT_MEDICAL, "match and live")
    edge(S.CAPTURING_FACE, S.FACE_RETRY, "no match, attempts left")
    edge(S.CAPTURING_FACE, S.CHOOSE_METHOD, "no match, attempts used up")
    edge(S.FACE_RETRY, S.CAPTURING_FACE, "retry")
    edge(S.FACE_RETRY, S.CHECKING_PIN_TRIES, "暗証番号")
    edge(S.CAPTURING_FACE, S.CHECKING_PIN_TRIES, "暗証番号 (the attempt is dropped, not counted)")
    # PIN
    edge(S.CHOOSE_METHOD, S.CHECKING_PIN_TRIES, "暗証番号")
    edge(S.CHECKING_PIN_TRIES, S.ENTERING_PIN, "2 or more tries left")
    edge(S.CHECKING_PIN_TRIES, S.PIN_LAST_TRY_WARNING, "1 try left")
    edge(S.CHECKING_PIN_TRIES, S.PIN_LOCKED, "locked (or not usable on a phone)")
    edge(S.CHECKING_PIN_TRIES, S.CHOOSE_METHOD, "PIN not usable")
    edge(S.PIN_LAST_TRY_WARNING, S.ENTERING_PIN, "continue")
    edge(S.PIN_LAST_TRY_WARNING, S.CHOOSE_METHOD, "back")
    edge(S.ENTERING_PIN, S.VERIFYING_PIN, "決定 with 4 digits")
    edge(S.ENTERING_PIN, S.CHOOSE_METHOD, "back")
    edge(S.VERIFYING_PIN, S.SIGNING, "PIN correct")
    edge(S.VERIFYING_PIN, S.CHECKING_PIN_TRIES, "wrong PIN, read the tries again")
    edge(S.VERIFYING_PIN, S.PIN_LOCKED, "wrong PIN, now locked")
    edge(S.PIN_LOCKED, S.NOT_VERIFIED, "back (a phone has no other way to verify)")
    edge(S.SIGNING, S.CONSENT_MEDICAL, "card signed the nonce")
    edge(S.PHONE_AUTHORISING, S.CONSENT_MEDICAL, "authorised on the phone, signed")
    edge(S.PHONE_AUTHORISING, S.NOT_VERIFIED, "refused on the phone")
    # visual check
    edge(S.VISUAL_CHECK, S.CONSENT_MEDICAL, "staff confirm")
    edge(S.VISUAL_CHECK, S.NOT_VERIFIED, "staff reject")
    edge(S.VISUAL_CHECK, S.CHOOSE_METHOD, "keyswitch off / host mode auto")
    # consents and the result
    edge(S.CONSENT_MEDICAL, S.CONSENT_CHECKUP, "answered ①")
    edge(S.CONSENT_CHECKUP, S.CONSENT_LIMIT, "answered ②")
    edge(S.CONSENT_CHECKUP, S.CONSENT_MEDICAL, "back")
    edge(S.CONSENT_LIMIT, S.CONSENT_PRESCRIPTION, "answered (処方箋形式 configured)")
    edge(S.CONSENT_LIMIT, S.SENDING_RESULT, "answered")
    edge(S.CONSENT_LIMIT, S.CONSENT_CHECKUP, "back")
    edge(S.CONSENT_PRESCRIPTION, S.SENDING_RESULT, "answered")
    edge(S.CONSENT_PRESCRIPTION, S.CONSENT_LIMIT, "back")
    edge(S.SENDING_RESULT, S.EXPIRY_WARNING, "queued, certificate expiring soon")
    edge(S.SENDING_RESULT, S.DONE, "queued")
    edge(S.SENDING_RESULT, S.DEVICE_ERROR, "not queued in time")
    # after the session
    edge(S.EXPIRY_WARNING, S.DONE, "OK / after a while")
    for s in sorted(AFTER_SESSION - {S.EXPIRY_WARNING, S.CARD_FORGOTTEN, S.CARD_REMOVED}):
        edge(s, S.CARD_FORGOTTEN, "card left in the reader")
    for s in sorted(AFTER_SESSION):
        rest.append(Transition(s, S.IDLE, "card taken / after a while"))

    shared = (
        SharedTransition(G_BEFORE_AUTH, S.VISUAL_CHECK, "staff keyswitch or staff code"),
        SharedTransition(G_BEFORE_AUTH, S.CONSENT_MEDICAL, "host sets visual check (staff-attested)"),
        SharedTransition(G_REMOVABLE, S.CARD_REMOVED, "card removed, session dropped"),
        SharedTransition(G_PATIENT, S.TIMED_OUT, "left untouched, session dropped"),
        SharedTransition(G_REMOVABLE, S.CANCELLED, "host cancel / out of service, session dropped"),
        SharedTransition(G_REMOVABLE, S.DEVICE_ERROR, "device fault or no answer, session dropped"),
    )
    return TransitionTable(tuple(edges), shared, tuple(rest))


TRANSITIONS = _build_table()


class UndeclaredTransition(ReceptionError, RuntimeError):
    """The flow tried a transition its table does not declare: a bug in the flow, never in the caller."""
