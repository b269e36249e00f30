"""The served file's replacement (serving.publish.replace_keeping_blocks): readers see the old
file or the new one; the old one's second name is deleted, and one an earlier process left."""

from __future__ import annotations

import time
from pathlib import Path

from serving.publish import REPLACED_PREFIX, replace_keeping_blocks


def wait_for_no_aside(folder: Path, seconds: float = 5.0) -> list[Path]:
    deadline = time.monotonic() + seconds
    while (left := list(folder.glob(f"{REPLACED_PREFIX}*"))) and time.monotonic() < deadline:
        time.sleep(0.01)
    return left


def test_a_reader_of_the_old_file_keeps_it_and_the_new_one_is_served(tmp_path: Path) -> None:
    served, new = tmp_path / "districtwide.duckdb", tmp_path / ".building.duckdb"
    served.write_bytes(b"old")
    new.write_bytes(b"new")
    with served.open("rb") as reader:
        replace_keeping_blocks(new, served)
        assert reader.read() == b"old"
    assert served.read_bytes() == b"new"
    assert not new.exists()
    assert wait_for_no_aside(tmp_path) == []


def test_the_first_publication_and_an_earlier_leftover(tmp_path: Path) -> None:
    served, new = tmp_path / "districtwide.duckdb", tmp_path / ".building.duckdb"
    leftover = tmp_path / f"{REPLACED_PREFIX}0123456789ab-districtwide.duckdb"
    leftover.write_bytes(b"from a process that ended first")
    new.write_bytes(b"first")
    replace_keeping_blocks(new, served)
    assert served.read_bytes() == b"first"
    assert wait_for_no_aside(tmp_path) == []
