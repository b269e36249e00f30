"""The project's own generic dbt tests, fed rows they must flag and rows they must pass.

`small_cells_suppressed` guards the trend marts' privacy (no small cell shown, no figure left in
a suppressed one); `primary_key` and `no_overlapping_spans` guard the marts' keys (the daily
attendance fact's one row per student and day rests on the second);
`no_overlapping_yearly_windows` guards the seed that gives a dateless benchmark result its
window (a date in two windows would give a result two). Each is run here through dbt
itself (`dbt show --inline` renders the test's macro with the project's adapter) on hand-written
rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.home import Home
from tests.fixtures.dbt import run_dbt

pytestmark = pytest.mark.integration

KEYS = "(select * from (values (1), (1), (null), (2)) as t (k))"
SPANS = (
    "(select id, student, cast(s as date) as s, cast(e as date) as e from (values "
    "(1, 'a', '2025-09-01', '2025-09-30'), "  # a: 1 and 2 share 09-30 (ends are inclusive)
    "(2, 'a', '2025-09-30', '2025-10-10'), "
    "(3, 'a', '2025-10-11', '2025-10-20'), "  # a: 3 starts the day after 2 ends: fine
    "(4, 'b', '2025-09-01', '2025-09-30'), "  # b: the same span twice
    "(5, 'b', '2025-09-01', '2025-09-30'), "
    "(6, 'c', '2025-09-01', '2025-09-30')"  # c: one span
    ") as t (id, student, s, e))"
)
WINDOWS = (
    "(select * from (values "
    "('x', 1, 701, 1115), "  # x: i-Ready's three windows, the second over New Year: fine
    "('x', 2, 1116, 301), "
    "('x', 3, 302, 630), "
    "('y', 1, 1201, 115), "  # y: 1 runs over New Year into 2's January
    "('y', 2, 110, 531), "
    "('z', 1, 1101, 1231), "  # z: 1 and 2 share December 31 (ends are inclusive)
    "('z', 2, 1231, 228)"
    ") as t (assessment, term, s, e))"
)
CELLS = (
    "(select * from (values "
    "(12, 0.5, false), "  # shown, 12 students: fine
    "(9, 0.4, false), "  # shown with 9 students: flagged
    "(null, null, true), "  # suppressed, no figure left: fine
    "(null, 0.3, true), "  # suppressed but a rate left: flagged
    "(null, null, false)"  # shown without a count: flagged
    ") as t (n, rate, is_suppressed))"
)
QUERY = (
    "select 'small_cells_suppressed' as test, cast(n as varchar) || ' ' || "
    "cast(is_suppressed as varchar) as found, 1 as n "
    f"from ({{{{ test_small_cells_suppressed(model='{CELLS}', n_column='n', "
    "value_columns=['rate']) }}) "
    "union all "
    "select 'primary_key' as test, cast(k as varchar) as found, n_rows as n "
    f"from ({{{{ test_primary_key(model='{KEYS}', column_name='k') }}}}) "
    "union all "
    "select 'no_overlapping_spans', student || ' ' || cast(s as varchar), 1 "
    f"from ({{{{ test_no_overlapping_spans(model=\"{SPANS}\", key='id', "
    "partition_by=['student'], start='s', end='e') }}) "
    "union all "
    "select 'no_overlapping_yearly_windows', assessment || ' ' || cast(window_key as varchar), 1 "
    f"from ({{{{ test_no_overlapping_yearly_windows(model=\"{WINDOWS}\", key='term', "
    "partition_by=['assessment'], start='s', end='e') }}) "
    "order by 1, 2 nulls first"
)


def test_generic_tests_flag_exactly_the_bad_rows(tmp_path: Path) -> None:
    Home(tmp_path).ensure()
    run = run_dbt(
        tmp_path,
        ["show", "--inline", QUERY, "--limit", "20", "--output", "json", "--log-format", "json"],
        tmp_path / "dbt_target",
    )
    previews = [
        json.loads(event["data"]["preview"])
        for event in map(json.loads, run.stdout.splitlines())
        if "preview" in event.get("data", {})
    ]
    assert previews == [
        [
            {"test": "no_overlapping_spans", "found": "a 2025-09-01", "n": 1},
            {"test": "no_overlapping_spans", "found": "b 2025-09-01", "n": 1},
            {"test": "no_overlapping_yearly_windows", "found": "y 1", "n": 1},
            {"test": "no_overlapping_yearly_windows", "found": "z 1", "n": 1},
            {"test": "primary_key", "found": None, "n": 1},
            {"test": "primary_key", "found": "1", "n": 2},
            {"test": "small_cells_suppressed", "found": None, "n": 1},
            {"test": "small_cells_suppressed", "found": None, "n": 1},
            {"test": "small_cells_suppressed", "found": "9 false", "n": 1},
        ]
    ]
