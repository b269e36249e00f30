"""School years a build staged new rows of but did not rebuild: they wait for a backfill.

A nightly or on-arrival run builds the current and the last school year (`recent_years`). A
delivery holding an older year's rows (a state file sent again, corrected; a late MAP term; a
benchmark window of last year) is staged whole by that run (macros/school_years.sql), but that
year's marts, and its rows weighed against the year's other deliveries, change only in a build
naming the year. Such years are recorded here, beside the build record, and the backfill sensor
(orchestration/defs/dbt/backfill_sensor.py) runs them with the years after them (whose
year-over-year figures read them): the district need not notice the late file to see it.

A build of every year clears the record; an attendance merge leaves it (it builds no year); a
year build takes its years off and adds the older ones it found.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

#: The staging tables whose rows carry their own school year (that column), and whose new
#: deliveries a year build stages whatever their year. The SIS is not among them: its every
#: delivery is new and holds every year's sessions, and its models are built whole anyway.
YEAR_COLUMNS: dict[str, str] = {
    "staging.base_attendance__exceptions": "_school_year",
    "staging.base_assessment__map_results": "school_year",
    "staging.base_assessment__state_results": "school_year",
    "staging.base_assessment__benchmark_results": "school_year",
}


def record_path(warehouse: Path) -> Path:
    return warehouse.parent / "years_awaiting_backfill.json"


def staged_loads(warehouse: Path) -> dict[str, list[str]]:
    """Before a build: the loads each table holds rows of (a table not built yet holds none)."""
    if not warehouse.exists():
        return {}
    loads: dict[str, list[str]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        present = {f"{s}.{t}" for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables()"
        ).fetchall()}  # fmt: skip
        for table in YEAR_COLUMNS.keys() & present:
            rows = con.execute(f"select distinct _load_id from {table}").fetchall()
            loads[table] = [load for (load,) in rows]
    return loads


def years_of_new_loads(warehouse: Path, before: Mapping[str, Sequence[str]]) -> set[int]:
    """After a build: the school years of the rows of loads a table holds now and did not hold
    before it (`staged_loads`)."""
    years: set[int] = set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table, column in YEAR_COLUMNS.items():
            exists = con.execute(
                "select count(*) from duckdb_tables() where schema_name || '.' || table_name = ?",
                [table],
            ).fetchone()[0]
            if not exists:
                continue
            rows = con.execute(
                f"select distinct {column} from {table} "
                f"where {column} is not null and _load_id not in (select unnest(?::varchar[]))",
                [list(before.get(table, []))],
            ).fetchall()
            years |= {int(year) for (year,) in rows}
    return years


def read(warehouse: Path) -> dict:
    """The record: `years` waiting, and `found_at`, when a build last added one."""
    path = record_path(warehouse)
    if not path.exists():
        return {"years": [], "found_at": None}
    return json.loads(path.read_text())


def update(
    warehouse: Path, built: Sequence[int] | None, *, every_year: bool, found: Iterable[int] = ()
) -> list[int]:
    """After a build that succeeded: the years still waiting, written and returned.

    `built`: the years a year build named (None otherwise); `every_year`: a build of every year
    (not a merge), which leaves nothing waiting; `found`: `years_of_new_loads`.
    """
    record = read(warehouse)
    if every_year:
        waiting: set[int] = set()
    elif built is None:
        waiting = set(record["years"])
    else:
        waiting = (set(record["years"]) | set(found)) - set(built)
    if waiting - set(record["years"]):
        record["found_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    record["years"] = sorted(waiting)
    path = record_path(warehouse)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, path)
    return record["years"]
