"""The privacy rules on aggregate marts: a small cell shown, or a figure left in a suppressed
cell, fails a blocking check (so the served marts are not replaced)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from expectations import run_suite, suite_named

pytestmark = pytest.mark.integration

COLUMNS = (
    "attendance_by_school_key bigint, school_key bigint, school_year int, subgroup varchar, "
    "subgroup_value varchar, n_students int, n_chronically_absent int, n_days_enrolled int, "
    "n_days_present int, attendance_rate double, chronic_absence_rate double, "
    "is_suppressed boolean, suppression_reason varchar"
)
ALL = (1, 1, 2026, "All students", "All students", 40, 4, 7000, 6500, 0.93, 0.1, False, None)
SMALL_SUPPRESSED = (2, 1, 2026, "race_ethnicity", "Asian", None, None, None, None, None, None)
SMALL_SUPPRESSED += (True, "small cell")


def warehouse(tmp_path: Path, *rows: tuple) -> Path:
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.agg_attendance_by_school ({COLUMNS})")
    con.executemany(
        f"insert into marts.agg_attendance_by_school values ({', '.join('?' * 13)})", rows
    )
    con.close()
    return path


def failed(path: Path) -> dict[str, int | None]:
    result = run_suite(suite_named("agg_attendance_by_school"), path, run_id="t")
    return {o.name: o.unexpected_count for o in result.failures}


def test_suppressed_small_cells_pass(tmp_path: Path) -> None:
    assert failed(warehouse(tmp_path, ALL, SMALL_SUPPRESSED)) == {}


def test_a_small_cell_shown_fails_and_blocks(tmp_path: Path) -> None:
    shown = (3, 1, 2026, "race_ethnicity", "White", 9, 1, 1600, 1500, 0.94, 0.11, False, None)
    path = warehouse(tmp_path, ALL, SMALL_SUPPRESSED, shown)
    assert failed(path) == {"unexpected_rows_expectation:small_cell_shown": 1}
    assert run_suite(suite_named("agg_attendance_by_school"), path, run_id="t").blocked


def test_a_figure_left_in_a_suppressed_cell_fails(tmp_path: Path) -> None:
    leaky = SMALL_SUPPRESSED[:9] + (0.91,) + SMALL_SUPPRESSED[10:]
    path = warehouse(tmp_path, ALL, leaky)
    assert failed(path) == {"unexpected_rows_expectation:suppressed_cell_has_values": 1}
