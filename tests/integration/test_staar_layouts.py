"""Texas STAAR fixed-width files through landing and staging: Education Analytics' anonymized real
grades 3-8 file (tests/fixtures/public_samples/earthmover_edfi_bundles/) loads row for row as the
bundle's own CSV conversion reads it; a record cut short is rejected with its line number; the
synthetic end-of-course file stages with TEA's levels, Meets and Masters proficient."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from connectors.check import check_paths
from connectors.home import Home
from connectors.layout import load_layouts
from connectors.load import load_landing
from tests.fixtures.dbt import stage_assessment, write_school_crosswalk

pytestmark = pytest.mark.integration

PUBLIC = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "public_samples"
    / "earthmover_edfi_bundles"
    / "STAAR_Summative"
)
EOC = Path(__file__).resolve().parents[1] / "fixtures" / "layouts" / "staar_eoc_student_data"
SUBJECTS = {
    "STAAR Reading Language Arts": "reading_language_arts",
    "STAAR Mathematics": "mathematics",
}


def land(home: Home, *files: tuple[Path, str]) -> Home:
    home.ensure()
    (home.landing / "assessment").mkdir(parents=True, exist_ok=True)
    for path, name in files:
        shutil.copy(path, home.landing / "assessment" / name)
    return home


def raw_rows(home: Home, folder: str = "state_results") -> list[dict]:
    with duckdb.connect() as con:
        cursor = con.execute(
            f"select * from read_parquet('{home.raw}/assessment/{folder}/*.parquet') order by all"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_ea_sample_loads_row_for_row_as_the_bundle_converts_it(tmp_path: Path) -> None:
    home = land(Home(tmp_path), (PUBLIC / "sample_anonymized_file.txt", "staar_0523.txt"))

    run = load_landing(home, tables=["assessment__state_results"])

    [record] = run.tables["assessment__state_results"].loaded
    assert record["layout"] == "staar_3_8_student_data"
    assert (record["rows_parsed"], record["rows_rejected"]) == (20, 0)
    assert record["rows_total"] == record["rows_parsed"] + record["rows_rejected"]
    got = raw_rows(home)
    assert len(got) == 20  # ten students, RLA and mathematics each (no social studies, science)
    with (PUBLIC / "sample_anonymized_file.csv").open(encoding="utf-8", newline="") as handle:
        bundle = list(csv.DictReader(handle))
    assert len(bundle) == 10
    for line, want in enumerate(bundle, start=1):
        mine = [row for row in got if row["_line_number"] == line]
        assert sorted(row["Subject"] for row in mine) == sorted(SUBJECTS)
        for row in mine:
            subject = SUBJECTS[row["Subject"]]
            birth = want["date_of_birth"]
            assert row["SchoolYear"] == "20" + want["administration_date"][2:]
            assert row["TestedGrade"] == want["grade_level_tested"]
            assert row["SchoolCode"] == want["county_district_campus_number"]
            assert row["DistrictCode"] == want["county_district_campus_number"][:6]
            assert row["SchoolName"] == want["campus_name"]
            assert (row["LastName"], row["FirstName"]) == (want["last_name"], want["first_name"])
            assert row["BirthDate"] == f"{birth[4:]}-{birth[:2]}-{birth[2:4]}"
            assert row["SASID"] == want["tx_unique_student_id"]
            assert row["LocalID"] == want["local_student_id"]
            assert row["NotTestedCode"] == want[f"score_code_{subject}"]
            assert row["ScaleScore"] == want[f"{subject}_scale_score"]
            flags = "".join(
                want[f"{level}_grade_level_in_{subject}"]
                for level in ("meets", "approaches", "masters")
            )
            assert row["AchievementLevel"] == flags


def test_a_record_cut_short_is_rejected_with_its_line_number(tmp_path: Path) -> None:
    lines = (PUBLIC / "sample_anonymized_file.txt").read_bytes().split(b"\r\n")
    lines[3] = lines[3][:1500]  # line 4 cut inside the mathematics fields
    lines[6] = lines[6] + b"X" * 5  # line 7 runs past TEA's 4,000 characters
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"\r\n".join(lines))
    home = land(Home(tmp_path / "home"), (broken, "staar_broken.txt"))

    run = load_landing(home, tables=["assessment__state_results"])

    [record] = run.tables["assessment__state_results"].loaded
    assert (record["rows_parsed"], record["rows_rejected"]) == (16, 2)
    rejects = raw_rows(home, "state_results__rejects")
    assert [(r["_line_number"], r["_error_type"]) for r in rejects] == [
        (4, "MISSING COLUMNS"),
        (7, "TOO MANY COLUMNS"),
    ]
    assert "1500 characters long" in rejects[0]["_error"]
    assert rejects[0]["_raw_line"] == lines[3].decode()
    assert {r["_line_number"] for r in raw_rows(home)} == set(range(1, 11)) - {4, 7}


def test_a_file_cut_in_its_last_record_is_set_aside(tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt"
    cut.write_bytes((PUBLIC / "sample_anonymized_file.txt").read_bytes()[:-2000])
    home = land(Home(tmp_path / "home"), (cut, "staar_cut.txt"))

    run = load_landing(home, tables=["assessment__state_results"])

    [failed] = run.tables["assessment__state_results"].failed
    assert "line 10: truncated" in failed["error"]
    assert not list((home.raw / "assessment" / "state_results").glob("2*.parquet"))


def test_check_names_the_fixed_width_layout(tmp_path: Path) -> None:
    reports = check_paths([PUBLIC / "sample_anonymized_file.txt"], load_layouts())

    [report] = reports
    assert report.layout == "staar_3_8_student_data"
    assert "fixed-width" in report.lines()[0]
    assert (report.rows, report.rejected) == (20, 0)


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Home:
    home = land(
        Home(tmp_path_factory.mktemp("staar")),
        (PUBLIC / "sample_anonymized_file.txt", "staar_0523.txt"),
        (EOC / "SYNTHETIC_EOC_0523.txt", "SYNTHETIC_EOC_0523.txt"),
    )
    write_school_crosswalk(home, "state_assessment", ["123456789", "999999101"])
    stage_assessment(home)
    return home


def rows(home: Home, sql: str) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_staar_rows_stage_with_tea_levels_and_meets_proficient(staged: Home) -> None:
    got = rows(
        staged,
        "select _source_file, school_year, academic_subject, achievement_level, is_proficient, "
        "is_tested, not_tested_reason from staging.stg_assessment__state_results order by all",
    )
    sample = [r for r in got if r[0] == "staar_0523.txt"]
    assert len(sample) == 20
    assert {r[1] for r in got} == {2023}
    assert {r[3] for r in sample} == {"Approaches Grade Level", "Did Not Meet Grade Level"}
    assert all(r[4] is False for r in sample)
    eoc = {(r[2], r[3], r[4]) for r in got if r[0].startswith("SYNTHETIC_EOC")}
    assert ("Mathematics", "Meets Grade Level", True) in eoc
    assert ("English Language Arts", "Masters Grade Level", True) in eoc
    assert ("English Language Arts", "Did Not Meet Grade Level", False) in eoc
    reasons = dict(
        rows(
            staged,
            "select reason, count(*) from quarantine.quarantine_assessment "
            "where entity = 'state_results' and stage in ('parse', 'staging') group by all",
        )
    )
    assert reasons == {}, reasons
    assert ("Science", None, None, False, "Absent") in {r[2:] for r in got}  # Biology, absent
    assert ("Social Studies", "Meets Grade Level", True, True, None) in {r[2:] for r in got}
    [(raw,)] = rows(
        staged,
        f"select count(*) from read_parquet('{staged.raw}/assessment/state_results/*.parquet')",
    )
    assert raw == len(got)


def test_a_windows_1252_file_keeps_its_positions(tmp_path: Path) -> None:
    """TEA's widths count bytes of a one-byte encoding: read as characters after transcoding, an
    accented name does not shift the fields after it."""
    text = (EOC / "SYNTHETIC_EOC_0523.txt").read_text(encoding="ascii")
    accented = tmp_path / "eoc_1252.txt"
    accented.write_bytes(text.replace("Testlast2      ", "Muñoz Peña     ").encode("cp1252"))
    home = land(Home(tmp_path / "home"), (accented, "eoc_1252.txt"))

    run = load_landing(home, tables=["assessment__state_results"])

    [record] = run.tables["assessment__state_results"].loaded
    assert (record["encoding"], record["rows_parsed"], record["rows_rejected"]) == (
        "cp1252",
        6,
        0,
    )
    [row] = [r for r in raw_rows(home) if r["_line_number"] == 2]
    assert (row["LastName"], row["FirstName"], row["ScaleScore"]) == (
        "Muñoz Peña",
        "Testfirst2",
        "3410",
    )
