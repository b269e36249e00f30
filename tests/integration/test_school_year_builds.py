"""A build of one school year (issue 18): on a three-year district, rebuilding one year replaces
that year's rows of every year-dependent mart (tagged `by_school_year`) and no other year's.

The district is loaded whole; then its metric settings change (a chronic-absence threshold and a
small-cell size that change every year's rows of the attendance and aggregate marts) and only the
middle year is rebuilt, as `districtwide load --years 2025` does: the other years' rows must be
byte-for-byte the whole load's (EXCEPT ALL both ways), the middle year's must have taken the new
settings. With the settings back and the middle year rebuilt once more, every row equals the whole
load's again, and the trend marts and today's truth checks hold on the result.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import (
    DagsterInstance,
    ExecuteInProcessResult,
    RunRequest,
    SkipReason,
    build_sensor_context,
)

from connectors import increments, pending_years
from connectors.home import Home
from orchestration.defs.dbt.backfill_sensor import older_years_backfill
from orchestration.defs.dbt.project import DBT_PROJECT
from orchestration.defs.dbt.school_years import REBUILD_TAG, range_tags
from orchestration.resources import DistrictwideHome
from tests.conftest import District, generate
from tests.integration import test_consolidated_load, test_inquiry_marts, test_trend_marts

pytestmark = pytest.mark.integration

YEARS = (2024, 2025, 2026)
REBUILT = 2025
DEFAULTS = {"chronic_absence_threshold: 0.10": "chronic_absence_threshold: 0.15"}
CELLS = {"min_cell_size: 10": "min_cell_size: 5"}


def by_school_year_models(marts: bool = True) -> list[str]:
    """The models a year build replaces by year (the `by_school_year` tag, from the manifest):
    the marts, or else the staging and intermediate models partitioned by their rows' own year
    (each as `schema.name` in the warehouse file)."""
    nodes = json.loads(DBT_PROJECT.manifest_path.read_text())["nodes"].values()
    return sorted(
        n["name"] if marts else f"{n['schema']}.{n['name']}"
        for n in nodes
        if n["resource_type"] == "model"
        and "by_school_year" in n.get("tags", [])
        and (n["schema"] == "marts") == marts
    )


def by_school_year_marts() -> list[str]:
    return by_school_year_models(marts=True)


def load(home: Home, years: Sequence[int] | None = None) -> ExecuteInProcessResult:
    """The consolidated load in process (every year, or `years`), in an ephemeral instance."""
    from districtwide.running import run_consolidated_load

    with pytest.MonkeyPatch.context() as env:
        env.setenv("DISTRICTWIDE_HOME", str(home.root))
        result = run_consolidated_load(DagsterInstance.ephemeral(), years=years)
    assert result.success, f"consolidated_load ({years or 'every year'}) failed"
    return result


def kept_by_the_build(result: ExecuteInProcessResult) -> dict[str, bool]:
    """Each dbt model the run reported (by name): whether its build kept it unchanged."""
    kept = {}
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        note = str(getattr(materialization.metadata.get("dbt"), "value", ""))
        kept[materialization.asset_key.path[-1]] = "kept unchanged" in note
    return kept


def snapshot(home: Home, to: Path) -> Path:
    """A copy of the marts' database file as the last build left it, and of the warehouse's
    (staging and intermediate) beside it (`<to>.warehouse`)."""
    shutil.copy2(home.warehouse.with_name("marts.duckdb"), to)
    shutil.copy2(home.warehouse, warehouse_of(to))
    return to


def warehouse_of(marts: Path) -> Path:
    return marts.with_suffix(".warehouse")


def edit_settings(home: Home, replacements: dict[str, str]) -> None:
    config = home.root / "config" / "district.yaml"
    text = config.read_text()
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    config.write_text(text)


@dataclass
class Builds:
    district: District
    whole: Path  # the marts after the whole load
    changed: Path  # after the middle year's rebuild with other settings
    restored: Path  # after its rebuild with the whole load's settings again
    same_inputs_kept: dict[str, bool]  # a rebuild asked for with nothing changed: model kept?
    same_inputs_recorded: bool  # ... left the record of a finished build of every year
    rebuilt_missing: Path  # after a year build that found MISSING's tables dropped or altered
    waiting: list[list[int]]  # years awaiting a backfill after the year builds before MISSING's
    waiting_after_change: list[int]  # ... after the middle year's rebuild with other settings


#: Before the last year build: a partitioned staging table and a year mart dropped, and a
#: partitioned table's partition column (an incremental model's; the staging one is a table).
MISSING = (
    ("warehouse.duckdb", "staging.base_assessment__map_results", None),
    ("marts.duckdb", "marts.fct_attendance_exception_day", None),
    ("warehouse.duckdb", "intermediate.int_attendance_events", "_school_year"),
    ("warehouse.duckdb", "staging.base_assessment__state_results", "school_year"),
)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("school-years")
    copies = tmp_path_factory.mktemp("school-years-marts")
    generate(root, 600, 11, "--years", str(len(YEARS)), "--end-year", str(YEARS[-1]))
    home = Home(root).ensure()
    load(home)
    whole = snapshot(home, copies / "whole.duckdb")
    # Nothing changed since the whole load: the plan is an (empty) attendance merge; the year
    # asked for is rebuilt instead, the models of no year kept (their inputs did not change).
    assert increments.record_path(home).exists()
    same_inputs_kept = kept_by_the_build(load(home, [REBUILT]))
    same_inputs_recorded = increments.record_path(home).exists()
    waiting = [pending_years.read(home.warehouse)["years"]]
    changes = {**DEFAULTS, **CELLS}
    edit_settings(home, changes)
    load(home, [REBUILT])
    changed = snapshot(home, copies / "changed.duckdb")
    waiting_after_change = pending_years.read(home.warehouse)["years"]
    edit_settings(home, {new: old for old, new in changes.items()})
    load(home, [REBUILT])
    restored = snapshot(home, copies / "restored.duckdb")
    waiting.append(pending_years.read(home.warehouse)["years"])
    # A table a year build finds missing, or without its partition column (built by an earlier
    # version), is built for every year, not for the built year alone.
    for database, table, column in MISSING:
        with duckdb.connect(str(home.warehouse.with_name(database))) as con:
            relation = f"{Path(database).stem}.{table}"
            if column:
                con.execute(f"alter table {relation} drop column {column}")
            else:
                con.execute(f"drop table {relation}")
    load(home, [REBUILT])
    rebuilt_missing = snapshot(home, copies / "rebuilt_missing.duckdb")
    counts = json.loads((root / "truth" / "counts.json").read_text())
    return Builds(
        District(home, counts),
        whole,
        changed,
        restored,
        same_inputs_kept,
        same_inputs_recorded,
        rebuilt_missing,
        waiting,
        waiting_after_change,
    )


def test_a_year_build_of_the_same_files_leaves_no_year_waiting(builds: Builds) -> None:
    """No delivery since the whole load: the other years' staged rows are as they were, so the
    older_years_backfill sensor has nothing to ask for (connectors/pending_years.py)."""
    assert builds.waiting == [[], []]


def test_a_year_build_with_other_settings_leaves_the_other_years_waiting(builds: Builds) -> None:
    """The settings changed before the middle year's rebuild: the other years' marts keep the
    earlier ones (test_a_year_build_changes_no_other_years_rows), so they wait for the sensor;
    with the settings back and the year rebuilt again, none waits (the list above)."""
    assert builds.waiting_after_change == [y for y in YEARS if y != REBUILT]


def test_a_year_named_is_rebuilt_even_when_nothing_changed(builds: Builds) -> None:
    """Its year's marts are built again, not merged or kept; the marts of no year are kept (their
    inputs did not change since the whole load), and every year stays as current as the whole
    load left it: the build's record stays, and the next build may merge."""
    kept = builds.same_inputs_kept
    assert {name: kept.get(name) for name in by_school_year_marts()} == dict.fromkeys(
        by_school_year_marts(), False
    )
    assert kept["dim_student"] and kept["dim_school"]
    assert builds.same_inputs_recorded


