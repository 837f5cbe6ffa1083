"""Disk faults below our lowest layer, for the tests of the reader's state files and outbox."""

from __future__ import annotations

import errno
import os

import pytest


def no_space(monkeypatch: pytest.MonkeyPatch) -> None:
    """os.write fails with ENOSPC for our temporary files, as on a full disk (below our lowest layer)."""
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
