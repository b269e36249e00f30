"""School years whose staged rows a build changed without rebuilding their marts: they wait for
a backfill.

A nightly or on-arrival run builds the current and the last school year (`recent_years`). A
delivery holding an older year's rows (a state file sent again, corrected; a late MAP term; a
benchmark window of last year) is staged whole by that run (macros/school_years.sql), but that
year's marts, and its rows weighed against the year's other deliveries, change only in a build
naming the year. The build compares each year's staged rows before and after it (a count and a
hash of their contents, lineage left out: the same rows delivered again are no change) and
records the older years that changed here, beside the build record; the backfill sensor
(orchestration/defs/dbt/backfill_sensor.py) runs them with the years after them (whose
year-over-year figures read them): the district need not notice the late file to see it.

A build of every year clears the record; an attendance merge leaves it (it builds no year); a
year build takes its years off and adds the older ones it changed. The record also keeps what
each year was last built with (`built_with`: the digest of the config folder, the dbt variables
and the models, `increments.BuildPlan.settings`): a year build with a setting, crosswalk or
model changed since an older year was built leaves that year waiting too, as its marts still
read the earlier mappings and metrics.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb

#: The staging tables whose rows carry their own school year (that column), and whose new
#: deliveries a year build stages whatever their year. Not the SIS: a year build keeps the
#: other years' enrollment spans as they were, so a SIS history sent again is backfilled by hand.
YEAR_COLUMNS: dict[str, str] = {
    "staging.base_attendance__exceptions": "_school_year",
    "staging.base_assessment__map_results": "school_year",
    "staging.base_assessment__state_results": "school_year",
    "staging.base_assessment__benchmark_results": "school_year",
}


#: Lineage columns, left out of a row's content: the same rows delivered again in another file
#: (or another order) are not a change.
LINEAGE = ("_load_id", "_source_file", "_line_number", "_delivery")


#: `built_with`'s key for what the last build of every year was built with.
EVERY_YEAR = "every"


def record_path(warehouse: Path) -> Path:
    return warehouse.parent / "years_awaiting_backfill.json"


def year_digests(warehouse: Path, skip: Sequence[int] = ()) -> dict[str, dict[int, list[int]]]:
    """Each table's rows per school year but `skip` (the built ones): their count and the sum of
    their contents' hashes (lineage left out). Taken before and after a build: a year whose
    figures differ got rows delivered, corrected or withdrawn (0.05 s for 1.5 M attendance
    rows; 0.28 s for three years of attendance, MAP and state results)."""
    if not warehouse.exists():
        return {}
    digests: dict[str, dict[int, list[int]]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns: dict[str, list[str]] = {}
        for schema, table, column in con.execute(
            "select schema_name, table_name, column_name from duckdb_columns()"
        ).fetchall():
            columns.setdefault(f"{schema}.{table}", []).append(column)
        for table, year in YEAR_COLUMNS.items():
            if year not in columns.get(table, []):
                continue  # not built yet, or by an earlier version: every year it will hold
            lineage = ", ".join(c for c in LINEAGE if c in columns[table])
            rows = con.execute(
                f"select {year}, count(*), sum(hash(*columns(* exclude ({lineage})))) "
                f"from {table} where {year} is not null "
                f"and not list_contains(?::integer[], {year}) group by 1",
                [list(skip)],
            ).fetchall()
            digests[table] = {int(y): [int(n), int(h)] for y, n, h in rows}
    return digests


def changed_years(
    before: Mapping[str, Mapping[int, Sequence[int]]],
    after: Mapping[str, Mapping[int, Sequence[int]]],
) -> set[int]:
    """The school years whose rows differ between two `year_digests` in any table (a table
    missing before: every year it holds now)."""
    changed: set[int] = set()
    for table in before.keys() | after.keys():
        old, new = before.get(table, {}), after.get(table, {})
        changed |= {
            y for y in old.keys() | new.keys() if list(old.get(y, [])) != list(new.get(y, []))
        }
    return changed


def read(warehouse: Path) -> dict:
    """The record: `years` waiting, `found_at` (when a build last found one) and `built_with`."""
    path = record_path(warehouse)
    if not path.exists():
        return {"years": [], "found_at": None}
    return json.loads(path.read_text())


def update(
    warehouse: Path,
    built: Sequence[int] | None,
    *,
    every_year: bool,
    found: Iterable[int] = (),
    settings: str | None = None,
    present: Iterable[int] = (),
) -> list[int]:
    """After a build that succeeded: the years still waiting, written and returned.

    `built`: the years a year build named (None otherwise); `every_year`: a build of every year
    (not a merge), which leaves nothing waiting; `found`: `changed_years`; `settings`: what the
    build was built with; `present`: the school years the warehouse holds, of which a year build
    leaves waiting those last built with other settings (a record written before `built_with`
    knows none: nothing is assumed of them).
    """
    record = read(warehouse)
    built_with: dict[str, str] = record.get("built_with", {})
    # The years waiting for their rows (a record written before `changed`: all of them).
    changed = set(record.get("changed", record["years"]))
    waiting = set(record["years"])
    new: set[int] = set()
    if every_year:
        changed = waiting = set()
        built_with = {EVERY_YEAR: settings} if settings else {}
    elif built is not None:
        if settings:
            built_with.update({str(year): settings for year in built})
        last_whole = built_with.get(EVERY_YEAR)
        stale = {
            year
            for year in present
            if settings and built_with.get(str(year), last_whole) not in (None, settings)
        }
        changed = (changed | set(found)) - set(built)
        # Found again by its rows, or newly stale: asked for (a stale year is found by every
        # year build until it is rebuilt, or the settings it was built with are back).
        new = (set(found) - set(built)) | (stale - waiting)
        waiting = changed | stale
    if new:
        # A new finding (a year found again after a failed backfill too): asked for again.
        record["found_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    record["years"] = sorted(waiting)
    record["changed"] = sorted(changed)
    record["built_with"] = built_with
    path = record_path(warehouse)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, path)
    return record["years"]
