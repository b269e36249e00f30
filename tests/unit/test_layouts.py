"""Every shipped layout: valid, and its sample files recognized and loaded as delivered.

Samples live in tests/fixtures/layouts/<layout>/ (the OneRoster 1.1 export in `oneroster_1_1/`),
named as the vendor or state names its files; each layout file says where its header comes from
and the samples' licence (synthetic people in the published header).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from connectors.catalog import render
from connectors.check import check_paths
from connectors.home import Home
from connectors.layout import load_layout, load_layouts, normalize_name, strptime_format
from connectors.load import load_landing
from connectors.recognize import recognize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "layouts"
LAYOUTS = load_layouts()
BY_NAME = {layout.layout: layout for layout in LAYOUTS}


# OneRoster 1.2 files whose header differs from 1.1; its other files are read by the 1.1 layouts.
ONEROSTER_1_2_ONLY = {
    "users.csv": "oneroster_1_2_users",
    "roles.csv": "oneroster_1_2_roles",
    "userProfiles.csv": "oneroster_1_2_user_profiles",
}


def samples() -> list[tuple[str, Path]]:
    """(expected layout, file) for every sample file."""
    out = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix == ".jsonl":
                continue  # the API's JSON shape, kept for reference; layouts read delimited text
            if folder.name.startswith("oneroster_"):
                own = ONEROSTER_1_2_ONLY if folder.name == "oneroster_1_2" else {}
                expected = own.get(path.name) or next(
                    layout.layout
                    for layout in LAYOUTS
                    if layout.layout.startswith("oneroster_1_1_")
                    and layout.matches_file_name(path.name)
                    and recognize(path, path.name, [layout]).match
                )
            else:
                expected = folder.name
            out.append((expected, path))
    return out


def test_every_shipped_layout_is_valid_and_names_its_source() -> None:
    assert len(LAYOUTS) >= 20
    for layout in LAYOUTS:
        assert layout.reference.strip(), layout.layout
        assert layout.signature, f"{layout.layout}: a layout needs at least one required column"


@pytest.mark.parametrize(("expected", "path"), samples(), ids=lambda v: getattr(v, "name", v))
def test_each_sample_is_recognized_as_its_layout(expected: str, path: Path) -> None:
    seen = recognize(path, path.name, LAYOUTS)

    assert seen.match is not None, seen.explain(path.name)
    assert seen.match.layout.layout == expected
    assert seen.error is None


def test_samples_load_as_delivered_in_subfolders_and_zips(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    landing = home.landing / "from vendors"
    shutil.copytree(FIXTURES, landing)
    oneroster = landing / "oneroster_1_1"
    with zipfile.ZipFile(landing / "OneRoster_export.zip", "w") as archive:
        for path in oneroster.glob("*.csv"):
            archive.write(path, f"export/{path.name}")
    shutil.rmtree(oneroster)
    for jsonl in landing.rglob("*.jsonl"):
        jsonl.unlink()

    run = load_landing(home)

    assert run.unrecognized == []
    assert all(t.error is None and not t.failed for t in run.tables.values())
    layouts = duckdb.sql(
        f"select distinct layout from read_parquet('{home.audit}/2*.parquet') "
        "where status = 'loaded'"
    ).fetchall()
    assert {name for (name,) in layouts} == {expected for expected, _ in samples()}
    # Raw = parsed + rejected for every file, as the audit records it.
    totals = duckdb.sql(
        f"select sum(rows_total), sum(rows_parsed + rows_rejected) "
        f"from read_parquet('{home.audit}/2*.parquet') where status = 'loaded'"
    ).fetchall()[0]
    assert totals[0] == totals[1] and totals[0] > 0
    members = duckdb.sql(
        f"select source_path from read_parquet('{home.audit}/2*.parquet') "
        "where source_path like '%.zip/%' order by 1"
    ).fetchall()
    assert ("from vendors/OneRoster_export.zip/export/users.csv",) in members


def test_mcas_wide_rows_become_one_row_per_tested_subject(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    [sample] = (FIXTURES / "mcas_student_data").glob("*.csv")
    shutil.copy(sample, home.landing / sample.name)

    run = load_landing(home, {"assessment__state_results"})

    result = run.tables["assessment__state_results"]
    assert result.failed == [] and result.rows_parsed > 0
    rows = duckdb.sql(
        f"select Assessment, Subject, count(*) from read_parquet('{home.raw}/assessment/"
        "state_results/2*.parquet') group by all order by 2"
    ).fetchall()
    assert {subject for _, subject, _ in rows} <= {"ELA", "MATH", "SCI"}
    assert all(assessment == "MCAS" for assessment, _, _ in rows)
    lines = sample.read_text(encoding="utf-8-sig").count("\n") - 1
    assert result.rows_parsed > lines  # at least two subjects for some students


def test_caret_and_tab_delimiters_are_read() -> None:
    caaspp = next((FIXTURES / "caaspp_student_score_data").glob("*"))
    students = FIXTURES / "powerschool_students" / "student.export.text"

    assert recognize(caaspp, caaspp.name, LAYOUTS).match.delimiter == "^"
    assert recognize(students, students.name, LAYOUTS).match.delimiter == "\t"


def test_header_names_match_without_case_spaces_or_punctuation(tmp_path: Path) -> None:
    path = tmp_path / "EXCEPTIONS.TXT"
    path.write_text("stu num;SCHOOL_CODE;Absence Date;att-code\n1;101;09/03/2025;A\n")

    seen = recognize(path, path.name, LAYOUTS)

    assert seen.match.layout.layout == "districtwide_attendance_exceptions"
    assert seen.match.delimiter == ";"
    assert normalize_name(" Stu_Num ") == "stunum"


def test_an_unknown_file_names_the_closest_layouts_and_what_they_lack(tmp_path: Path) -> None:
    path = tmp_path / "StemPreparatory_AssessmentResults_Fall2020.csv"
    path.write_text("TermName,StudentID,SchoolName,Subject\nFall 2020-2021,1,X,Mathematics\n")

    seen = recognize(path, path.name, LAYOUTS)

    assert seen.match is None
    message = seen.explain(path.name)
    assert "no layout matches its header (4 columns)" in message
    assert "nwea_map_cdf_assessment_results lacks" in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02PK\x03\x04binary", "binary data"),
    ],
)
def test_empty_and_binary_files_are_told_apart(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)

    assert expected in recognize(path, "landing/x.csv", LAYOUTS).explain("landing/x.csv")


def test_utf16_file_is_recognized_and_loaded(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    text = "StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\r\n1,101,09/03/2025,A,,José\r\n"
    (home.landing / "exceptions.csv").write_bytes(text.encode("utf-16"))

    result = load_landing(home, {"attendance__exceptions"}).tables["attendance__exceptions"]

    assert result.loaded[0]["encoding"] == "utf-16"
    [(comment,)] = duckdb.sql(
        f"select Comment from read_parquet('{home.raw}/attendance/exceptions/2*.parquet')"
    ).fetchall()
    assert comment == "José"


def test_a_header_only_file_loads_zero_rows(tmp_path: Path) -> None:
    home = Home(tmp_path).ensure()
    (home.landing / "x.csv").write_text("StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\n")

    result = load_landing(home, {"attendance__exceptions"}).tables["attendance__exceptions"]

    assert result.loaded[0]["status"] == "loaded" and result.rows_parsed == 0


def test_a_district_layout_overrides_a_shipped_one_by_name(tmp_path: Path) -> None:
    shipped = BY_NAME["districtwide_attendance_exceptions"].path
    own = tmp_path / "mine.yaml"
    own.write_text(
        shipped.read_text().replace("AttCode: [AttCode]", "AttCode: [AttCode, Code]"),
        encoding="utf-8",
    )

    layouts = {layout.layout: layout for layout in load_layouts(tmp_path)}

    assert layouts["districtwide_attendance_exceptions"].path == own
    assert load_layout(own).columns["AttCode"].names == ["AttCode", "Code"]


def test_date_formats_translate_to_strptime() -> None:
    assert strptime_format("MM/DD/YYYY") == "%m/%d/%Y"
    assert strptime_format("YYYYMMDD") == "%Y%m%d"
    assert strptime_format("M/D/YY") == "%m/%d/%y"


def test_check_names_the_layout_of_every_sample() -> None:
    reports = check_paths([FIXTURES], LAYOUTS)

    by_file = {r.source_path: r for r in reports}
    for expected, path in samples():
        report = by_file[path.relative_to(FIXTURES).as_posix()]
        assert report.layout == expected, report.lines()


def test_docs_layouts_md_is_the_catalogue_of_the_layout_files() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "layouts.md"

    assert page.read_text(encoding="utf-8") == render(LAYOUTS), (
        "run: python -m connectors.catalog > docs/layouts.md"
    )


def test_districtwide_check_command_exits_nonzero_on_an_unknown_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from districtwide.cli import main

    good = FIXTURES / "powerschool_attendance"
    bad = tmp_path / "unknown.csv"
    bad.write_text("a,b\n1,2\n")

    ok = CliRunner().invoke(main, ["check", str(good)], env={"DISTRICTWIDE_HOME": str(tmp_path)})
    not_ok = CliRunner().invoke(main, ["check", str(bad)], env={"DISTRICTWIDE_HOME": str(tmp_path)})

    assert "powerschool_attendance → attendance__exceptions" in ok.output
    assert not_ok.exit_code == 1 and "NOT RECOGNIZED" in not_ok.output
