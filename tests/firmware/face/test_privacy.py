"""Privacy by construction: no file is written during a face session, and nothing of it outlives the session."""

from __future__ import annotations

import gc
import os
import sys
import weakref
from collections.abc import Iterator

import numpy as np
import pytest

from drivers.camera import SyntheticCamera
from firmware.face.card_photo import simulate_card_photo

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_recording: list[tuple[str, tuple[object, ...]]] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _recording is None:
        return
    if event == "open":
        _, mode, flags = (list(args) + [None, None, None])[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if writing:
            _recording.append((event, args))
    elif event in {"os.remove", "os.rename", "os.mkdir", "os.truncate", "shutil.copyfile", "os.link", "os.symlink"}:
        _recording.append((event, args))


sys.addaudithook(_audit)  # audit hooks cannot be removed; it records only while a test sets _recording


@pytest.fixture
def file_writes() -> Iterator[list[tuple[str, tuple[object, ...]]]]:
    global _recording
    _recording = []
    try:
        yield _recording
    finally:
        _recording = None


def test_the_audit_hook_sees_writes(tmp_path, file_writes) -> None:  # type: ignore[no-untyped-def]
    """The check below could not pass by being blind: a write is recorded."""
    (tmp_path / "probe.txt").write_text("not a face")
    assert any("probe.txt" in str(args[0]) for _, args in file_writes)


def test_session_writes_nothing_and_leaves_nothing_referenced(verifier, photo, file_writes) -> None:  # type: ignore[no-untyped-def]
    card = simulate_card_photo(photo("obama.jpg"))
    frames = [SyntheticCamera(photo=photo(name), jitter=3, seed=i).read() for i, name in
              enumerate(["obama2.jpg", "biden.jpg"])]
    frame_refs = [weakref.ref(frame) for frame in frames]

    session = verifier.open_session(card)
    template_ref = weakref.ref(session._template)
    embedding = session._template._embedding
    embedding_ref = weakref.ref(embedding)
    result = session.attempt().run(iter(frames))
    session.close()

    assert file_writes == [], f"files were written during the session: {file_writes}"
    assert result.score is not None  # the session did real work
    # The discarded embedding is overwritten, not just dropped.
    assert not np.any(embedding)
    del session, embedding, frames, card
    gc.collect()
    assert template_ref() is None, "the card template outlived its session"
    assert embedding_ref() is None, "the card embedding outlived its session"
    assert all(ref() is None for ref in frame_refs), "a live frame outlived its session"


def test_result_holds_no_image_or_embedding(verifier, photo) -> None:  # type: ignore[no-untyped-def]
    card = simulate_card_photo(photo("obama.jpg"))
    with verifier.open_session(card) as session:
        result = session.attempt().run([photo("obama2.jpg")])
    for value in vars(result).values():
        assert not isinstance(value, np.ndarray | bytes)
    assert "embedding" not in repr(result) and "array" not in repr(result)
