"""JSON deliveries (an Ed-Fi API pull: a JSON array, or JSON Lines) through the landing load:
flattened to dotted columns, read by the same layout as the flattened CSV, and giving the same
raw rows; a file that is not JSON records is named, never half-read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from connectors.check import check_paths
from connectors.home import Home
from connectors.load import load_landing
from tests.fixtures.layout_samples import FIXTURES, LAYOUTS

pytestmark = pytest.mark.integration

EDFI = FIXTURES / "edfi_student_school_attendance_event"
CANONICAL = "StuNum, SchoolCode, AbsenceDate, AttCode, Minutes, Comment"


def raw_rows(home: Home, source_file: str) -> list[tuple]:
    glob = f"{home.raw}/attendance/exceptions/2*.parquet"
    return duckdb.sql(
        f"select {CANONICAL} from '{glob}' where _source_file = '{source_file}' order by all"
    ).fetchall()


def audit(home: Home) -> dict[str, tuple]:
    return {
        row[0]: row[1:]
        for row in duckdb.sql(
            "select source_path, status, layout, encoding, rows_total, rows_parsed, error "
            f"from read_parquet('{home.audit}/2*.parquet')"
        ).fetchall()
    }


def test_an_edfi_pull_as_json_lines_or_a_json_array_loads_as_its_flattened_csv(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path).ensure()
    folder = home.landing / "attendance"
    folder.mkdir(parents=True)
    shutil.copy(EDFI / "studentSchoolAttendanceEvents.csv", folder / "events.csv")
    shutil.copy(EDFI / "studentSchoolAttendanceEvents.jsonl", folder / "events.jsonl")
    records = [json.loads(line) for line in (EDFI / "studentSchoolAttendanceEvents.jsonl").open()]
    # The API's own answer: one JSON array, on one line, with a list field the layout ignores.
    records[0]["_ext"] = {"tags": ["a", "b"]}
    (folder / "events.json").write_text(json.dumps(records), encoding="utf-8")

    run = load_landing(home, workers=1)

    assert run.unrecognized == []
    found = audit(home)
    for name in ("events.csv", "events.jsonl", "events.json"):
        status, layout, _, total, parsed, error = found[f"attendance/{name}"]
        assert (status, layout, error) == ("loaded", "edfi_student_school_attendance_event", None)
        assert total == parsed == len(records)
    assert found["attendance/events.json"][2] == "json"
    assert raw_rows(home, "events.jsonl") == raw_rows(home, "events.csv")
    assert raw_rows(home, "events.json") == raw_rows(home, "events.csv")
    # The archive keeps the JSON as delivered; no working copy is left behind.
    [(archived,)] = duckdb.sql(
        f"select archive_path from read_parquet('{home.audit}/2*.parquet') "
        "where source_path = 'attendance/events.json'"
    ).fetchall()
    assert json.loads(Path(archived).read_text(encoding="utf-8")) == records
    assert list(home.work.glob("*.csv")) == []


def test_a_json_file_that_is_not_records_is_named(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    folder = home.landing / "attendance"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text('[{"eventDate": "2026-10-06", ', encoding="utf-8")

    [report] = check_paths([folder / "broken.json"], LAYOUTS)
    assert "broken.json: line 1: not JSON records" in (report.problem or "")
    run = load_landing(home, workers=1)
    [seen] = run.unrecognized
    assert seen["source_path"] == "attendance/broken.json"
    assert "not JSON records" in seen["error"]
