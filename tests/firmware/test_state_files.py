import stat

from firmware.state_files import write_private


def test_written_owner_only_replacing_the_old_file_and_leaving_no_temporary(tmp_path) -> None:
    path = tmp_path / "result-counter"
    write_private(path, b"1\n")
    write_private(path, b"2\n")
    assert path.read_bytes() == b"2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["result-counter"]
