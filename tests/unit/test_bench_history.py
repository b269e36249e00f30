"""benchmarks/history.py: `make bench` appends one row per run to a CSV any tool can read."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks.history import COLUMNS, HISTORY, Run, append_run, read_runs


def test_a_run_is_appended_under_a_header_written_once(tmp_path: Path) -> None:
    path = tmp_path / "bench" / "history.csv"
    first = Run("2026-12-06 10:00", "abc1234", "2 cores (x), 24 GiB RAM", 100_000, 21.04, 1417.4,
                2.9, 15.7, 3.0, 0.3, "quiet, loop 1.3 s")  # fmt: skip
    second = Run("2026-12-06 10:05", "abc1234", "2 cores (x), 24 GiB RAM", 5_000, 11.1, 900.0)
    append_run(first, path)
    append_run(second, path)

    with path.open(newline="") as rows:
        table = list(csv.reader(rows))
    assert table[0] == COLUMNS
    assert len(table) == 3
    assert table[1][COLUMNS.index("seconds")] == "21.0"
    assert table[1][COLUMNS.index("peak_rss_mb")] == "1417"
    assert table[1][COLUMNS.index("machine")] == "2 cores (x), 24 GiB RAM"  # its comma quoted
    assert table[2][COLUMNS.index("dbt_seconds")] == ""  # not measured: empty, never 0
    runs = read_runs(path)
    assert [r.students for r in runs] == [100_000, 5_000]
    assert runs[0].dbt_seconds == 15.7 and runs[1].dbt_seconds is None
    assert runs[0].notes == "quiet, loop 1.3 s"


def test_an_empty_file_gets_the_header(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.touch()
    append_run(Run("2026-12-06 10:00", "abc1234", "m", 1_000, 5.0, 300.0), path)
    assert path.read_text().splitlines()[0] == ",".join(COLUMNS)


def test_a_file_of_other_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text("when,how long\n2026-12-06,20\n")
    with pytest.raises(ValueError, match="columns"):
        read_runs(path)


def test_the_repository_history_reads_back() -> None:
    runs = read_runs(HISTORY)
    assert runs, "benchmarks/history.csv holds the recorded runs"
    assert all(r.students > 0 and r.seconds > 0 and r.peak_rss_mb > 0 for r in runs)
    assert [r.date for r in runs] == sorted(r.date for r in runs)
