"""The one way from what the flow knows of a reception (:class:`~firmware.reception.actions.ReceptionClaims`) and
what the card session holds (:class:`~firmware.card_session.SessionEvidence`) to the claims the device signs
(:class:`protocol.results.ResultClaims`)."""

from __future__ import annotations

from dataclasses import dataclass

from firmware.card_session import SessionEvidence
from firmware.reception.actions import ReceptionClaims
from protocol import results
from protocol.vocabulary import Assurance, Method


class EvidenceMissing(ValueError):
    """The session lacks what the method's result must carry (a bug or a dropped session: never signed)."""


@dataclass(frozen=True)
class DeviceFacts:
    """What the device adds to every result."""

    device: bytes
    swversion: str
    demo: bool
    config_hash: bytes


def card_proofs(reception: ReceptionClaims, evidence: SessionEvidence) -> results.CardProofs:
    """What the card proved for this method: its signature over the nonce (card-signed), or the card-face AP's key
    and presence signature with the issuer check (face); nothing for a staff-attested result."""
    if reception.assurance is Assurance.CARD_SIGNED:
        if evidence.card_signature is None:
            raise EvidenceMissing("a card-signed result without the card's signature")
        return results.CardProofs(signature=evidence.card_signature)
    if reception.method is Method.FACE:
        if evidence.card_face_key_der is None or evidence.presence_signature is None or reception.card_face is None:
            raise EvidenceMissing("a face result without the card-face AP's proofs")
        return results.CardProofs(card_key=evidence.card_face_key_der, presence_signature=evidence.presence_signature,
                                  issuer_signature=reception.card_face.issuer_signature.value)  # fmt: skip
    return results.CardProofs()


def signed_claims(reception: ReceptionClaims, evidence: SessionEvidence, device: DeviceFacts, *, nonce: bytes,
                  cti: bytes, counter: int, issued_at: int | None) -> results.ResultClaims:  # fmt: skip
    """The claims to sign; checked against the protocol's ranges before they are returned."""
    if evidence.auth_certificate_der is None:
        raise EvidenceMissing("a result without the auth certificate")
    answers = reception.consents
    face = reception.face
    claims = results.ResultClaims(
        device=device.device,
        cti=cti,
        nonce=nonce,
        swversion=device.swversion,
        demo=device.demo,
        config_hash=device.config_hash,
        method=reception.method,
        auth_certificate=evidence.auth_certificate_der,
        counter=counter,
        issued_at=issued_at,
        consents=results.Consents(answers.medical, answers.checkup, answers.limit,
                                  None if answers.prescription is None else answers.prescription.value),  # fmt: skip
        consent_wording_version=reception.consent_wording_version,
        language=reception.language.value,
        card_proofs=card_proofs(reception, evidence).to_cbor(),
        face=None if face is None else results.FaceEvidence(float(face.score), float(face.threshold),
                                                            face.liveness.value, face.frames),  # fmt: skip
        staff_id=None if reception.staff is None else reception.staff.staff_id,
    )
    claims.check()
    return claims
