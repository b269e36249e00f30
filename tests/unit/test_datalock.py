"""connectors/datalock.py: loads share the data folder's lock, a backup has it alone."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from connectors import datalock


def test_loads_share_the_lock_and_a_backup_waits_for_them(tmp_path: Path) -> None:
    with (
        datalock.writing(tmp_path),
        datalock.writing(tmp_path),  # two loads at once
        pytest.raises(datalock.FolderBusy, match="a running load"),
        datalock.quiescent(tmp_path, timeout=0.3),
    ):
        pass
    with datalock.quiescent(tmp_path, timeout=0):  # free once they are done
        pass


def test_a_load_waits_for_the_backup_then_goes_on(tmp_path: Path) -> None:
    order: list[str] = []
    held = threading.Event()

    def backup() -> None:
        with datalock.quiescent(tmp_path):
            held.set()
            threading.Event().wait(0.5)
            order.append("backup done")

    thread = threading.Thread(target=backup)
    thread.start()
    held.wait(5)
    with (
        pytest.raises(datalock.FolderBusy, match="a backup"),
        datalock.writing(tmp_path, timeout=0.1),
    ):
        pass
    with datalock.writing(tmp_path, timeout=5):
        order.append("load writes")
    thread.join()
    assert order == ["backup done", "load writes"]
