"""dbt in the Dagster step: the run's subset only, results as Dagster events, DuckDB closed."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, materialize

from connectors.home import Home
from orchestration.defs.dbt import runner as dbt_runner
from orchestration.defs.dbt.assets import districtwide_dbt_models
from orchestration.defs.dbt.school_years import run_tags
from orchestration.resources import DistrictwideHome, build_resources

pytestmark = pytest.mark.integration

CODES = AssetKey(["crosswalks", "attendance_codes"])
LIMITS = (
    "select name, value from duckdb_settings() "
    "where name in ('memory_limit', 'preserve_insertion_order', 'max_vacuum_tasks')"
)


def build(home: Home, *selection: AssetKey):
    instance = DagsterInstance.ephemeral()
    return materialize(
        [districtwide_dbt_models],
        selection=list(selection),
        resources={
            "dbt": build_resources()["dbt"],
            "home": DistrictwideHome(root=str(home.root)),
        },
        instance=instance,
        raise_on_error=False,
        # Every school year (orchestration/defs/dbt/school_years.py).
        tags=run_tags(instance, home, None),
    )


def test_a_subset_is_built_in_process_and_reported_node_by_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    monkeypatch.setenv("DISTRICTWIDE_DUCKDB_MEMORY", "700MB")
    home = Home(tmp_path).ensure()
    in_build: dict[str, str] = {}

    def read_settings_then_close() -> None:
        """dbt's database, as its last model saw it (profiles.yml `config_options`)."""
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        with DuckDBConnectionManager._ENV.conn.cursor() as cursor:
            in_build.update(cursor.execute(LIMITS).fetchall())
        close()

    close = dbt_runner._close_duckdb
    monkeypatch.setattr(dbt_runner, "_close_duckdb", read_settings_then_close)

    result = build(home, CODES)

    assert result.success
    with duckdb.connect(config={"memory_limit": "700MB"}) as con:
        expected = dict(con.execute(LIMITS).fetchall()) | {
            "preserve_insertion_order": "false",
            "max_vacuum_tasks": "0",
        }
    assert in_build == expected
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {CODES}
    checks = {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks and all(checks.values()), checks  # the model's own dbt tests ran, and passed
    assert (tmp_path / "dbt_target" / "run_results.json").is_file()
    # dbt-duckdb's handle is closed: the file opens again with other settings in this process.
    with duckdb.connect(str(home.warehouse), config={"memory_limit": "256MB"}) as con:
        assert con.execute("select count(*) from crosswalks.attendance_codes").fetchone()[0] > 0


def test_a_second_build_writes_its_sql_as_new_files_and_deletes_the_first_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    home = Home(tmp_path).ensure()
    target = tmp_path / "dbt_target"
    assert build(home, CODES).success
    compiled = sorted(target.glob("compiled/**/attendance_codes.sql"))
    assert compiled
    first = {path: path.stat().st_ino for path in compiled}

    assert build(home, CODES).success

    for thread in threading.enumerate():
        if thread.name == "dbt-stale-sql":
            thread.join(timeout=30)
    # The same files again, each a new file (not the first build's truncated), and the first
    # build's folders gone.
    assert {path: path.stat().st_ino for path in compiled}.keys() == first.keys()
    assert all(path.stat().st_ino != inode for path, inode in first.items())
    assert sorted(target.glob("run/**/attendance_codes.sql"))
    assert not list(target.glob(f"{dbt_runner.STALE_PREFIX}*"))


def test_a_failed_node_fails_the_step_naming_the_node_not_quoting_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISTRICTWIDE_HOME", str(tmp_path))
    home = Home(tmp_path).ensure()
    build(home, CODES)  # lays out the raw tables' zero-row files
    # A raw file DuckDB cannot read: the model reading it errors (with the file's bytes quoted).
    (home.raw / "sis" / "orgs" / "broken.parquet").write_text("Smith,Jane,2011-04-02\n")

    result = build(home, AssetKey(["staging", "base_sis__orgs"]))

    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.event_specific_data.error.message
    assert "failed (1 nodes: model.districtwide.base_sis__orgs)" in message
    assert "dbt's messages are in the run's log" in message
    assert "Smith" not in message and "broken.parquet" not in message
