"""The host SDK facing a misbehaving line: oversized frames and messages of a future version are typed problems."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import cbor2

from protocol import messages
from protocol.errors import FrameTooLong
from protocol.host.client import ProtocolProblem, ReaderClient
from protocol.link import Connected, Link
from protocol.messages import ErrorCode, MessageError
from protocol.serial_link import SerialLink
from protocol.testing import LossyPtyProxy


def test_oversized_frames_and_future_versions_are_typed_problems(tmp_path: Path) -> None:
    async def scenario() -> list[ProtocolProblem]:
        async with LossyPtyProxy() as line:
            connected = asyncio.Event()
            replies: list[bytes] = []

            def on_event(event: object) -> None:
                if isinstance(event, Connected):
                    connected.set()
                elif hasattr(event, "payload"):
                    replies.append(event.payload)  # type: ignore[attr-defined]

            async with ReaderClient(line.path_b, None) as host, \
                    SerialLink(line.path_a, link=Link(), on_event=on_event) as peer:
                await asyncio.wait_for(connected.wait(), 10)
                fd = os.open(line.path_a, os.O_WRONLY | os.O_NOCTTY)
                try:
                    os.write(fd, b"\x00" + b"\x55" * 6000 + b"\x00")  # no delimiter for 6000 bytes
                finally:
                    os.close(fd)
                peer.send(cbor2.dumps({"v": 2, "t": "info", "id": 7}))
                problems: list[ProtocolProblem] = []
                while len(problems) < 2:
                    event = await asyncio.wait_for(host.next_event(), 10)
                    if isinstance(event, ProtocolProblem):
                        problems.append(event)
                while not any(messages.decode(r).type == messages.ERROR for r in replies):
                    await asyncio.sleep(0.05)
                error = next(messages.decode(r) for r in replies if messages.decode(r).type == messages.ERROR)
                assert error["code"] == ErrorCode.UNSUPPORTED_VERSION and error["re"] == 7
        return problems

    problems = asyncio.run(scenario())
    kinds = {type(p.error) for p in problems}
    assert FrameTooLong in kinds
    assert any(isinstance(p.error, MessageError) and p.error.code is ErrorCode.UNSUPPORTED_VERSION for p in problems)
