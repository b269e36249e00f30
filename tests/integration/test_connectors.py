"""Landing and raw parsing on small hand-made files: archive, checksum, encodings, rejects.

Integration: each load writes raw Parquet and the audit through DuckDB.
"""
# Each file is found by its layout (connectors/layouts/), here districtwide's own attendance
# layouts; tests of recognizing other layouts are in tests/unit/test_layouts.py.

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from connectors.encoding import Utf8Check, detect_encoding
from connectors.home import Home
from connectors.load import LandingRun, TableLoad, load_landing

pytestmark = pytest.mark.integration

HEADER = "StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\r\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def raw_rows(home: Home, table: str) -> list[tuple]:
    """(first column, _line_number, last delivered column) of each raw row, in line order."""
    source, entity = table.split("__")
    return duckdb.sql(
        "select StuNum, _line_number, Comment "
        f"from read_parquet('{home.raw}/{source}/{entity}/*.parquet', union_by_name=true) "
        "order by _line_number"
    ).fetchall()


def land(home: Home, table: str) -> TableLoad:
    """Load what landing holds for one raw table."""
    return load_landing(home, {table}).tables[table]


def land_all(home: Home) -> LandingRun:
    return load_landing(home, workers=2)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path).ensure()


def test_windows_1252_file_is_archived_unchanged_and_read_correctly(home: Home) -> None:
    text = HEADER + "7000001,101,09/03/2025,E,,“Doctor’s note” – 5 €\r\n"
    path = write(
        home.landing / "attendance" / "attendance_exceptions_2025-2026.csv", text, "cp1252"
    )
    assert detect_encoding(path) == "cp1252"

    result = land(home, "attendance__exceptions")

    record = result.loaded[0]
    archived = Path(record["archive_path"])
    assert archived.read_bytes() == path.read_bytes()
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert archived.name == f"{record['sha256']}-{path.name}"
    assert record["encoding"] == "cp1252"
    [row] = raw_rows(home, "attendance__exceptions")
    assert row[2] == "“Doctor’s note” – 5 €"
    assert row[1] == 2  # _line_number: the header is line 1


def test_utf8_with_bom_is_detected(home: Home) -> None:
    path = write(home.landing / "x.csv", "\ufeffa,b\nJosé,1\n")
    assert detect_encoding(path) == "utf-8-sig"


def test_bad_lines_are_kept_with_line_and_reason_and_good_rows_land(home: Home) -> None:
    text = (
        HEADER
        + "7000001,101,09/03/2025,A,,\r\n"
        + "7000002,101,09/03/2025,A,,sick, then better\r\n"  # one field too many
        + "7000003,101,09/03/2025\r\n"  # fields missing
        + '7000004,101,09/04/2025,T,12,"bus, late"\r\n'
    )
    write(home.landing / "attendance" / "attendance_exceptions_2025-2026.csv", text)

    result = land(home, "attendance__exceptions")

    assert (result.rows_parsed, result.rows_rejected) == (2, 2)
    assert [(r[0], r[1]) for r in raw_rows(home, "attendance__exceptions")] == [
        ("7000001", 2),
        ("7000004", 5),
    ]
    rejects = duckdb.sql(
        "select _source_file, _line_number, _error_type from read_parquet("
        f"'{home.raw}/attendance/exceptions__rejects/*.parquet') order by 2"
    ).fetchall()
    assert rejects == [
        ("attendance_exceptions_2025-2026.csv", 3, "TOO MANY COLUMNS"),
        ("attendance_exceptions_2025-2026.csv", 4, "MISSING COLUMNS"),
    ]


def test_loading_the_same_file_twice_changes_nothing(home: Home) -> None:
    write(
        home.landing / "attendance" / "attendance_exceptions_2025-2026.csv",
        HEADER + "1,101,09/03/2025,A,,\r\n",
    )
    first = land(home, "attendance__exceptions")
    raw_files = sorted(p.name for p in (home.raw / "attendance" / "exceptions").iterdir())

    second = land(home, "attendance__exceptions")

    assert len(first.loaded) == 1
    assert second.loaded == []
    assert second.skipped == ["attendance/attendance_exceptions_2025-2026.csv"]
    assert sorted(p.name for p in (home.raw / "attendance" / "exceptions").iterdir()) == raw_files


