"""The metric macros (ratio, is_chronically_absent, subgroup_cells, suppress_small_cells) and
safe_int, compiled by dbt and run on DuckDB, give the cells worked out by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from connectors.home import Home
from tests.fixtures.dbt import run_dbt

pytestmark = pytest.mark.integration


# 40 students at one school, 30 days each; students 1-4 absent 3 days (exactly 10%: chronic).
# Race/ethnicity: 9 Asian (a small cell), 15 Hispanic or Latino (its complement), 16 White.
MACRO_CELLS_SQL = """
with students as (
    select i as student_key, 10 as school_key, 2026 as school_year,
        case when i <= 9 then 'Asian' when i <= 24 then 'Hispanic or Latino' else 'White' end
            as race_ethnicity,
        'Female' as sex, false as is_english_learner, i > 30 as has_disability,
        false as is_low_income, 'Third grade' as grade_level,
        30 as n_days_enrolled, case when i <= 4 then 3 else 0 end as n_days_absent
    from generate_series(1, 40) as s (i)
),
cells as (
    {{ subgroup_cells('students', ['school_key', 'school_year'], [
        'count(*) as n_students',
        'sum(case when ' ~ is_chronically_absent('n_days_absent', 'n_days_enrolled')
            ~ ' then 1 else 0 end) as n_chronic',
        'sum(n_days_enrolled - n_days_absent) as n_present',
        'sum(n_days_enrolled) as n_enrolled',
    ]) }}
),
rated as (
    select cells.*, {{ ratio('n_present', 'n_enrolled') }} as attendance_rate from cells
)
{{ suppress_small_cells('rated', ['subgroup', 'subgroup_value'],
    ['n_students', 'n_chronic', 'attendance_rate'], ['school_key', 'school_year', 'subgroup']) }}
"""


def _compiled(home: Path, sql: str = MACRO_CELLS_SQL) -> str:
    run = run_dbt(home.root, ["--quiet", "compile", "--inline", sql], home.root / "dbt_target")
    return run.stdout


def _cells(rows: list[tuple]) -> list[tuple]:
    return sorted(
        (r[0], r[1], r[2], r[3], None if r[4] is None else round(float(r[4]), 9), r[5], r[6])
        for r in rows
    )


def test_metric_macros_give_the_cells_worked_out_by_hand(tmp_path: Path) -> None:
    """Chronic absence at exactly 10%, a small cell suppressed and its complement with it."""
    home = Home(tmp_path).ensure()
    on_duckdb = duckdb.connect().execute(_compiled(home)).fetchall()
    by_value = {r[1]: r for r in _cells(on_duckdb)}
    assert by_value["All students"][2:5] == (40, 4, round(1188 / 1200, 9))
    assert by_value["Asian"][2:] == (None, None, None, True, "small cell")
    assert by_value["Hispanic or Latino"][5:] == (True, "complementary")
    assert by_value["White"][2:] == (16, 0, 1.0, False, None)


SAFE_INT_SQL = """
select v, {{ safe_int('v') }} as n
from (values ('245'), ('245.0'), (' -3 '), ('12.5'), ('1,234'), ('245.'), (''))
    as t (v)
order by v
"""


def test_safe_int_reads_a_zero_fraction_and_never_rounds(tmp_path: Path) -> None:
    """Scores exported through a float column ('245.0') read as 245; '12.5' and '1,234' stay
    NULL (their rows are quarantined, never rounded)."""
    home = Home(tmp_path).ensure()
    on_duckdb = duckdb.connect().execute(_compiled(home, SAFE_INT_SQL)).fetchall()
    expected = {"245": 245, "245.0": 245, " -3 ": -3, "12.5": None, "1,234": None, "245.": None}
    assert dict(on_duckdb) == {**expected, "": None}