def differences(before: Path, after: Path, table: str, where: str) -> tuple[int, int]:
    """Rows of `table` (its `where` rows; `marts.<table>` unless schema-qualified) only in
    `before`, and only in `after` (EXCEPT ALL)."""
    table = table if "." in table else f"marts.{table}"
    with duckdb.connect() as con:
        con.execute(f"attach '{before}' as before (read_only)")
        con.execute(f"attach '{after}' as after (read_only)")
        return tuple(
            con.execute(
                f"select count(*) from (select * from {a}.{table} where {where} "
                f"except all select * from {b}.{table} where {where})"
            ).fetchone()[0]
            for a, b in (("before", "after"), ("after", "before"))
        )


def test_the_year_dependent_marts_are_the_marts_with_school_years(builds: Builds) -> None:
    """Every mart table holding several school years is tagged (the three 'current' student marts,
    which hold the latest year only, are built whole)."""
    with duckdb.connect(str(builds.whole), read_only=True) as con:
        several = {
            name
            for (name,) in con.execute(
                """
                select table_name from information_schema.columns c
                join information_schema.tables t using (table_catalog, table_schema, table_name)
                where c.table_schema = 'marts' and column_name = 'school_year'
                  and table_type = 'BASE TABLE'
                """
            ).fetchall()
            if con.execute(f"select count(distinct school_year) > 1 from marts.{name}").fetchone()[
                0
            ]
        }
    tagged = set(by_school_year_marts())
    assert several, "the whole load built no multi-year mart"
    assert several <= tagged


