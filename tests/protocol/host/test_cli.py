"""``mynareader-host`` as an integrator runs it, against a reader (the firmware's host link) on a real pty."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from firmware.attest import DeviceKeys
from firmware.host_link import HostLink
from protocol.results import Method
from protocol.testing import LossyPtyProxy

from ctrl_c import sigint_at_default
from result_builders import CA, claims


def host_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "protocol.host.cli", *args]


async def wait_for(predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


def test_listen_prints_one_json_line_per_verified_result(tmp_path: Path) -> None:
    trust = tmp_path / "device.pub.pem"
    ca = tmp_path / "ca.pem"
    ca.write_bytes(CA.certificate_pem)
    jsonl = tmp_path / "results.jsonl"

    errors = tmp_path / "listener.stderr"  # a file, not a pipe nobody reads while the test waits: it never fills

    async def scenario() -> list[str]:
        async with LossyPtyProxy() as line:
            keys = DeviceKeys.open(tmp_path / "reader", demo=False)
            trust.write_text(keys.public_pem)
            link = HostLink(line.path_a, keys, "0.1.0", tmp_path / "outbox", lambda command: None)
            await link.start()
            with errors.open("wb") as stderr:
                listener = await asyncio.create_subprocess_exec(
                    *host_cli("listen", "--port", line.path_b, "--trust", str(trust), "--ca", str(ca),
                              "--state", str(tmp_path / "host"), "--jsonl", str(jsonl),
                              "--device-attested", "accept", "--allow-unchecked-liveness"),
                    stdout=asyncio.subprocess.PIPE, stderr=stderr, preexec_fn=sigint_at_default)
            try:
                await wait_for(lambda: link.endpoint.nonces_available(link.clock()) >= 2)
                for method in (Method.PIN, Method.FACE):
                    link.publish(claims(method, link.take_nonce() or b"", device=keys.device,
                                        counter=keys.next_counter()))
                assert listener.stdout is not None
                return [(await asyncio.wait_for(listener.stdout.readline(), 20)).decode() for _ in range(2)]
            finally:
                listener.send_signal(signal.SIGINT)
                try:
                    await asyncio.wait_for(listener.wait(), 20)
                finally:
                    # Never leave a listener behind: it would keep reopening its pty's path (see ctrl_c).
                    if listener.returncode is None:
                        listener.kill()
                        await listener.wait()
                    await link.close()

    try:
        lines = asyncio.run(scenario())
    except Exception as exc:
        raise AssertionError(f"the listener said:\n{errors.read_text()}") from exc
    stderr = errors.read_text()
    reports = [json.loads(line) for line in lines]
    assert [r["assurance"] for r in reports] == ["card-signed", "device-attested"]
    assert [r["proof"]["by"] for r in reports] == ["card", "device"]
    assert [r["proof"]["allowed_by_setting"] for r in reports] == [[], ["device-attested", "liveness-not-checked"]]
    assert all(r["nonce_checked"] and not r["redelivered"] for r in reports)
    assert [json.loads(x) for x in jsonl.read_text().splitlines()] == reports
    assert stat.S_IMODE(jsonl.stat().st_mode) == 0o600
    assert "Traceback" not in stderr and "reader " in stderr
    assert "policy: device-attested results accepted; face results without a liveness check accepted" in stderr


def test_a_production_host_refuses_face_results_by_default(tmp_path: Path) -> None:
    """The CLI's default policy: device-attested results refused, and said so to the reader."""
    import subprocess

    keys = DeviceKeys.open(tmp_path / "reader", demo=False)
    trust = tmp_path / "device.pub.pem"
    trust.write_text(keys.public_pem)
    (tmp_path / "ca.pem").write_bytes(CA.certificate_pem)
    saved = tmp_path / "face.cose"
    saved.write_bytes(keys.sign(claims(Method.FACE, b"n" * 16, device=keys.device)))
    base = host_cli("verify", "--trust", str(trust), "--ca", str(tmp_path / "ca.pem"), str(saved))
    outcomes = {}
    for flags in ((), ("--device-attested", "accept"), ("--device-attested", "accept", "--allow-unchecked-liveness"),
                  ("--attesting-device", keys.fingerprint.replace(" ", ":")), ("--development",)):
        done = subprocess.run(base + list(flags), capture_output=True, text=True, timeout=60)
        outcomes[flags] = (done.returncode, json.loads(done.stdout).get("reason"))
    assert list(outcomes.values()) == [(1, "device-attested-refused"), (1, "liveness-not-checked"), (0, None),
                                       (1, "liveness-not-checked"), (0, None)]


def test_info_prints_the_readers_identity(tmp_path: Path) -> None:
    async def scenario() -> tuple[dict, DeviceKeys]:
        async with LossyPtyProxy() as line:
            keys = DeviceKeys.open(tmp_path / "reader", demo=True)
            link = HostLink(line.path_a, keys, "0.1.0", tmp_path / "outbox", lambda command: None)
            await link.start()
            try:
                done = await asyncio.create_subprocess_exec(
                    *host_cli("info", "--port", line.path_b), stdout=asyncio.subprocess.PIPE)
                out, _ = await asyncio.wait_for(done.communicate(), 30)
                assert done.returncode == 0
            finally:
                await link.close()
        return json.loads(out), keys

    info, keys = asyncio.run(scenario())
    assert info["fingerprint"] == keys.fingerprint and info["demo"] is True
    assert serialization.load_pem_public_key(info["public_key"].encode()) == keys.key.public_key()
    assert info["protocol_versions"] == [1] and info["device"] == keys.device.hex()


def test_verify_rejects_a_tampered_file_with_exit_1(tmp_path: Path) -> None:
    import subprocess

    keys = DeviceKeys.open(tmp_path / "reader", demo=False)
    trust = tmp_path / "device.pub.pem"
    trust.write_text(keys.public_pem)
    cose = bytearray(keys.sign(claims(Method.VISUAL, b"n" * 16, device=keys.device)))
    cose[-5] ^= 0xFF
    saved = tmp_path / "result.cose"
    saved.write_bytes(bytes(cose))
    done = subprocess.run(host_cli("verify", "--trust", str(trust), str(saved)), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"accepted": False, "reason": "bad-signature",
                                       "detail": json.loads(done.stdout)["detail"]}


def test_a_corrupt_host_store_is_a_clear_message_and_exit_2(tmp_path: Path) -> None:
    import subprocess

    keys = DeviceKeys.open(tmp_path / "reader", demo=False)
    trust = tmp_path / "device.pub.pem"
    trust.write_text(keys.public_pem)
    (tmp_path / "host").mkdir()
    (tmp_path / "host" / "host.sqlite").write_bytes(b"garbage, not SQLite " * 200)
    done = subprocess.run(host_cli("listen", "--port", "socket://127.0.0.1:9", "--trust", str(trust),
                                   "--state", str(tmp_path / "host")), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("mynareader-host: ") and "host.sqlite" in done.stderr
