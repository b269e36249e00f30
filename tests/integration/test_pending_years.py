"""Older school years a build staged new rows of (connectors/pending_years.py), and the sensor
that backfills them (orchestration/defs/dbt/backfill_sensor.py)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import duckdb
import pytest
from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    RunRequest,
    SkipReason,
    build_sensor_context,
)

from connectors import pending_years
from districtwide.summary import backfill_section
from orchestration.defs.dbt.backfill_sensor import OLDER_YEARS_TAG, older_years_backfill
from orchestration.defs.dbt.school_years import PARTITIONS_NAME, REBUILD_TAG, range_tags, register
from orchestration.resources import DistrictwideHome

pytestmark = pytest.mark.integration


def warehouse_with(path: Path, rows: dict[str, list[tuple[str, int | None]]]) -> Path:
    """A warehouse file whose staging tables hold (load, school year) rows, and the school years
    the sensor lists (intermediate.int_school_years)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists staging")
        con.execute("create schema if not exists intermediate")
        con.execute(
            "create or replace table intermediate.int_school_years as "
            "select unnest([2024, 2025, 2026]) as school_year"
        )
        for table, values in rows.items():
            column = pending_years.YEAR_COLUMNS[table]
            con.execute(f"create or replace table {table} (_load_id varchar, {column} integer)")
            con.executemany(f"insert into {table} values (?, ?)", values)
    return path


def test_the_years_whose_staged_rows_a_build_changed(tmp_path: Path) -> None:
    warehouse = warehouse_with(
        tmp_path / "warehouse.duckdb",
        {"staging.base_assessment__state_results": [("a", 2024), ("a", 2025), ("a", None)]},
    )
    before = pending_years.year_digests(warehouse)
    assert set(before["staging.base_assessment__state_results"]) == {2024, 2025}
    # The same rows delivered again (another load): no year changed.
    warehouse_with(
        warehouse, {"staging.base_assessment__state_results": [("b", 2024), ("b", 2025)]}
    )
    assert pending_years.changed_years(before, pending_years.year_digests(warehouse)) == set()
    # 2024's row delivered again, twice (a count), a row of 2026, and a table built for the
    # first time (every year it holds).
    warehouse_with(
        warehouse,
        {
            "staging.base_assessment__state_results": [("c", 2024), ("c", 2024), ("c", 2025)],
            "staging.base_attendance__exceptions": [("e", 2023)],
        },
    )
    after = pending_years.year_digests(warehouse)
    assert pending_years.changed_years(before, after) == {2023, 2024}
    assert pending_years.changed_years(after, {}) == {2023, 2024, 2025}
    # The built years left out.
    assert pending_years.year_digests(warehouse, [2024])[
        "staging.base_assessment__state_results"
    ].keys() == {2025}
    assert pending_years.year_digests(tmp_path / "missing.duckdb") == {}
    # A table of an earlier version, without its year column: left out (missing before a build
    # that builds it for every year).
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table staging.base_assessment__map_results (_load_id varchar)")
    assert "staging.base_assessment__map_results" not in pending_years.year_digests(warehouse)


