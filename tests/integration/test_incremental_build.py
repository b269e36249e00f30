"""The incremental build against the real MariaDB: after a full load, one new school day, then
updates of earlier days, then a deletion are pulled as they happen and merged (or rebuilt, after
the deletion); every served mart then equals, row for row, a rebuild from scratch of the same
database in a fresh data folder (issue 19, point 4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from connectors import increments
from connectors.home import Home
from devtools.bench_incremental import add_the_day, hold_back_last_day
from tests.integration.test_database_sources import (  # noqa: F401 (fixtures)
    database_definitions,
    databases,
    execute,
    generated,
)

pytestmark = [pytest.mark.integration, pytest.mark.mariadb, pytest.mark.postgres]


def load(home: Home) -> str:
    """The consolidated load; its run id."""
    from dagster import DagsterInstance

    from districtwide.running import run_consolidated_load

    result = run_consolidated_load(DagsterInstance.ephemeral())
    failed = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, failed
    return result.run_id


def checked_at(home: Home, run_id: str) -> dict[str, object]:
    """When each suite reported by the run was checked (its quality history)."""
    path = home.raw / "_quality" / f"{run_id}.parquet"
    rows = duckdb.sql(f"select suite, min(checked_at) from read_parquet('{path}') group by 1")
    return dict(rows.fetchall())


def plan_of_last_build(home: Home) -> dict:
    return json.loads(increments.record_path(home).read_text())


# What legitimately differs between two data folders loading the same data: a result's key
# carries its load id, each folder has its own quality-run history, and the merging folder has
# quarantined the superseded versions of the corrected rows; the "data as of" line holds each
# folder's own load times.
NOT_COMPARED = {"rpt_quality_checks_by_run"}
COMPARED_AS = {
    "rpt_data_as_of": "select * exclude (last_loaded_at) from marts.{name}",
    "fct_assessment_result": "select * exclude (assessment_result_key) from marts.{name}",
    "rpt_quarantine_by_reason": "select * exclude (quarantine_by_reason_key) from marts.{name} "
    "where reason <> 'superseded by a newer pull'",
}


def served_marts(home: Home) -> dict[str, list[tuple]]:
    """Every served table and view of the marts schema, its rows sorted."""
    with duckdb.connect(str(home.serving), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "order by 1"
            ).fetchall()
            if r[0] not in NOT_COMPARED
        ]
        return {
            name: con.execute(
                COMPARED_AS.get(name, "select * from marts.{name}").format(name=f'"{name}"')
                + " order by all"
            ).fetchall()
            for name in names
        }


def raw_accounted(home: Home) -> tuple[int, int]:
    """(raw exception rows in effect, staged + quarantined rows): equal when nothing is lost."""
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "select (select count(*) from staging.base_attendance__exceptions), "
            "(select count(*) from staging.stg_attendance__exceptions) + "
            "(select count(*) from staging.base_attendance__exceptions "
            "where _quarantine_reason is not null)"
        ).fetchone()


def test_one_day_updates_and_a_deletion_merged_equal_a_rebuild_from_scratch(
    databases: tuple[str, str],  # noqa: F811 (the fixture imported above)
    generated: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_definitions: None,  # noqa: F811
) -> None:
    maria, _ = databases
    held = hold_back_last_day(maria)
    assert held > 0

    def home_from(name: str) -> Home:
        shutil.copytree(generated, tmp_path / name)
        home = Home(tmp_path / name).ensure()
        shutil.rmtree(home.landing / "attendance")
        monkeypatch.setenv("DISTRICTWIDE_HOME", str(home.root))
        return home

    monkeypatch.setenv("DISTRICTWIDE_ATTENDANCE_DB_URL", maria)
    monkeypatch.setenv("DISTRICTWIDE_DATABASE_KEY_CHECK_DAYS", "0")
    home = home_from("incremental")
    first_run = load(home)
    assert plan_of_last_build(home)["full_refresh"]

    # One new school day: pulled as an increment, merged.
    add_the_day(maria)
    merge_run = load(home)
    built = plan_of_last_build(home)
    assert not built["full_refresh"] and len(built["new_loads"]) == 1
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        added = con.execute(
            "select count(*) from staging.base_attendance__exceptions where _load_id = ?",
            built["new_loads"],
        ).fetchone()[0]
    assert 0 < added <= held
    # Only the models downstream of the attendance exceptions were built.
    results = json.loads((home.root / "dbt_target" / "run_results.json").read_text())
    built_models = {r["unique_id"].split(".")[-1] for r in results["results"]}
    assert "fct_attendance_exception_day" in built_models
    assert "base_sis__users" not in built_models
    # Its views were not created again, but their data tests ran.
    assert "rpt_attendance_by_month" not in built_models
    tests_run = {r["unique_id"].split(".")[2] for r in results["results"]}
    assert "not_null_rpt_attendance_by_month_school_id" in tests_run
    # Every suite is reported; those reading only tables the merge left as they were kept the
    # first load's result, the others (and any reading the load audit) ran again.
    first, merged = checked_at(home, first_run), checked_at(home, merge_run)
    assert set(merged) == set(first)
    assert merged["stg_sis__users"] == first["stg_sis__users"]
    for suite in ("fct_attendance_exception_day", "quarantine_attendance", "sis_file_loads"):
        assert merged[suite] > first[suite], suite

    # Earlier days corrected: one row's code changed, another's minutes; merged again.
    engine = sa.create_engine(maria)
    with engine.connect() as db:
        first, second = [
            r[0] for r in db.exec_driver_sql("select ID from ATTENDANCE order by ID limit 2")
        ]
        other_code = db.exec_driver_sql(
            "select c.ID from ATTENDANCE_CODE c join ATTENDANCE a on a.ID = %s "
            "where c.SchoolID = a.SchoolID and c.YearID = a.YearID "
            "and c.ID <> a.Attendance_CodeID order by c.ID limit 1",
            (first,),
        ).scalar()
    engine.dispose()
    execute(
        maria,
        f"update ATTENDANCE set Attendance_CodeID = {other_code}, "
        f"WhenModified = '2026-07-02 02:00:00' where ID = {first}",
        f"update ATTENDANCE set Total_Minutes = 11, WhenModified = '2026-07-02 02:00:00' "
        f"where ID = {second}",
    )
    load(home)
    built = plan_of_last_build(home)
    assert not built["full_refresh"] and len(built["new_loads"]) == 1
    rows, accounted = raw_accounted(home)
    assert rows == accounted
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        superseded = con.execute(
            "select count(*) from staging.base_attendance__exceptions "
            "where _quarantine_reason = 'superseded by a newer pull'"
        ).fetchone()[0]
    assert superseded == 2

    incremental_marts = served_marts(home)

    # The same database, loaded once into a fresh data folder: the same marts.
    scratch = home_from("rebuild")
    load(scratch)
    assert plan_of_last_build(scratch)["full_refresh"]
    rebuilt = served_marts(scratch)
    assert set(incremental_marts) == set(rebuilt)
    for name, rows in rebuilt.items():
        assert incremental_marts[name] == rows, name

    # A deletion (found by the key comparison) loads the feed whole: a full rebuild.
    execute(maria, f"delete from ATTENDANCE where ID = {second}")
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(home.root))
    load(home)
    built = plan_of_last_build(home)
    assert built["full_refresh"]
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(scratch.root))
    load(scratch)
    after_delete = served_marts(scratch)
    assert served_marts(home) == after_delete
    assert after_delete != rebuilt  # the deleted exception is gone from the facts
