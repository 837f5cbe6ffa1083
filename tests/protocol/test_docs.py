"""The byte-exact examples in docs/protocol.md are what the code produces."""

import re
from pathlib import Path

import pytest

from protocol.frame import DATA, MAX_FRAME, MAX_PAYLOAD, decode_frame, encode_frame, pack, unpack, Frame, TYPE_NAMES
from protocol.messages import MAX_COSE, MAX_MESSAGE

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
BLOCK = re.compile(r"```example (\S+)\nfields: (.*)\nframe:\s+(.*)\nwire:\s+(.*)\n```")
TYPES = {name: code for code, name in TYPE_NAMES.items()}


def examples():
    found = BLOCK.findall(DOC.read_text())
    assert len(found) >= 4, "docs/protocol.md lost its examples"
    return found


def parse_fields(text):
    fields = dict(item.split("=", 1) for item in text.split())
    return Frame(
        type=TYPES[fields["type"]],
        flags=int(fields["flags"]),
        window=int(fields["window"]),
        src=int(fields["src"], 16),
        dst=int(fields["dst"], 16),
        seq=int(fields["seq"]),
        ack=int(fields["ack"]),
        tsval=int(fields["tsval"]),
        tsecr=int(fields["tsecr"]),
        payload=b"" if fields["payload"] == "-" else bytes.fromhex(fields["payload"]),
    )


@pytest.mark.parametrize("name,fields,frame_hex,wire_hex", examples(), ids=lambda x: x if isinstance(x, str) else "")
def test_example_matches_the_code(name, fields, frame_hex, wire_hex):
    frame = parse_fields(fields)
    assert encode_frame(frame) == bytes.fromhex(frame_hex.replace(" ", ""))
    assert pack(frame) == bytes.fromhex(wire_hex.replace(" ", ""))
    assert decode_frame(bytes.fromhex(frame_hex.replace(" ", ""))) == frame
    assert unpack(bytes.fromhex(wire_hex.replace(" ", ""))[:-1]) == frame


def test_examples_cover_every_frame_type():
    assert {parse_fields(f).type for _, f, _, _ in examples()} == set(TYPE_NAMES)
    assert any(parse_fields(f).type == DATA and b"\x00" in parse_fields(f).payload for _, f, _, _ in examples())


def test_the_documented_sizes_are_the_codes() -> None:
    text = DOC.read_text()
    assert f"0 to {MAX_PAYLOAD} bytes" in text and f"≤ {MAX_PAYLOAD})" in text
    assert not {int(n) for n in re.findall(r"\b40[5-9]\d\b", text)} - {MAX_PAYLOAD, MAX_FRAME}
    assert f"at most {MAX_COSE}" in text and f"exceeds {MAX_MESSAGE} bytes" in text
