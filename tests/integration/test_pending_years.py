"""Older school years a build staged new rows of (connectors/pending_years.py), and the sensor
that backfills them (orchestration/defs/dbt/backfill_sensor.py)."""

from __future__ import annotations

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
from orchestration.defs.dbt.backfill_sensor import OLDER_YEARS_TAG, older_years_backfill
from orchestration.defs.dbt.school_years import PARTITIONS_NAME, REBUILD_TAG, range_tags
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


def test_the_years_of_loads_staged_by_the_build(tmp_path: Path) -> None:
    warehouse = warehouse_with(
        tmp_path / "warehouse.duckdb",
        {"staging.base_assessment__state_results": [("a", 2025), ("a", 2025)]},
    )
    before = pending_years.staged_loads(warehouse)
    assert before == {"staging.base_assessment__state_results": ["a"]}
    warehouse_with(
        warehouse,
        {
            # A file of 2024 again (load c replaces a), one of 2026, and a row of no year.
            "staging.base_assessment__state_results": [("c", 2024), ("d", 2026), ("d", None)],
            # A table the build made for the first time: every load of it is new.
            "staging.base_attendance__exceptions": [("e", 2025)],
        },
    )
    assert pending_years.years_of_new_loads(warehouse, before) == {2024, 2025, 2026}
    assert pending_years.staged_loads(tmp_path / "missing.duckdb") == {}


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
    # A backfill of 2023 alone leaves 2024.
    assert pending_years.update(warehouse, [2023], every_year=False) == [2024]
    # A build of every year leaves none.
    assert pending_years.update(warehouse, None, every_year=True) == []
    assert pending_years.read(warehouse)["years"] == []


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
