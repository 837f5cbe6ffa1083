"""The acknowledgement rule (docs/protocol.md, "Acknowledgement"): a result is acknowledged only once the integrator
has it durably, a resend is acknowledged again without a second hand-over, and a host killed at any step of a
hand-over loses no result and hands none over twice. The reader is the firmware's host link, on a real pty."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from firmware.attest import DeviceKeys
from firmware.host_link import HostLink, Notice
from protocol.host.cli import JsonlSink
from protocol.host.client import HandOverFailed, ReaderClient
from protocol.host.store import HostStore
from protocol.host.verify import ResultVerifier, VerifiedResult
from protocol.reader import HostCommand
from protocol.results import Method, ResultClaims
from protocol.testing import LossyPtyProxy

from crash_host import STEPS
from ctrl_c import sigint_at_default
from result_builders import CA, claims

SUPPORT = Path(__file__).resolve().parents[2] / "support"
TIMEOUT = 30.0


async def until(predicate, timeout: float = TIMEOUT) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


class Reader:
    def __init__(self, path: str, state: Path) -> None:
        self.keys = DeviceKeys.open(state, demo=False)
        self.commands: list[HostCommand] = []
        self.notices: list[Notice] = []
        self.link = HostLink(path, self.keys, "0.1.0-test", state / "outbox", self.commands.append,
                             on_notice=self.notices.append)

    def has_nonces(self) -> bool:
        return self.link.endpoint.nonces_available(self.link.clock()) > 0

    def publish(self) -> ResultClaims:
        nonce = self.link.take_nonce()
        assert nonce is not None
        signed = claims(Method.PIN, nonce, device=self.keys.device, issued_at=self.link.wall_time(),
                        counter=self.keys.next_counter())
        self.link.publish(signed)
        return signed

    def pending(self) -> list[bytes]:
        return [cti for cti, _ in self.link.outbox.pending()]


def standing(store: Path, cti: bytes) -> str:
    with closing(sqlite3.connect(store)) as db:
        row = db.execute("SELECT delivered_at FROM seen_results WHERE cti = ?", (cti,)).fetchone()
    return "none" if row is None else "pending" if row[0] is None else "delivered"


def test_the_acknowledgement_waits_for_on_result_and_a_failed_hand_over_comes_back_redelivered(tmp_path: Path) -> None:
    store_path = tmp_path / "host.sqlite"

    def verifier(reader: Reader) -> ResultVerifier:
        return ResultVerifier(reader.keys.key.public_key(), HostStore(store_path), [CA.certificate])

    async def scenario() -> tuple[Reader, list[VerifiedResult]]:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            await reader.link.start()
            try:
                release = asyncio.Event()
                taken: list[VerifiedResult] = []

                async def slow(result: VerifiedResult) -> None:
                    taken.append(result)
                    await release.wait()

                first_host = verifier(reader)
                async with ReaderClient(line.path_b, first_host, on_result=slow) as host:
                    await until(reader.has_nonces)
                    first = reader.publish()
                    await until(lambda: bool(taken))
                    assert standing(store_path, first.cti) == "pending"
                    # A command sent now reaches the reader after any acknowledgement sent before it (the link is
                    # ordered): none was, on_result has not returned.
                    host.set_mode("visual_check", "staff-1")
                    await until(lambda: bool(reader.commands))
                    assert reader.pending() == [first.cti]
                    release.set()
                    await until(lambda: not reader.pending())
                    assert standing(store_path, first.cti) == "delivered"
                first_host.store.close()  # type: ignore[union-attr]

                def failing(result: VerifiedResult) -> None:
                    raise OSError("the reception system is down")

                second_host = verifier(reader)
                async with ReaderClient(line.path_b, second_host, on_result=failing) as host:
                    await until(reader.has_nonces)
                    second = reader.publish()
                    while not isinstance(event := await asyncio.wait_for(host.next_event(), TIMEOUT),
                                         HandOverFailed):
                        pass
                    assert event.result.claims.cti == second.cti and isinstance(event.error, OSError)
                    host.set_mode("auto")
                    await until(lambda: len(reader.commands) == 2)
                    assert reader.pending() == [second.cti] and standing(store_path, second.cti) == "pending"
                second_host.store.close()  # type: ignore[union-attr]

                # A restarted host: the reader sends the result again, and it is handed over, flagged.
                again: list[VerifiedResult] = []
                third_host = verifier(reader)
                async with ReaderClient(line.path_b, third_host, on_result=again.append):
                    await until(lambda: not reader.pending())
                third_host.store.close()  # type: ignore[union-attr]
            finally:
                await reader.link.close()
        assert [(r.claims.cti, r.redelivered) for r in again] == [(second.cti, True)]
        return reader, taken

    reader, taken = asyncio.run(scenario())
    assert [r.redelivered for r in taken] == [False]
    assert reader.notices == [] and reader.link.outbox.rejected() == []


def host_command(step: str | None, *args: str) -> list[str]:
    if step is None:
        return [sys.executable, "-m", "protocol.host.cli", *args]
    return [sys.executable, str(SUPPORT / "crash_host.py"), step, *args]


@pytest.mark.parametrize("step", STEPS)
def test_a_host_killed_at_each_step_hands_over_every_result_exactly_once(tmp_path: Path, step: str) -> None:
    """Issue 15, point 2: the host recorded the result before the hand-over and the acknowledgement, so after a
    restart at the wrong moment the resent result was refused as a replay and set aside by the reader."""
    trust, ca, jsonl = tmp_path / "device.pub.pem", tmp_path / "ca.pem", tmp_path / "results.jsonl"
    ca.write_bytes(CA.certificate_pem)

    async def scenario() -> tuple[Reader, list[bytes], list[int]]:
        async with LossyPtyProxy() as line:
            reader = Reader(line.path_a, tmp_path / "reader")
            trust.write_text(reader.keys.public_pem)
            args = ("listen", "--port", line.path_b, "--trust", str(trust), "--ca", str(ca),
                    "--state", str(tmp_path / "host"), "--jsonl", str(jsonl))
            await reader.link.start()
            codes: list[int] = []
            published: list[bytes] = []
            try:
                for run, crash in enumerate((step, None)):
                    with open(tmp_path / f"host-{run}.out", "wb") as out, \
                            open(tmp_path / f"host-{run}.err", "wb") as err:
                        host = await asyncio.create_subprocess_exec(*host_command(crash, *args), stdout=out,
                                                                    stderr=err, preexec_fn=sigint_at_default)
                    try:
                        await until(reader.has_nonces)
                        published.append(reader.publish().cti)
                        if crash is not None:
                            codes.append(await asyncio.wait_for(host.wait(), TIMEOUT))
                        else:
                            await until(lambda: not reader.pending() and not reader.link.endpoint.unacknowledged())
                    finally:
                        if host.returncode is None:
                            host.send_signal(signal.SIGINT)
                            try:
                                codes.append(await asyncio.wait_for(host.wait(), TIMEOUT))
                            finally:
                                if host.returncode is None:  # never leave a host behind (see ctrl_c)
                                    host.kill()
                                    await host.wait()
            finally:
                await reader.link.close()
        return reader, published, codes

    reader, published, codes = asyncio.run(scenario())
    errors = (tmp_path / "host-1.err").read_text()
    assert codes == [-signal.SIGKILL, 0], errors
    handed = [json.loads(line)["result_id"] for line in jsonl.read_text().splitlines()]
    assert handed == [cti.hex() for cti in published], errors  # each once, in order
    assert reader.notices == [] and reader.link.outbox.rejected() == []  # nothing refused, nothing set aside
    assert {standing(tmp_path / "host" / "host.sqlite", cti) for cti in published} == {"delivered"}
    assert "Traceback" not in errors


def test_the_jsonl_sink_drops_a_torn_last_line_and_knows_the_last_result(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    previous = os.umask(0o022)
    try:
        JsonlSink(path).close()
    finally:
        os.umask(previous)
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # owner-only whatever the umask
    path.write_text('{"result_id": "aa"}\n{"result_id": "bb"}\n{"result_id": "cc", "cut sho')
    sink = JsonlSink(path)
    sink.close()
    assert path.read_text() == '{"result_id": "aa"}\n{"result_id": "bb"}\n'
    assert sink._last_id == "bb"