def test_a_year_build_changes_no_other_years_rows(builds: Builds) -> None:
    others = f"school_year is distinct from {REBUILT}"
    changed = {
        table: differences(builds.whole, builds.changed, table, others)
        for table in by_school_year_marts()
    }
    assert changed == {table: (0, 0) for table in changed}


def test_the_rebuilt_year_takes_the_new_settings(builds: Builds) -> None:
    """The check above has teeth: the settings change these marts' rows of every year, and the
    rebuilt year's did change."""
    year = f"school_year = {REBUILT}"
    for table in (
        "agg_attendance_by_school",
        "agg_chronic_absence_trend",
        "fct_student_attendance_year",
        "agg_proficiency_by_school",
    ):
        before_only, after_only = differences(builds.whole, builds.changed, table, year)
        assert before_only > 0 and after_only > 0, table


def test_the_staged_rows_of_a_year_build_are_the_whole_loads(builds: Builds) -> None:
    """The staging and intermediate models a year build reads and replaces by their rows' own
    year (the rebuilt year's rows, and those of no readable year, from the same files) hold the
    whole load's rows, every one: none lost, none twice (raw = staged + quarantined)."""
    partitioned = by_school_year_models(marts=False)
    assert {"staging.base_attendance__exceptions", "staging.base_assessment__map_results"} <= set(
        partitioned
    )
    before, after = warehouse_of(builds.whole), warehouse_of(builds.changed)
    rebuilt = {table: differences(before, after, table, "true") for table in partitioned}
    assert rebuilt == {table: (0, 0) for table in partitioned}
    with duckdb.connect(str(after), read_only=True) as con:
        for table in partitioned:
            years = {
                y
                for (y,) in con.execute(
                    f"select distinct {year_column(table)} from {table}"
                ).fetchall()
            }
            assert REBUILT in years and len(years - {None}) > 1, (table, years)


def year_column(table: str) -> str:
    """A partitioned model's year column (its meta `school_year_column`)."""
    nodes = json.loads(DBT_PROJECT.manifest_path.read_text())["nodes"].values()
    (node,) = (n for n in nodes if f"{n['schema']}.{n['name']}" == table)
    return node["config"]["meta"]["school_year_column"]


def test_rebuilding_the_year_again_gives_the_whole_loads_rows(builds: Builds) -> None:
    again = {
        table: differences(builds.whole, builds.restored, table, "true")
        for table in by_school_year_marts()
    }
    assert again == {table: (0, 0) for table in again}


def test_a_year_build_builds_a_missing_table_for_every_year(builds: Builds) -> None:
    for database, table, _ in MISSING:
        before, after = builds.whole, builds.rebuilt_missing
        if database == "warehouse.duckdb":
            before, after = warehouse_of(before), warehouse_of(after)
        assert differences(before, after, table, "true") == (0, 0), table


#: Truth checks of the trend marts and of today's marts, on the district after the rebuilds.
TRUTH_CHECKS: list[Callable[[District], None]] = [
    test_trend_marts.test_student_school_years_match_the_truth,
    test_trend_marts.test_chronic_absence_trend_matches_the_truth,
    test_trend_marts.test_proficiency_gap_trend_matches_the_truth,
    test_trend_marts.test_cohorts_match_the_truth,
    test_trend_marts.test_map_fall_to_fall_growth_matches_the_truth,
    test_consolidated_load.test_every_mart_row_count_matches_the_truth,
    test_consolidated_load.test_absence_days_match_the_truth_for_linked_rows,
    test_inquiry_marts.test_chronic_absence_per_year_matches_the_truth,
    test_inquiry_marts.test_state_proficiency_per_school_and_subject_matches_the_truth,
]


@pytest.mark.parametrize("check", TRUTH_CHECKS, ids=lambda check: check.__name__)
def test_the_marts_after_the_rebuilds_equal_the_truth(
    builds: Builds, check: Callable[[District], None]
) -> None:
    check(builds.district)