def test_a_file_no_layout_matches_is_recorded_with_the_columns_it_lacks(home: Home) -> None:
    write(
        home.landing / "attendance" / "attendance_exceptions_2025-2026.csv",
        "StuNum,SchoolCode\r\n1,101\r\n",
    )

    run = land_all(home)

    [item] = run.unrecognized
    assert item["source_path"] == "attendance/attendance_exceptions_2025-2026.csv"
    assert item["error"].startswith(
        "attendance/attendance_exceptions_2025-2026.csv: line 1: no layout matches its header"
    )
    assert "districtwide_attendance_exceptions lacks AbsenceDate, AttCode" in item["error"]
    audit = duckdb.sql(
        f"select status, source, source_path from read_parquet('{home.audit}/2*.parquet')"
    ).fetchall()
    assert audit == [("unrecognized", "attendance", item["source_path"])]
    # Still listed on the next run, not recorded twice.
    assert [i["new"] for i in land_all(home).unrecognized] == [False]
    assert len(list(home.audit.glob("2*.parquet"))) == 1


def test_quoted_newlines_keep_exact_line_numbers(home: Home) -> None:
    text = HEADER + '1,101,09/03/2025,A,,"two\r\nlines"\r\n2,101,09/04/2025,E,,\r\n'
    write(home.landing / "attendance" / "attendance_exceptions_2025-2026.csv", text)

    land(home, "attendance__exceptions")

    assert [(r[0], r[1]) for r in raw_rows(home, "attendance__exceptions")] == [("1", 2), ("2", 4)]


def test_a_corrected_file_sent_after_a_bad_one_is_loaded_again(home: Home) -> None:
    path = home.landing / "attendance" / "attendance_exceptions_2025-2026.csv"
    good = HEADER + "1,101,09/03/2025,A,,\r\n2,101,09/03/2025,E,,\r\n"
    write(path, good)
    land(home, "attendance__exceptions")
    write(path, HEADER + "1,101,09/03/2025,A,,\r\n")  # half the file: a bad delivery
    assert len(land(home, "attendance__exceptions").loaded) == 1
    write(path, good)  # the vendor re-sends the good file

    again = land(home, "attendance__exceptions")

    assert len(again.loaded) == 1 and again.loaded[0]["rows_parsed"] == 2
    assert land(home, "attendance__exceptions").skipped == [f"attendance/{path.name}"]


def test_the_same_bytes_under_a_new_name_are_not_loaded_twice(home: Home) -> None:
    text = HEADER + "1,101,09/03/2025,A,,\r\n"
    write(home.landing / "attendance" / "attendance_exceptions_2025-2026.csv", text)
    land(home, "attendance__exceptions")
    write(home.landing / "attendance" / "attendance_exceptions_2025-2026 (1).csv", text)

    result = land(home, "attendance__exceptions")

    assert result.loaded == []
    assert "attendance/attendance_exceptions_2025-2026 (1).csv" in result.skipped


def test_quoted_newlines_and_rejected_lines_keep_exact_line_numbers(home: Home) -> None:
    text = (
        HEADER
        + '1,101,09/03/2025,A,,"two\r\nlines"\r\n'  # lines 2-3
        + "2,101,09/03/2025\r\n"  # line 4: fields missing
        + "\r\n"  # line 5: blank
        + "3,101,09/04/2025,E,,\r\n"
        + "4,101,09/04/2025,E,,x,y\r\n"  # line 7: one field too many
        + "5,101,09/05/2025,E,,\r\n"
    )
    write(home.landing / "attendance" / "attendance_exceptions_2025-2026.csv", text)

    result = land(home, "attendance__exceptions")

    assert (result.rows_parsed, result.rows_rejected) == (3, 2)
    assert [(r[0], r[1]) for r in raw_rows(home, "attendance__exceptions")] == [
        ("1", 2),
        ("3", 6),
        ("5", 8),
    ]
    rejects = duckdb.sql(
        "select _line_number, _error_type from read_parquet("
        f"'{home.raw}/attendance/exceptions__rejects/*.parquet') order by 1"
    ).fetchall()
    assert rejects == [(4, "MISSING COLUMNS"), (7, "TOO MANY COLUMNS")]


