"""The landing step in Dagster: every raw table its own asset, landed in parallel in one step;
a subset lands only what was selected; a bad file fails the step naming it, after the good
tables have landed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, materialize

from connectors.home import Home
from orchestration.defs.landing.assets import LANDING
from orchestration.resources import DistrictwideHome

pytestmark = pytest.mark.integration

ORGS = (
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "D001,active,2026-06-18,Maple Valley,district,0350,\n"
)
EXCEPTIONS = (
    "StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\r\n"
    "7000001,101,09/03/2025,A,,\r\n"
    "7000002,101,09/03/2025\r\n"
    "7000003,101,09/04/2025,A,,\r\n"
)


def drop(home: Home, source: str, name: str, text: str) -> None:
    path = home.landing / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def materialized(result) -> dict[AssetKey, dict]:
    return {
        event.asset_key: event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }


def run(tmp_path: Path, *keys: list[str]):
    return materialize(
        [LANDING],
        selection=[AssetKey(key) for key in keys],
        resources={"home": DistrictwideHome(root=str(tmp_path))},
        raise_on_error=False,
    )


def test_a_bad_file_is_set_aside_and_the_step_lands_the_rest(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    drop(home, "sis", "orgs.csv", ORGS)
    drop(home, "attendance", "attendance_exceptions_2025-2026.csv", EXCEPTIONS)
    drop(home, "sis", "users.csv", "sourcedId,role\n100001,student\n")  # most columns missing
    header = "StuNum,LastName,FirstName,BirthDate,Grade,SchoolCode,SisNumber,Stu_Num\n"
    drop(home, "attendance", "attendance_students.csv", header + "1,X,Y,01/02/2015,3,101,,1\n")

    result = run(
        tmp_path,
        ["raw", "sis", "orgs"],
        ["raw", "sis", "users"],
        ["raw", "attendance", "exceptions"],
        ["raw", "attendance", "exceptions__rejects"],
        ["raw", "attendance", "students"],
    )

    assert result.success
    done = materialized(result)
    assert set(done) == {
        AssetKey(["raw", "sis", "orgs"]),
        AssetKey(["raw", "sis", "users"]),
        AssetKey(["raw", "attendance", "exceptions"]),
        AssetKey(["raw", "attendance", "exceptions__rejects"]),
        AssetKey(["raw", "attendance", "students"]),
    }
    assert done[AssetKey(["raw", "attendance", "exceptions"])]["rows_parsed"].value == 2
    rejects = done[AssetKey(["raw", "attendance", "exceptions__rejects"])]
    assert rejects["rows_rejected_by_parser"].value == 1
    aside = done[AssetKey(["raw", "attendance", "students"])]["files_set_aside"].value
    assert list(aside) == ["attendance/attendance_students.csv"]
    assert "line 1, column 8" in aside["attendance/attendance_students.csv"]
    audit = {
        path: (status, error)
        for path, status, error in duckdb.sql(
            f"select source_path, status, error from read_parquet('{home.audit}/2*.parquet')"
        ).fetchall()
    }
    assert audit["sis/users.csv"][0] == "unrecognized"
    assert "oneroster_1_1_users lacks" in audit["sis/users.csv"][1]
    assert audit["attendance/attendance_students.csv"][0] == "failed"


def test_a_selected_table_lands_alone(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    drop(home, "sis", "orgs.csv", ORGS)
    drop(home, "attendance", "attendance_exceptions_2025-2026.csv", EXCEPTIONS)

    result = run(tmp_path, ["raw", "sis", "orgs"])

    assert result.success
    assert set(materialized(result)) == {AssetKey(["raw", "sis", "orgs"])}
    assert [p.name for p in (home.raw / "sis" / "orgs").glob("2*.parquet")]
    assert not (home.raw / "attendance" / "exceptions").exists()
    again = run(tmp_path, ["raw", "sis", "orgs"])
    metadata = materialized(again)[AssetKey(["raw", "sis", "orgs"])]
    assert metadata["files_skipped_already_loaded"].value == ["sis/orgs.csv"]


def test_an_unexpected_error_fails_the_step_naming_its_table_after_the_others_land(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path).ensure()
    drop(home, "sis", "orgs.csv", ORGS)
    drop(home, "attendance", "attendance_exceptions_2025-2026.csv", EXCEPTIONS)
    (home.raw / "sis").mkdir(parents=True)
    (home.raw / "sis" / "orgs").write_text("a file where the raw table's folder goes")

    result = run(tmp_path, ["raw", "sis", "orgs"], ["raw", "attendance", "exceptions"])

    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    error = failure.step_failure_data.error.cause  # Dagster wraps what the step raised
    assert error.cls_name in ("FileExistsError", "NotADirectoryError")
    assert "raised while landing raw table sis__orgs" in error.message
    assert set(materialized(result)) == {AssetKey(["raw", "attendance", "exceptions"])}
