"""expectations/kept.py: a suite's last result is carried only while nothing it reads changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from expectations import QualitySettings, all_suites, kept
from expectations.result import ExpectationOutcome, SuiteResult


def result_of(suite, run_id: str) -> SuiteResult:
    outcomes = tuple(
        ExpectationOutcome(
            name=spec.name,
            expectation_type=spec.expectation_type,
            column=spec.column,
            success=i > 0,
            observed_value=None,
            unexpected_count=0 if i > 0 else 3,
            unexpected_percent=None,
            element_count=100,
            description=spec.meaning,
            severity=spec.severity,
        )
        for i, spec in enumerate(suite.expectations)
    )
    return SuiteResult(
        suite.name, suite.domain, suite.asset_key, suite.table, run_id,
        datetime(2026, 12, 6, 12, 0), 0.5, outcomes,
    )  # fmt: skip


def test_kept_results_carried_until_a_table_they_read_changes(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    suites = {s.name: s for s in all_suites()}
    chosen = [suites["dim_section"], suites["agg_attendance_by_school"], suites["sis_file_loads"]]
    first = [result_of(suite, "run-1") for suite in chosen]
    kept.keep(warehouse, chosen, first)

    carried = kept.carried(warehouse, chosen, {"audit.file_loads"}, "run-2")
    # The delivery audit is a view over raw files: never carried.
    assert set(carried) == {"dim_section", "agg_attendance_by_school"}
    assert carried["dim_section"] == replace(first[0], run_id="run-2")
    assert carried["dim_section"].blocked  # a failure is carried as a failure

    # dim_section also reads dim_teacher: a rebuilt dim_teacher drops its result.
    kept.forget(warehouse, {"marts.dim_teacher"})
    assert set(kept.carried(warehouse, chosen, set(), "run-3")) == {
        "agg_attendance_by_school",
        "sis_file_loads",
    }
    # Another threshold makes another suite: its kept result is not carried.
    smaller_cells = {s.name: s for s in all_suites(QualitySettings(min_cell_size=5))}
    changed = [smaller_cells[suite.name] for suite in chosen]
    assert set(kept.carried(warehouse, changed, set(), "run-4")) == {"sis_file_loads"}
    kept.forget(warehouse)
    assert kept.carried(warehouse, chosen, set(), "run-5") == {}
