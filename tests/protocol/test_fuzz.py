"""Fuzzing the decoder: random and mutated input gives frames or typed protocol errors, never anything else.

The budget comes from MYNAREADER_FUZZ_EXAMPLES (default 2,000 per test in CI). The full run, over 100,000 cases
in all (the two tests below share the budget evenly)::

    MYNAREADER_FUZZ_EXAMPLES=50000 .venv/bin/python -m pytest tests/protocol/test_fuzz.py
"""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.errors import FrameError, ProtocolError
from protocol.frame import ACK, DATA, SYN, SYNACK, Deframer, Frame, pack
from protocol.link import Event, Link, LinkError

EXAMPLES = int(os.environ.get("MYNAREADER_FUZZ_EXAMPLES", "2000"))
FUZZ = settings(max_examples=EXAMPLES)

frames = st.builds(
    Frame,
    type=st.sampled_from([DATA, ACK, SYN, SYNACK]),
    src=st.integers(0, 2**32 - 1),
    dst=st.integers(0, 2**32 - 1),
    seq=st.integers(0, 2**32 - 1),
    ack=st.integers(0, 2**32 - 1),
    payload=st.binary(max_size=300),
    flags=st.integers(0, 255),
    window=st.integers(0, 255),
    tsval=st.integers(0, 65535),
    tsecr=st.integers(0, 65535),
)


@st.composite
def mutated_streams(draw):
    """Valid frames on the wire, then mutated: bit flips, byte changes, cuts, insertions, splices."""
    wire = bytearray(b"".join(pack(f) for f in draw(st.lists(frames, min_size=1, max_size=4))))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["flip", "set", "cut", "insert", "zero", "dup"]))
        i = draw(st.integers(0, max(0, len(wire) - 1)))
        if op == "flip" and wire:
            wire[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and wire:
            wire[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del wire[i:i + draw(st.integers(1, 40))]
        elif op == "insert":
            wire[i:i] = draw(st.binary(min_size=1, max_size=40))
        elif op == "zero":
            wire[i:i] = b"\x00"
        elif op == "dup":
            wire += wire[i:i + draw(st.integers(1, 100))]
    return bytes(wire)


inputs = st.one_of(st.binary(max_size=5000), mutated_streams())
chunkings = st.lists(st.integers(1, 600), min_size=1, max_size=8)


def check_decoder(data, cuts):
    d = Deframer()
    pos = 0
    out = []
    for n in cuts + [len(data)]:
        out += d.feed(data[pos:pos + n])
        pos += n
    for item in out:
        assert isinstance(item, (Frame, FrameError)), repr(item)


def check_link(data):
    link = Link(epoch=0x1234)
    link.poll(0.0)
    events = link.receive_bytes(data, 0.5) + link.poll(1.0)
    for ev in events:
        assert isinstance(ev, Event)
        if isinstance(ev, LinkError):
            assert isinstance(ev.error, ProtocolError)
    link.data_to_send()


@FUZZ
@given(inputs, chunkings)
def test_deframer_gives_only_frames_and_typed_errors(data, cuts):
    check_decoder(data, cuts)


@FUZZ
@given(inputs)
def test_link_survives_any_input(data):
    check_link(data)
