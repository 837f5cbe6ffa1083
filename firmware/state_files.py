"""Files in the device's state directory: written atomically, readable by the owner only, durable on return.

A power cut at any moment leaves either the old file or the new one, never a torn one. A failed write (a full disk:
``OSError`` ENOSPC) raises and leaves the old file and no temporary behind.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        # A half-written temporary would only take space (the disk may be full) and confuse the next reader.
        tmp.unlink(missing_ok=True)
        raise
    # The rename itself is durable only once the directory is synced.
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """Make the directory's entries durable: a file created, renamed or removed in it stays so after a power cut."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