# A file of an older year delivered again, corrected, and a build that names another year: the
# partitioned models read the new delivery whole and drop its earlier load's rows, so raw =
# staged + quarantined holds at once; the older year's backfill then reconciles it with the other
# deliveries of that year, as a whole build would.
REDELIVERED = {
    "attendance/attendance_exceptions_2024-2025.csv": 7,  # every 7th row left out
    "assessment/state_assessment_2025.csv": 5,
}


@dataclass
class Redelivery:
    district: District
    after_other_year: Path  # after the build naming 2026 only
    backfilled: Path  # after the backfill of 2025
    whole: Path  # after a whole build of the same files
    waiting: list[list[int]]  # the years awaiting a backfill after each of those three builds
    backfill_asked: RunRequest | SkipReason  # the sensor, after the build naming 2026


@pytest.fixture(scope="module")
def redelivery(tmp_path_factory: pytest.TempPathFactory) -> Redelivery:
    root = tmp_path_factory.mktemp("school-years-redelivered")
    copies = tmp_path_factory.mktemp("school-years-redelivered-marts")
    generate(root, 300, 5, "--years", "2", "--end-year", "2026")
    home = Home(root).ensure()
    load(home)
    for name, every in REDELIVERED.items():
        path = root / "landing" / name
        header, *rows = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(header + b"".join(r for i, r in enumerate(rows, 1) if i % every))
    waiting = []
    load(home, [2026])
    after_other_year = snapshot(home, copies / "after_other_year.duckdb")
    waiting.append(pending_years.read(home.warehouse)["years"])
    with build_sensor_context(
        resources={"home": DistrictwideHome(root=str(root))}, instance=DagsterInstance.ephemeral()
    ) as context:
        backfill_asked = older_years_backfill(context)
    load(home, [2025])
    backfilled = snapshot(home, copies / "backfilled.duckdb")
    waiting.append(pending_years.read(home.warehouse)["years"])
    increments.forget(home)  # a build of every year, not the (empty) merge of nothing new
    load(home)
    whole = snapshot(home, copies / "whole.duckdb")
    waiting.append(pending_years.read(home.warehouse)["years"])
    counts = json.loads((root / "truth" / "counts.json").read_text())
    return Redelivery(
        District(home, counts), after_other_year, backfilled, whole, waiting, backfill_asked
    )


def test_the_redelivered_year_waits_for_the_backfill_the_sensor_asks_for(
    redelivery: Redelivery,
) -> None:
    """The build naming 2026 staged 2025's files and left 2025 waiting; the sensor asks for
    2025 and the year after it, rebuilt; the backfill of 2025 and the whole build leave none."""
    assert redelivery.waiting == [[2025], [], []]
    asked = redelivery.backfill_asked
    assert isinstance(asked, RunRequest)
    assert range_tags(2025, 2026).items() <= asked.tags.items()
    assert asked.tags[REBUILD_TAG] == "true"


def loads_and_rows(warehouse: Path, table: str) -> tuple[set[int], int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loads = {
            load for (load,) in con.execute(f"select distinct _load_id from {table}").fetchall()
        }
        return loads, con.execute(f"select count(*) from {table}").fetchone()[0]


@pytest.mark.parametrize("table", ["base_attendance__exceptions", "base_assessment__state_results"])
def test_a_build_of_another_year_stages_the_new_delivery_whole(
    redelivery: Redelivery, table: str
) -> None:
    """After the build naming 2026: the table holds the loads in effect and no other, a row for
    every raw row of them (the whole build's rows from the same files: same loads, same count)."""
    after = loads_and_rows(warehouse_of(redelivery.after_other_year), f"staging.{table}")
    whole = loads_and_rows(warehouse_of(redelivery.whole), f"staging.{table}")
    assert after == whole


@pytest.mark.parametrize("source", ["attendance", "assessment"])
def test_raw_rows_equal_staged_plus_quarantined_after_the_redelivery(
    redelivery: Redelivery, source: str
) -> None:
    test_consolidated_load.test_raw_rows_equal_staged_plus_quarantined(redelivery.district, source)


def test_the_backfill_of_the_redelivered_year_equals_a_whole_build(redelivery: Redelivery) -> None:
    """The year's mart rows and every staged row. (The next year's change-from-prior columns
    wait for that year's build: docs/architecture.md, step 9.)"""
    marts = {
        table: differences(redelivery.backfilled, redelivery.whole, table, "school_year = 2025")
        for table in by_school_year_marts()
    }
    staged = {
        table: differences(
            warehouse_of(redelivery.backfilled), warehouse_of(redelivery.whole), table, "true"
        )
        for table in by_school_year_models(marts=False)
    }
    assert marts == {table: (0, 0) for table in marts}
    assert staged == {table: (0, 0) for table in staged}
