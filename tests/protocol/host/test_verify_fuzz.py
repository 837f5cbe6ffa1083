"""The host verifier over validly signed results whose claims are hostile: every outcome is an accepted result or a
typed rejection with a documented reason code, never another exception.

Each example takes a good result of one method, mutates one to five claims (any label, or any entry of the claim
maps: removed, or replaced by a hostile value — bignums, NaN, infinities, wrong types, CBOR tags, broken, expired,
foreign or unloadable certificates, unknown card keys), signs it with the pinned device key (so the signature is
valid and only the content is hostile) and runs it through the verifier under one of the host policies, both ways a
host uses it (``verify``, and ``admit`` + ``commit`` as the client does). The budget comes from
a quarter of MYNAREADER_FUZZ_EXAMPLES (default 2,000, so 500 examples; CI's figure); the reasons seen are hypothesis
``event``s (``--hypothesis-show-statistics``). The full run::

    MYNAREADER_FUZZ_EXAMPLES=40000 .venv/bin/python -m pytest tests/protocol/host/test_verify_fuzz.py \
        --hypothesis-show-statistics
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from drivers.card.emulated import pki
from protocol import results
from protocol.host import verify as v
from protocol.host.policy import DeviceAttested, HostPolicy, fingerprint_hex
from protocol.host.store import HostStore
from protocol.results import Method

from result_builders import CA, CARD_FACE_KEY, HOLDER, claims, device_key, sign_raw, with_unknown_key_algorithm

# A quarter of the other fuzz tests' budget: each example signs, verifies and writes the store (~25 ms).
EXAMPLES = max(1, int(os.environ.get("MYNAREADER_FUZZ_EXAMPLES", "2000")) // 4)
NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.timezone.utc).timestamp()
KEY = device_key()

POLICIES = [
    HostPolicy(),
    HostPolicy.development(),
    HostPolicy(DeviceAttested.ACCEPT),
    HostPolicy(DeviceAttested.ACCEPT, allow_unchecked_liveness=True),
    HostPolicy(DeviceAttested.LISTED, frozenset({fingerprint_hex(KEY.public_key())}), allow_unchecked_liveness=True),
]

# Top-level claim labels, plus a few no result uses (a verifier ignores unknown labels).
LABELS = [results.ISS, results.IAT, results.CTI, results.EAT_NONCE, results.UEID, results.DBGSTAT, results.SWNAME,
          results.SWVERSION, results.METHOD, results.ASSURANCE, results.AUTH_CERTIFICATE, results.CARD_PROOFS,
          results.FACE, results.CONSENTS, results.CONSENT_WORDING, results.STAFF_ID, results.CONFIG_HASH,
          results.CLOCK, results.PROTOCOL, -65599, 99, "text-label"]
# Drawn more often: the claims behind the later checks (certificate, card proofs, face evidence).
DEEP_LABELS = [results.AUTH_CERTIFICATE, results.CARD_PROOFS, results.FACE, results.CLOCK] * 3
# Entries of the claim maps.
ENTRIES = {
    results.FACE: ["score", "threshold", "liveness", "frames", "extra"],
    results.CLOCK: ["set", "counter"],
    results.CONSENTS: ["medical", "checkup", "limit", "prescription"],
    results.CONSENT_WORDING: ["version", "language"],
    results.CARD_PROOFS: ["signature", "card_key", "presence_signature", "issuer_signature", 7],
}


def _spki(key: Any) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


_CARD_SPKI = _spki(CARD_FACE_KEY.public_key())
_HOLDER = HOLDER.auth_certificate_der
CERTIFICATES = [
    _HOLDER[:12] + b"\x05" + _HOLDER[13:],  # version 6: x509.InvalidVersion
    with_unknown_key_algorithm(_HOLDER),  # chains, but its key type is unknown: UnsupportedAlgorithm
    pki.issue_auth_certificate(CA, dt.date(1970, 1, 1), dt.date(2019, 6, 1)).auth_certificate_der,  # expired
    pki.issue_auth_certificate(pki.make_test_ca(), dt.date(1980, 2, 17), dt.date(2025, 3, 10)).auth_certificate_der,
    CA.certificate_der,  # the CA's own certificate (self-signed, not issued by... itself as a configured CA)
    _HOLDER[:-1],  # truncated
    _HOLDER[:200],
    b"",
]
CARD_KEYS = [
    _CARD_SPKI.replace(bytes.fromhex("2a864886f70d010101"), bytes.fromhex("2a864886f70d010163")),  # unknown type
    _spki(ec.generate_private_key(ec.SECP256R1()).public_key()),  # not RSA
    _CARD_SPKI[:-3],
    b"\x30\x00",
]

scalars = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**64, -(2**64), 2**63, 2**63 - 1, -1, 0, 1, 10**400, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 0.5, 0.71, 1.0, 1e-300]),
    st.text(max_size=70),
    st.sampled_from(["live", "not-checked", "spoof-suspected", "failed", "verified", "not-verifiable", "ja", "en",
                     "pin", "face", "visual", "card-signed", "device-attested", "staff-attested", "mynareader",
                     "electronic", "paper", ""]),
    st.binary(max_size=80),
    st.booleans(),
    st.none(),
    st.sampled_from(CERTIFICATES + CARD_KEYS),
)
# Values a claim may well hold, so that many examples pass the structure checks and reach the later ones.
plausible = st.one_of(
    st.sampled_from(["live", "not-checked", "spoof-suspected", "verified", "failed", "not-verifiable", "ja", "en",
                     "paper", "staff-1", True, False, 1, 7, 2**63 - 1, 1795741914, 0.5, 0.71, 0.9, 1.0]),
    st.floats(0, 1), st.integers(0, 2000),
    st.sampled_from(CERTIFICATES + CARD_KEYS),
)
hostile = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(-70000, 300)), inner, max_size=3),
        st.builds(cbor2.CBORTag, st.sampled_from([0, 1, 2, 3, 4, 5, 24, 30, 258, 55799, 9999]), inner),
    ),
    max_leaves=6,
)


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[Any, Any, Any]]:
    """(label, entry or None, new value or DELETE) for one to five claims."""
    out = []
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3, 5]))):
        label = draw(st.sampled_from(DEEP_LABELS + LABELS))  # hypothesis favours the first: the deep ones
        entry = draw(st.sampled_from(ENTRIES[label])) if label in ENTRIES and draw(st.integers(0, 3)) else None
        roll = draw(st.integers(0, 5))
        value = draw(plausible) if roll <= 2 else draw(hostile) if roll <= 4 else DELETE
        out.append((label, entry, value))
    return out


DELETE = object()


def mutate(payload: dict[Any, Any], changes: list[tuple[Any, Any, Any]]) -> None:
    for label, entry, value in changes:
        target: Any = payload
        key = label
        if entry is not None:
            if not isinstance(payload.get(label), dict):
                continue  # an earlier change replaced the map
            target, key = payload[label], entry
        if value is DELETE:
            target.pop(key, None)
        else:
            target[key] = value


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostStore]:
    opened = HostStore(Path(tmp_path_factory.mktemp("fuzz-host")) / "host.sqlite")
    yield opened
    opened.close()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(list(Method)), changes=mutations(), policy=st.sampled_from(POLICIES),
       cti=st.binary(min_size=16, max_size=16), through_admit=st.booleans())
def test_hostile_claims_give_an_accept_or_a_typed_rejection(store: HostStore, method: Method,
                                                           changes: list[tuple[Any, Any, Any]], policy: HostPolicy,
                                                           cti: bytes, through_admit: bool) -> None:
    nonce = store.issue(1, 600, NOW)[0]
    payload = claims(method, nonce, cti=cti).to_cbor()
    mutate(payload, changes)
    try:
        cose = sign_raw(payload, KEY)
    except (TypeError, ValueError, cbor2.CBOREncodeError):
        event("not encodable (no result to verify)")
        return
    verifier = v.ResultVerifier(KEY.public_key(), store, [CA.certificate], policy, clock=lambda: NOW)
    try:
        if through_admit:
            admitted = verifier.admit(cose)
            if isinstance(admitted, v.VerifiedResult):
                verifier.commit(admitted)
                admitted.as_json()
        else:
            verifier.verify(cose).as_json()
        event("accepted")
    except v.ResultRejected as rejected:
        assert rejected.reason in v.REASONS, rejected
        assert type(rejected) is not v.ResultRejected  # a subclass: the reason is specific
        event(f"rejected: {rejected.reason}")
