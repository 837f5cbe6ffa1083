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


def _number_fields() -> set[tuple[str, str, str]]:
    """(message type, field, range as the doc writes it) for every number field of the schemas."""
    from protocol.messages import NUMBER, SCHEMAS, UINT

    found = set()
    for kind, schema in SCHEMAS.items():
        for name, spec in schema.items():
            if spec.items is not None:
                spec, name = spec.items, f"{name} (each)"
            if spec.kind == UINT:
                found.add((kind, name, f"{spec.low} – {spec.high - 1}"))
            elif spec.kind == NUMBER:
                found.add((kind, name, f"{spec.low} – below {spec.high} (finite)"))
    return found


def test_the_number_ranges_table_is_the_code() -> None:
    """Issue 15, point 3: every number field has a documented range, the one messages.decode checks."""
    section = DOC.read_text().split("### Number ranges", 1)[1].split("\n### ", 1)[0]
    documented = set()
    for row in re.findall(r"^\| (.+?) \| `(\w+)`(.*?) \| (.+?) \|$", section, re.M):
        kinds, field, suffix, limits = row
        for kind in kinds.split(", "):
            documented.add((kind.strip("`"), field + suffix, limits))
    assert ("every message", "id", "0 – 4294967295") in documented
    assert {row for row in documented if row[0] != "every message"} == _number_fields()


def test_every_rejection_code_is_documented() -> None:
    from protocol.host.verify import REASONS

    text = DOC.read_text()
    listed = text.split("Rejection codes:", 1)[1].split("\n\n", 1)[0]
    assert sorted(re.findall(r"`([a-z-]+)`", listed)) == sorted(REASONS)
