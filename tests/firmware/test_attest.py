from __future__ import annotations

import os
import stat

import pytest

from firmware import attest
from protocol import results

from result_builders import claims


def test_keys_are_created_once_0600_and_demo_is_separate(tmp_path) -> None:
    production = attest.DeviceKeys.open(tmp_path, demo=False)
    again = attest.DeviceKeys.open(tmp_path, demo=False)
    demo = attest.DeviceKeys.open(tmp_path, demo=True)
    assert production.fingerprint == again.fingerprint != demo.fingerprint
    assert production.device == demo.device and production.device[0] == 0x01 and len(production.device) == 17
    for name in (attest.PRODUCTION_KEY, attest.DEMO_KEY, attest.DEVICE_ID):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert "PRIVATE" not in production.public_pem


def test_a_key_readable_by_others_or_corrupt_is_refused(tmp_path) -> None:
    attest.DeviceKeys.open(tmp_path, demo=False)
    os.chmod(tmp_path / attest.PRODUCTION_KEY, 0o644)
    with pytest.raises(attest.StateError):
        attest.DeviceKeys.open(tmp_path, demo=False)
    os.chmod(tmp_path / attest.PRODUCTION_KEY, 0o600)
    (tmp_path / attest.PRODUCTION_KEY).write_text("garbage")
    with pytest.raises(attest.StateError):
        attest.DeviceKeys.open(tmp_path, demo=False)


def test_counter_is_monotonic_across_restarts(tmp_path) -> None:
    keys = attest.DeviceKeys.open(tmp_path, demo=True)
    assert [keys.next_counter() for _ in range(3)] == [1, 2, 3]
    assert attest.DeviceKeys.open(tmp_path, demo=True).next_counter() == 4


def test_signed_results_verify_with_the_published_key(tmp_path) -> None:
    keys = attest.DeviceKeys.open(tmp_path, demo=True)
    signed = keys.sign(claims(results.Method.FACE, b"n" * 16, demo=True, device=keys.device))
    assert results.verify_result(signed, keys.key.public_key()).demo
    with pytest.raises(ValueError):
        keys.sign(claims(results.Method.FACE, b"n" * 16, demo=False, device=keys.device))


@pytest.mark.parametrize("content", [b"not hex\n", b"\xff\xfe\x00", b"01zz\n", b"02" + b"00" * 16 + b"\n"])
def test_a_corrupt_device_id_is_a_state_error(tmp_path, content: bytes) -> None:
    attest.DeviceKeys.open(tmp_path, demo=False)
    (tmp_path / attest.DEVICE_ID).write_bytes(content)
    with pytest.raises(attest.StateError):
        attest.DeviceKeys.open(tmp_path, demo=False)
