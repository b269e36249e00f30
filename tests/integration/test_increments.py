"""The build plan: a merge only when new attendance increments are the one change since the last
finished build; a full refresh otherwise (connectors/increments.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from connectors import increments
from connectors.home import Home
from connectors.landing import write_audit

pytestmark = pytest.mark.integration

VARS = '{"min_cell_size": 10}'


def loaded(home: Home, load_id: str, raw_table: str, source_file: str, status: str = "loaded"):
    write_audit(
        home,
        {"load_id": load_id, "raw_table": raw_table, "source_file": source_file, "status": status},
    )


def manifest(tmp_path: Path, checksum: str = "a") -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {"model.x.m": {"checksum": {"checksum": checksum}}}}))
    return path


def finished_build(home: Home, models: Path) -> increments.BuildPlan:
    """Plan a build, 'run' it (the warehouse file exists) and record it."""
    built = increments.plan(home, VARS, models)
    home.warehouse.parent.mkdir(parents=True, exist_ok=True)
    home.warehouse.touch()
    increments.remember(home, built)
    return built


def test_a_new_increment_alone_is_merged_anything_else_rebuilds(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    models = manifest(tmp_path)
    loaded(home, "20261201T000000Z-a", "attendance__exceptions", "powerschool:ATTENDANCE")
    loaded(home, "20261201T000001Z-b", "sis__users", "users.csv")
    first = finished_build(home, models)
    assert first.full_refresh and first.reason == "no record of a finished build"

    inc = "20261202T000000Z-c"
    loaded(home, inc, "attendance__exceptions", "powerschool:ATTENDANCE (increment 2026120202)")
    merge = increments.plan(home, VARS, models)
    assert not merge.full_refresh and merge.new_loads == [inc]
    assert merge.dbt_env() == {"DISTRICTWIDE_ATTENDANCE_NEW_LOADS": inc}
    assert first.dbt_env() == {"DISTRICTWIDE_ATTENDANCE_NEW_LOADS": ""}
    # dbt (in this process) reads them from the environment during the build, and only then.
    before = os.environ.get(increments.NEW_LOADS_ENV)
    with increments.merging(merge):
        assert os.environ[increments.NEW_LOADS_ENV] == inc
    assert os.environ.get(increments.NEW_LOADS_ENV) == before
    assert merge.downstream_of == tuple(f"source:{name}" for name in increments.DBT_SOURCES)
    finished_build(home, models)
    # Nothing new: still a merge, of nothing.
    assert increments.plan(home, VARS, models).new_loads == []

    # A setting, a model or another source changed: a full refresh.
    assert increments.plan(home, '{"min_cell_size": 5}', models).full_refresh
    assert increments.plan(home, VARS, manifest(tmp_path, "b")).full_refresh
    loaded(home, "20261203T000000Z-d", "sis__users", "users.csv")
    assert increments.plan(home, VARS, models).full_refresh


def test_a_retracted_increment_or_an_unfinished_build_rebuilds(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    models = manifest(tmp_path)
    loaded(home, "20261201T000000Z-a", "attendance__exceptions", "powerschool:ATTENDANCE")
    finished_build(home, models)
    inc = "20261202T000000Z-c"
    name = "powerschool:ATTENDANCE (increment 2026120202)"
    loaded(home, inc, "attendance__exceptions", name)
    finished_build(home, models)
    loaded(home, inc, "attendance__exceptions", name, status="retracted")
    assert increments.plan(home, VARS, models).reason == (
        "a merged attendance increment was retracted"
    )
    # A build that started (the record removed) and never finished.
    increments.forget(home)
    assert increments.plan(home, VARS, models).full_refresh


def sources_manifest(tmp_path: Path, checksum: str = "a") -> Path:
    """A manifest with the dbt sources of two raw tables, as a year build reads it."""
    path = manifest(tmp_path, checksum)
    graph = json.loads(path.read_text())
    names = ("raw_sis.users", "raw_sis.users__rejects", "raw_attendance.exceptions")
    graph["sources"] = {f"source.x.{name}": {} for name in names}
    graph["metadata"] = {"project_name": "x"}
    graph["nodes"]["model.x.m"]["tags"] = ["by_school_year"]
    graph["child_map"] = {}
    path.write_text(json.dumps(graph))
    return path


def test_a_year_build_keeps_the_models_whose_raw_tables_did_not_change(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    models = sources_manifest(tmp_path)
    loaded(home, "20261201T000000Z-a", "attendance__exceptions", "exceptions.csv")
    loaded(home, "20261201T000001Z-b", "sis__users", "users.csv")
    finished_build(home, models)

    def year_build(dbt_vars: str = VARS) -> increments.BuildPlan:
        asked = increments.rebuild(increments.plan(home, dbt_vars, models), "years named")
        return increments.for_school_years(home, asked, models)

    # Nothing changed (a file no layout recognized feeds no raw table): the year-dependent
    # models alone, and every year stays current.
    write_audit(home, {"load_id": "20261201T000002Z-u", "source_file": "notes.txt"})
    finished_build(home, models)
    same = year_build()
    assert same.full_refresh and same.downstream_of == (increments.YEAR_MODELS,)
    assert same.every_year_current
    # A SIS delivery: its models too (and its rejects'); the other years are now stale.
    loaded(home, "20261202T000000Z-c", "sis__users", "users.csv")
    sis = year_build()
    assert sis.downstream_of == (
        increments.YEAR_MODELS,
        "source:raw_sis.users",
        "source:raw_sis.users__rejects",
    )
    assert not sis.every_year_current
    graph = json.loads(models.read_text())
    assert increments.downstream_nodes(graph, sis.downstream_of) == {"model.x.m"}
    # A setting changed, or no record of a finished build: every model.
    assert year_build('{"min_cell_size": 5}').downstream_of is None
    increments.forget(home)
    assert year_build().downstream_of is None


def test_a_year_build_builds_every_model_after_a_table_no_source_reads(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    models = sources_manifest(tmp_path)
    loaded(home, "20261201T000000Z-a", "sis__users", "users.csv")
    finished_build(home, models)
    loaded(home, "20261202T000000Z-b", "sis__orgs", "orgs.csv")
    asked = increments.plan(home, VARS, models)
    assert increments.for_school_years(home, asked, models).downstream_of is None
