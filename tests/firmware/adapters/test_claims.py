"""The one builder from the flow's claims and the session's evidence to the signed claims: what it builds verifies at
the host for each method, and a session missing what its method needs is never signed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from firmware.adapters.claims import DeviceFacts, EvidenceMissing, signed_claims
from firmware.attest import DeviceKeys
from firmware.card_session import SessionEvidence
from firmware.reception.actions import (
    CardFaceProof,
    ConsentAnswers,
    FaceMatch,
    ReceptionClaims,
    StaffAttestation,
)
from firmware.reception.types import CardKind, Language, PrescriptionFormat, StaffSource
from protocol import results
from protocol.host.policy import HostPolicy
from protocol.host.store import HostStore
from protocol.host.verify import ResultVerifier
from protocol.vocabulary import Assurance, IssuerSignature, Liveness, Method

from result_builders import CA, CARD_FACE_KEY, HOLDER, card_sign


def reception(method: Method) -> ReceptionClaims:
    return ReceptionClaims(
        method=method, card_kind=CardKind.CARD, certificate_serial="ab",
        consents=ConsentAnswers(True, False, True, PrescriptionFormat.ELECTRONIC), consent_wording_version="1",
        language=Language.JA,
        staff=StaffAttestation("nurse-7", StaffSource.KEYSWITCH) if method is Method.VISUAL else None,
        face=FaceMatch(0.61, 0.45, Liveness.NOT_CHECKED, 1, 3) if method is Method.FACE else None,
        card_face=CardFaceProof(True, IssuerSignature.NOT_VERIFIABLE) if method is Method.FACE else None,
    )  # fmt: skip


def evidence(method: Method, nonce: bytes) -> SessionEvidence:
    found = SessionEvidence(auth_certificate_der=HOLDER.auth_certificate_der)
    if method is Method.PIN:
        found.card_signature = card_sign(HOLDER.auth_key, results.pin_signed_message(nonce))
    elif method is Method.FACE:
        found.card_face_key_der = CARD_FACE_KEY.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        found.presence_signature = card_sign(CARD_FACE_KEY, results.card_presence_message(nonce))
    return found


@pytest.mark.parametrize("method", [Method.PIN, Method.FACE, Method.VISUAL])
def test_what_the_builder_signs_verifies_at_the_host(tmp_path: Path, method: Method) -> None:
    keys = DeviceKeys.open(tmp_path / "reader", demo=True)
    store = HostStore(tmp_path / "host.sqlite")
    nonce = store.issue(1, 600.0, time.time())[0]
    device = DeviceFacts(keys.device, "0.1.0-test", keys.demo, bytes(32))
    claims = signed_claims(reception(method), evidence(method, nonce), device, nonce=nonce, cti=bytes(range(16)),
                           counter=keys.next_counter(), issued_at=int(time.time()))  # fmt: skip
    verified = ResultVerifier(keys.key.public_key(), store, [CA.certificate],
                              policy=HostPolicy.development()).verify(keys.sign(claims))  # fmt: skip
    assert verified.claims.method is method and verified.claims.assurance is reception(method).assurance
    assert verified.claims.consents.prescription == "electronic"
    if method is Method.FACE:
        assert verified.claims.face is not None and verified.claims.face.frames == 3
        assert verified.claims.card_proofs["issuer_signature"] == "not-verifiable"
    if reception(method).assurance is Assurance.STAFF_ATTESTED:
        assert verified.claims.staff_id == "nurse-7" and verified.claims.card_proofs == {}


@pytest.mark.parametrize("method", [Method.PIN, Method.FACE])
def test_a_session_without_its_proofs_is_never_signed(method: Method) -> None:
    device = DeviceFacts(b"\x01" + bytes(16), "0.1.0-test", True, bytes(32))
    bare = SessionEvidence(auth_certificate_der=HOLDER.auth_certificate_der)
    with pytest.raises(EvidenceMissing):
        signed_claims(reception(method), bare, device, nonce=bytes(16), cti=bytes(16), counter=1, issued_at=None)
    with pytest.raises(EvidenceMissing):
        signed_claims(reception(Method.VISUAL), SessionEvidence(), device, nonce=bytes(16), cti=bytes(16), counter=1,
                      issued_at=None)  # fmt: skip