def test_what_each_build_leaves_waiting(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    assert pending_years.read(warehouse) == {"years": [], "found_at": None}
    # A nightly build of 2025-2026 that staged a file of 2023 and one of 2026.
    assert pending_years.update(warehouse, [2025, 2026], every_year=False, found={2023, 2026}) == [
        2023
    ]
    found_at = pending_years.read(warehouse)["found_at"]
    assert found_at
    # An attendance merge builds no year: the year still waits.
    assert pending_years.update(warehouse, None, every_year=False) == [2023]
    # Another nightly finding 2024 too: both wait.
    assert pending_years.update(warehouse, [2025, 2026], every_year=False, found={2024}) == [
        2023,
        2024,
    ]
    # 2024 found again (a new correction while it waits): asked for again.
    before = pending_years.read(warehouse)["found_at"]
    time.sleep(1.1)
    pending_years.update(warehouse, [2025, 2026], every_year=False, found={2024})
    assert pending_years.read(warehouse)["found_at"] != before
    # A backfill of 2023 alone leaves 2024.
    assert pending_years.update(warehouse, [2023], every_year=False) == [2024]
    # A build of every year leaves none.
    assert pending_years.update(warehouse, None, every_year=True) == []
    assert pending_years.read(warehouse)["years"] == []


def test_a_year_build_with_other_settings_leaves_the_older_years_waiting(tmp_path: Path) -> None:
    """A crosswalk, setting or model changed, then a nightly year build: the years it did not
    build keep marts of the earlier settings until they are rebuilt, or the settings are back."""
    warehouse = tmp_path / "warehouse.duckdb"
    years = [2024, 2025, 2026]

    def build(built: list[int] | None, settings: str) -> list[int]:
        every = built is None
        return pending_years.update(
            warehouse, built, every_year=every, settings=settings, present=years
        )

    assert build(None, "S0") == []
    assert build([2026], "S0") == []  # the same settings: nothing
    assert build([2026], "S1") == [2024, 2025]
    asked = pending_years.read(warehouse)["found_at"]
    assert asked
    # The next nightly, the settings still new: still waiting, not asked for again.
    time.sleep(1.1)
    assert build([2025, 2026], "S1") == [2024]
    assert pending_years.read(warehouse)["found_at"] == asked
    # An attendance merge builds no year and changes no setting.
    assert pending_years.update(warehouse, None, every_year=False) == [2024]
    # A year waiting for its rows too stays after the settings are back; the settings' wait goes.
    pending_years.update(warehouse, [2026], every_year=False, found={2024}, settings="S1")
    assert build([2026], "S0") == [2024, 2025]  # 2025 was built with S1
    assert build([2025, 2026], "S0") == [2024]  # 2024's rows changed: it still waits
    assert build([2024, 2025, 2026], "S0") == []
    # A record written before `built_with` assumes nothing of the years it does not name.
    legacy = tmp_path / "legacy" / "warehouse.duckdb"
    legacy.parent.mkdir()
    pending_years.record_path(legacy).write_text('{"years": [2023], "found_at": null}')
    assert pending_years.update(
        legacy, [2026], every_year=False, settings="S1", present=[2023, 2024, 2026]
    ) == [2023]


def evaluate(home: DistrictwideHome, instance: DagsterInstance) -> RunRequest | SkipReason:
    with build_sensor_context(resources={"home": home}, instance=instance) as context:
        return older_years_backfill(context)


def test_the_sensor_backfills_the_waiting_years_and_those_after(tmp_path: Path) -> None:
    home = DistrictwideHome(root=str(tmp_path))
    warehouse = home.layout().warehouse
    instance = DagsterInstance.ephemeral()
    assert isinstance(evaluate(home, instance), SkipReason)

    warehouse_with(warehouse, {})
    pending_years.update(warehouse, [2026], every_year=False, found={2024})
    request = evaluate(home, instance)
    assert isinstance(request, RunRequest)
    assert range_tags(2024, 2026).items() <= request.tags.items()
    assert request.tags[REBUILD_TAG] == "true"
    assert request.tags[OLDER_YEARS_TAG] == "2024"
    assert instance.get_dynamic_partitions(PARTITIONS_NAME) == ["2024", "2025", "2026"]
    # Asked once per finding: the same key until a build finds a year again.
    assert evaluate(home, instance).run_key == request.run_key
    # The warehouse held by a load from a shell: up to the latest year the schedule listed.
    register(instance, [2027])
    with duckdb.connect(str(warehouse)):
        request = evaluate(home, instance)
    assert range_tags(2024, 2027).items() <= request.tags.items()


@pytest.mark.parametrize("status", [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED])
def test_the_sensor_waits_for_a_load_in_the_queue(tmp_path: Path, status) -> None:
    home = DistrictwideHome(root=str(tmp_path))
    warehouse = warehouse_with(home.layout().warehouse, {})
    pending_years.update(warehouse, [2026], every_year=False, found={2025})
    instance = DagsterInstance.ephemeral()
    run = DagsterRun(job_name="consolidated_load", run_id=str(uuid.uuid4()), status=status)
    instance.add_run(run)
    skipped = evaluate(home, instance)
    assert isinstance(skipped, SkipReason)
    assert run.run_id in str(skipped.skip_message)


def test_the_load_summary_names_the_years_waiting_and_the_command(tmp_path: Path) -> None:
    warehouse = warehouse_with(tmp_path / "warehouse.duckdb", {})
    assert backfill_section(warehouse) == ""
    pending_years.update(warehouse, [2026], every_year=False, found={2024})
    text = backfill_section(warehouse)
    assert "School years waiting for a backfill: 2024" in text
    assert "districtwide load --years 2024-2026" in text
