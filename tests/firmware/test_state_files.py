import stat

import pytest

from firmware.state_files import write_private

from disk_faults import no_space


def test_written_owner_only_replacing_the_old_file_and_leaving_no_temporary(tmp_path) -> None:
    path = tmp_path / "result-counter"
    write_private(path, b"1\n")
    write_private(path, b"2\n")
    assert path.read_bytes() == b"2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["result-counter"]


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch) -> None:
    path = tmp_path / "result-counter"
    write_private(path, b"1\n")
    no_space(monkeypatch)
    with pytest.raises(OSError, match="No space"):
        write_private(path, b"2\n")
    assert path.read_bytes() == b"1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result-counter"]
