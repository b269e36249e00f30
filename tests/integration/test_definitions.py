"""The Dagster code location loads whole: landed tables, dbt models, job, schedule, sensor."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dagster import (
    AssetKey,
    DagsterInstance,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SkipReason,
    build_schedule_context,
    build_sensor_context,
    instance_for_test,
)

from connectors import datalock
from connectors.tables import RAW_TABLES
from orchestration.defs.dbt.school_years import (
    PARTITIONS_NAME,
    REBUILD_TAG,
    range_tags,
    recent_years,
)
from orchestration.instance import instance_yaml
from orchestration.resources import DistrictwideHome


@pytest.fixture(scope="module")
def defs():
    from orchestration.definitions import defs

    return defs()


def test_asset_graph_has_every_raw_table_and_mart(defs) -> None:
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    for spec in RAW_TABLES:
        assert AssetKey(["raw", spec.source, spec.entity]) in keys
        assert AssetKey(["raw", spec.source, f"{spec.entity}__rejects"]) in keys
    for mart in (
        "dim_student",
        "dim_school",
        "dim_teacher",
        "dim_section",
        "dim_calendar",
        "fct_enrollment",
        "fct_section_enrollment",
        "fct_attendance_daily",
        "fct_assessment_result",
    ):
        assert AssetKey(["marts", mart]) in keys


def test_staging_models_depend_on_their_raw_asset(defs) -> None:
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey(["staging", "base_attendance__exceptions"])).parent_keys
    assert AssetKey(["raw", "attendance", "exceptions"]) in parents


def test_job_schedule_and_sensor(defs) -> None:
    assert defs.resolve_job_def("consolidated_load")
    schedule = defs.resolve_schedule_def("nightly_consolidated_load")
    assert schedule.cron_schedule == "0 2 * * *"
    # The daemon runs the load in one process (one import of the code location, not one a step).
    assert defs.resolve_job_def("consolidated_load").executor_def.name == "in_process"
    assert defs.resolve_sensor_def("landing_sensor")


def test_the_nightly_run_builds_the_current_and_the_last_school_year(defs, tmp_path: Path) -> None:
    """The year just ended too: its state results arrive in the fall of the next."""
    schedule = defs.resolve_schedule_def("nightly_consolidated_load")
    home = DistrictwideHome(root=str(tmp_path))
    # A schedule's context needs a persistent instance.
    with (
        instance_for_test() as instance,
        build_schedule_context(
            instance=instance,
            scheduled_execution_time=datetime(2026, 9, 2, 2, tzinfo=UTC),
            resources={"home": home},
            repository_def=defs.get_repository_def(),
        ) as context,
    ):
        [request] = schedule.evaluate_tick(context).run_requests
        assert range_tags(2026, 2027).items() <= request.tags.items()
        assert REBUILD_TAG not in request.tags  # a nightly run may merge increments
        assert instance.get_dynamic_partitions(PARTITIONS_NAME) == ["2026", "2027"]


def test_the_schedule_and_the_steward_alerts_are_on_by_default(defs) -> None:
    """A daemon started on a fresh data folder loads nightly, emails the stewards and backfills
    an older school year a load staged, unasked."""
    schedule = defs.resolve_schedule_def("nightly_consolidated_load")
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    for name in ("steward_alerts_on_success", "steward_alerts_on_failure", "older_years_backfill"):
        assert defs.resolve_sensor_def(name).default_status == DefaultSensorStatus.RUNNING


def test_sensor_requests_one_run_per_new_delivery(defs, tmp_path: Path) -> None:
    sensor = defs.resolve_sensor_def("landing_sensor")
    home = DistrictwideHome(root=str(tmp_path))
    # A context manager: the home resource has a set-up and tear-down (the data folder's lock,
    # taken for runs only; a sensor takes none).
    instance = DagsterInstance.ephemeral()
    with build_sensor_context(resources={"home": home}, instance=instance) as context:
        assert isinstance(sensor(context), SkipReason)

        drop = tmp_path / "landing" / "attendance" / "attendance_exceptions_2025-2026.csv"
        drop.parent.mkdir(parents=True)
        drop.write_text("StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\n")
        request = sensor(context)
        assert isinstance(request, RunRequest)
        # The marts of the current school year and the one just ended
        # (orchestration/defs/dbt/school_years.py).
        first, last = recent_years()
        assert range_tags(first, last).items() <= request.tags.items()
        assert instance.get_dynamic_partitions(PARTITIONS_NAME) == [str(first), str(last)]
        assert (
            "attendance/attendance_exceptions_2025-2026.csv"
            in request.tags["districtwide/new_files"]
        )
        # No run, no lock: a backup could have the folder alone meanwhile.
        with datalock.quiescent(tmp_path, timeout=0):
            pass

    with build_sensor_context(
        cursor=context.cursor, resources={"home": home}, instance=instance
    ) as again:
        assert isinstance(sensor(again), SkipReason)


def test_the_ui_serves_the_whole_asset_graph(tmp_path: Path) -> None:
    """What `make dev` shows: the webserver loads workspace.yaml and lists every asset, no error."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "DISTRICTWIDE_HOME": str(tmp_path)}
    # The instance `make dev` configures (its event log storage is ours).
    (tmp_path / "dagster.yaml").write_text(instance_yaml("sqlite"))
    webserver = Path(sys.executable).with_name("dagster-webserver")
    proc = subprocess.Popen(
        [str(webserver), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    query = """{ workspaceOrError { ... on Workspace { locationEntries {
        locationOrLoadError { __typename ... on PythonError { message } } } } }
        assetNodes { assetKey { path } } }"""
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                body = requests.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=10
                ).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the Dagster UI did not start"
                time.sleep(1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    [entry] = body["data"]["workspaceOrError"]["locationEntries"]
    assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    keys = {"/".join(node["assetKey"]["path"]) for node in body["data"]["assetNodes"]}
    assert "marts/fct_attendance_daily" in keys and "raw/sis/users" in keys
    assert "serving/marts" in keys