def test_a_skipped_file_leaves_nothing_in_the_archive(home: Home) -> None:
    write(
        home.landing / "attendance" / "attendance_exceptions_2025-2026.csv",
        HEADER + "1,101,09/03/2025,A,,\r\n",
    )
    land(home, "attendance__exceptions")
    archived = sorted(p.relative_to(home.archive) for p in home.archive.rglob("*"))

    assert land(home, "attendance__exceptions").skipped == [
        "attendance/attendance_exceptions_2025-2026.csv"
    ]

    assert sorted(p.relative_to(home.archive) for p in home.archive.rglob("*")) == archived


def test_tables_load_in_parallel_and_a_bad_file_fails_only_its_table(home: Home) -> None:
    students = (
        "StuNum,LastName,FirstName,BirthDate,Grade,SchoolCode,SisNumber,Stu_Num\r\n"
        "1,X,Y,01/02/2015,3,101,,1\r\n"
    )
    write(home.landing / "attendance" / "attendance_students.csv", students)
    exceptions = HEADER + "".join(f"{n},101,09/03/2025,A,,\r\n" for n in range(1000))
    write(home.landing / "attendance" / "attendance_exceptions_2025-2026.csv", exceptions)

    results = land_all(home).tables

    students, loaded = results["attendance__students"], results["attendance__exceptions"]
    [failed] = students.failed
    assert failed["error"].startswith("attendance/attendance_students.csv: line 1, column 8:")
    assert "rename one of them" in failed["error"]
    assert students.loaded == [] and students.error is None
    assert loaded.failed == [] and loaded.rows_parsed == 1000
    lines = [r[1] for r in raw_rows(home, "attendance__exceptions")]
    assert lines == list(range(2, 1002))
    audit = duckdb.sql(
        f"select raw_table, status from read_parquet('{home.audit}/2*.parquet') order by 1"
    ).fetchall()
    assert audit == [("attendance__exceptions", "loaded"), ("attendance__students", "failed")]
    # A file set aside is not tried again until new bytes arrive under its name.
    assert land_all(home).tables["attendance__students"].skipped == [
        "attendance/attendance_students.csv"
    ]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1 << 20])
def test_utf8_check_across_chunk_boundaries(size: int) -> None:
    data = ("a,é,€,𝄞\n" * 2000).encode()
    check = Utf8Check()
    for start in range(0, len(data), size):
        check.update(data[start : start + size])
    assert check.finish() == "utf-8"

    truncated = Utf8Check()
    truncated.update("x€".encode()[:-1])
    assert truncated.finish() is None

    split = Utf8Check()  # an ASCII chunk after the first byte of a multi-byte sequence
    split.update("x€".encode()[:2])
    split.update(b"abc")
    assert split.finish() is None


def test_a_file_with_bytes_windows_1252_leaves_undefined_is_read_as_latin_1(home: Home) -> None:
    text = HEADER.encode() + b"7000001,101,09/03/2025,E,,caf\xe9 \x81\r\n"
    path = home.landing / "attendance" / "attendance_exceptions_2025-2026.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(text)
    assert detect_encoding(path) == "latin-1"

    result = land(home, "attendance__exceptions")

    assert result.loaded[0]["encoding"] == "latin-1"
    [row] = raw_rows(home, "attendance__exceptions")
    assert row[2] == "café \x81"
