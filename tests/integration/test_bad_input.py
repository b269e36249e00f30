"""Bad input, file by file: each case gets a message naming the file (and line and column where
they apply), and nothing is lost: every data line is a raw row or a reject, and the file is kept
in the archive; a file that cannot be read at all is recorded with the reason in the audit."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import duckdb
import pytest

from connectors.home import Home
from connectors.load import LandingRun, load_landing

pytestmark = pytest.mark.integration

HEADER = "StuNum,SchoolCode,AbsenceDate,AttCode,Minutes,Comment\r\n"
ROW = "7000001,101,09/03/2025,A,,ok\r\n"
ORGS = (
    "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "D001,active,2026-06-18,Maple Valley,district,0350,\n"
    "SCH01,active,2026-06-18,Birch Elementary,school,03500001,D001\n"
)


def deliver(home: Home, name: str, data: bytes) -> Path:
    path = home.landing / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def audit(home: Home) -> dict[str, dict]:
    """The audit rows of every file tried, by where it was delivered."""
    rel = duckdb.sql(f"select * from read_parquet('{home.audit}/2*.parquet', union_by_name=true)")
    return {
        row[rel.columns.index("source_path")]: dict(zip(rel.columns, row, strict=True))
        for row in rel.fetchall()
    }


def raw_lines(home: Home, folder: str) -> list[int]:
    """`_line_number` of every row written to a raw folder (`attendance/exceptions`)."""
    files = list((home.raw / folder).glob("2*.parquet"))
    if not files:
        return []
    glob = f"{home.raw}/{folder}/2*.parquet"
    return [n for (n,) in duckdb.sql(f"select _line_number from '{glob}' order by 1").fetchall()]


def rejects(home: Home, folder: str = "attendance/exceptions") -> list[tuple]:
    glob = f"{home.raw}/{folder}__rejects/2*.parquet"
    if not list((home.raw / f"{folder}__rejects").glob("2*.parquet")):
        return []
    return duckdb.sql(
        f"select _line_number, _column, _error_type, _error from '{glob}' order by 1"
    ).fetchall()


def assert_archived(record: dict, original: bytes) -> None:
    archived = Path(record["archive_path"])
    assert archived.read_bytes() == original
    assert record["sha256"] == hashlib.sha256(original).hexdigest()


def assert_every_line_accounted(home: Home, record: dict, data_lines: list[int]) -> None:
    """raw rows + rejects = the file's data lines, one for one, and the audit says so."""
    staged = raw_lines(home, "attendance/exceptions")
    rejected = [line for line, *_ in rejects(home)]
    assert sorted(staged + rejected) == data_lines
    assert record["rows_total"] == len(data_lines)
    assert (record["rows_parsed"], record["rows_rejected"]) == (len(staged), len(rejected))


def land(tmp_path: Path, name: str, data: bytes) -> tuple[Home, LandingRun, dict]:
    home = Home(tmp_path).ensure()
    deliver(home, name, data)
    run = load_landing(home, workers=1)
    return home, run, audit(home)[name]


def test_an_empty_file_is_recorded_as_unreadable_and_archived(tmp_path: Path) -> None:
    home, run, record = land(tmp_path, "attendance/attendance_exceptions.csv", b"")

    assert record["status"] == "unrecognized"
    assert record["error"] == (
        "attendance/attendance_exceptions.csv: line 1: the file is empty (no header line)"
    )
    assert run.unrecognized[0]["error"] == record["error"]
    assert_archived(record, b"")


def test_a_header_only_file_loads_no_rows_with_a_warning(tmp_path: Path) -> None:
    home, _, record = land(tmp_path, "attendance/x.csv", HEADER.encode())

    assert record["status"] == "loaded" and record["rows_total"] == 0
    assert record["warning"] == "attendance/x.csv: line 1: a header and no data rows"
    assert_every_line_accounted(home, record, [])


@pytest.mark.parametrize(
    ("last", "says"),
    [
        ("7000003,101,09/0", "line 4: truncated: the last line is short of fields and no line"),
        ('7000003,101,09/03/2025,A,,"cut in', "line 4: truncated: the file ends inside a quoted"),
    ],
    ids=["cut mid-field", "cut inside a quote"],
)
def test_a_truncated_file_is_set_aside_naming_its_last_line(
    tmp_path: Path, last: str, says: str
) -> None:
    """Decided (issue 17.4): a file cut short is set aside whole, not loaded in part; its
    previous delivery stays in effect (tests/integration/catalogue/test_landing.py)."""
    data = (HEADER + ROW + ROW.replace("7000001", "7000002") + last).encode()

    home, _, record = land(tmp_path, "attendance/x.csv", data)

    assert record["status"] == "failed"
    assert record["error"].startswith(f"attendance/x.csv: {says}")
    assert raw_lines(home, "attendance/exceptions") == [] and rejects(home) == []
    assert_archived(record, data)


def test_a_last_line_of_spaces_is_a_blank_line_not_a_file_cut_short(tmp_path: Path) -> None:
    """A line of spaces after the data (exports padded so): rejected and counted as a blank
    line, never a reason to set the file aside as cut short."""
    data = (HEADER + ROW + ROW.replace("7000001", "7000002") + "   \r\n").encode()

    home, _, record = land(tmp_path, "attendance/x.csv", data)

    assert (record["status"], record["rows_parsed"], record["rows_rejected"]) == ("loaded", 2, 1)
    assert raw_lines(home, "attendance/exceptions") == [2, 3]
    [(line, _, error_type, error)] = rejects(home)
    said = "a blank line (spaces only): no record in it"
    assert (line, error_type, error) == (4, "BLANK LINE", said)


def test_a_date_with_a_time_of_day_reads_as_its_date(tmp_path: Path) -> None:
    """Exports saved from spreadsheets or databases add a time to date columns: the date reads
    (the time is dropped); a value that is no date at all is still rejected, named."""
    lines = [
        "7000001,101,09/03/2025 12:00:00 AM,A,,ok\r\n",
        "7000002,101,9/4/2025 08:15,A,,ok\r\n",
        "7000003,101,09/05/2025T07:30:00Z,A,,ok\r\n",
        "7000004,101,09/3x/2025 10:00,A,,ok\r\n",
    ]
    home, _, record = land(tmp_path, "attendance/x.csv", (HEADER + "".join(lines)).encode())

    assert (record["status"], record["rows_parsed"], record["rows_rejected"]) == ("loaded", 3, 1)
    glob = f"{home.raw}/attendance/exceptions/2*.parquet"
    dates = duckdb.sql(f"select AbsenceDate from '{glob}' order by _line_number").fetchall()
    assert dates == [("2025-09-03",), ("2025-09-04",), ("2025-09-05",)]
    [(line, column, error_type, _)] = rejects(home)
    assert (line, column, error_type) == (5, "AbsenceDate", "MALFORMED DATE")


def test_a_two_digit_year_is_never_read_as_the_year_23(tmp_path: Path) -> None:
    """`09/03/25` in a MM/DD/YYYY column: strptime's %Y would read the year 25; the line is
    rejected, named, rather than dated in the first century."""
    lines = ["7000001,101,09/03/2025,A,,ok\r\n", "7000002,101,09/04/25,A,,ok\r\n"]
    home, _, record = land(tmp_path, "attendance/x.csv", (HEADER + "".join(lines)).encode())

    assert (record["status"], record["rows_parsed"], record["rows_rejected"]) == ("loaded", 1, 1)
    [(line, column, error_type, _)] = rejects(home)
    assert (line, column, error_type) == (3, "AbsenceDate", "MALFORMED DATE")


def test_a_quote_never_closed_mid_file_is_named_with_the_lines_it_swallowed(
    tmp_path: Path,
) -> None:
    """CSV lets a quoted field span lines, so the lines after an open quote are read into its one
    record: the file is set aside (issue 17.4), naming the line and what it swallowed."""
    data = (HEADER + ROW + '7000002,101,09/03/2025,A,,"open\r\n' + ROW + ROW).encode()

    home, _, record = land(tmp_path, "attendance/x.csv", data)

    assert record["status"] == "failed"
    assert record["error"].startswith(
        "attendance/x.csv: line 3: truncated: a quoted field opened here is never closed; the 2 "
        "line(s) after it, to the end of the file, were read into that one field"
    )
    assert raw_lines(home, "attendance/exceptions") == [] and rejects(home) == []
    assert_archived(record, data)


def test_binary_data_is_recorded_as_unreadable(tmp_path: Path) -> None:
    data = b"PK\x03\x04\x00\x00\x08\x00" + bytes(range(256)) * 4

    home, _, record = land(tmp_path, "attendance/scan.csv", data)

    assert record["status"] == "unrecognized"
    assert record["error"].startswith(
        "attendance/scan.csv: line 1: binary data, not a delimited text file: a zip archive"
    )
    assert_archived(record, data)


@pytest.mark.parametrize(
    ("codec", "bom", "encoding"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
    ],
    ids=["LE with BOM", "BE with BOM", "LE without BOM", "BE without BOM"],
)
def test_utf16_is_decoded_not_rejected(
    tmp_path: Path, codec: str, bom: bytes, encoding: str
) -> None:
    """Decided: UTF-16 is streamed to a UTF-8 working copy DuckDB reads; nothing is rejected."""
    data = bom + (HEADER + ROW.replace(",ok", ",Zoë Ibáñez")).encode(codec)

    home, _, record = land(tmp_path, "attendance/x.csv", data)

    assert (record["status"], record["encoding"]) == ("loaded", encoding)
    [(comment,)] = duckdb.sql(
        f"select Comment from '{home.raw}/attendance/exceptions/2*.parquet'"
    ).fetchall()
    assert comment == "Zoë Ibáñez"
    assert_every_line_accounted(home, record, [2])
    assert_archived(record, data)


def test_an_unknown_delimiter_is_named(tmp_path: Path) -> None:
    data = (HEADER + ROW).replace(",", "#").encode()

    _, _, record = land(tmp_path, "attendance/x.csv", data)

    assert record["status"] == "unrecognized"
    assert record["error"].startswith(
        "attendance/x.csv: line 1: its header is one column on every delimiter read here "
        "(comma, tab, pipe, caret, semicolon): an unknown delimiter ('#'?)"
    )


def test_two_columns_that_normalize_to_one_name_are_both_named(tmp_path: Path) -> None:
    data = b"StuNum,SchoolCode,AbsenceDate,Att Code,att_code,Minutes\n1,101,09/03/2025,A,B,\n"

    _, _, record = land(tmp_path, "attendance/x.csv", data)

    assert record["status"] == "failed"
    assert record["error"] == (
        "attendance/x.csv: line 1, column 5: header 'att_code' is the same name as column 4 "
        "('Att Code'); rename one of them"
    )
    assert_archived(record, data)


# The child's own peak is VmHWM (its address space's high-water mark, in kB). getrusage's
# ru_maxrss carries over the RSS of the process forked before exec: inside the whole suite the
# pytest worker's ~1.4 GB, so the load "peaked" at 1,461 MB there and at ~330 MB alone.
LOAD_IN_CHILD = textwrap.dedent(
    """
    import re
    import sys
    from pathlib import Path
    from connectors.home import Home
    from connectors.load import load_landing
    load_landing(Home(Path(sys.argv[1])), workers=1)
    status = Path("/proc/self/status").read_text()
    print(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
    """
)


def test_a_50_mb_field_rejects_its_line_without_blowing_memory(tmp_path: Path) -> None:
    """DuckDB drops a line longer than its read buffer without a word (and numbers the lines after
    it one short); the load sizes the buffer from the longest line the archive copy saw."""
    home = Home(tmp_path).ensure()
    big = ROW.replace(",ok", "," + "x" * (50 << 20)).encode()
    data = (HEADER + ROW).encode() + big + (ROW + "7000009,101\r\n" + ROW).encode()
    deliver(home, "attendance/x.csv", data)

    # DuckDB's memory limit as a district sets it, lower than the default (1250MB): the bound
    # below then tests that the limit holds for a 50 MB line, whatever the default. (The 751 and
    # 1,462 MB once seen in CI were the parent's RSS carried over by ru_maxrss; see above.)
    child = subprocess.run(
        [sys.executable, "-c", LOAD_IN_CHILD, str(tmp_path)],
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DISTRICTWIDE_DUCKDB_MEMORY": "512MB"},
    )

    peak_mb = int(child.stdout.split()[-1]) / 1024
    assert peak_mb < 1024, f"peak RSS {peak_mb:.0f} MB"
    record = audit(home)["attendance/x.csv"]
    assert record["status"] == "loaded"
    found = rejects(home)
    assert [(line, error_type) for line, _, error_type, _ in found] == [
        (3, "LINE SIZE OVER MAXIMUM"),
        (5, "MISSING COLUMNS"),
    ]
    assert found[0][3].startswith("the line is longer than the 1,048,576 bytes a line may have")
    assert found[1][1] == "AbsenceDate"  # the first column the short line lacks
    assert_every_line_accounted(home, record, [2, 3, 4, 5, 6])


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_members_in_folders_and_a_zip_inside_a_zip_are_found(tmp_path: Path) -> None:
    """Decided: a zip inside a zip is unpacked too (three levels at most); its members are named
    by the whole path, `outer.zip/inner.zip/member`."""
    home = Home(tmp_path).ensure()
    inner = zipped({"exceptions/attendance_exceptions.csv": (HEADER + ROW).encode()})
    outer = zipped({"export/2025/orgs.csv": ORGS.encode(), "nested/inner.zip": inner})
    deliver(home, "district/export.zip", outer)

    run = load_landing(home, workers=1)

    records = audit(home)
    assert records["district/export.zip/export/2025/orgs.csv"]["rows_parsed"] == 2
    nested = records["district/export.zip/nested/inner.zip/exceptions/attendance_exceptions.csv"]
    assert (nested["status"], nested["rows_parsed"]) == ("loaded", 1)
    assert not run.unrecognized


def test_a_zip_member_named_outside_the_zip_is_refused_and_nothing_is_written_there(
    tmp_path: Path,
) -> None:
    root = tmp_path / "district"
    home = Home(root).ensure()
    evil = (HEADER + ROW).encode()
    data = zipped({"../x.csv": evil, "../../escaped.csv": evil, "ok/orgs.csv": ORGS.encode()})
    deliver(home, "sis/export.zip", data)

    run = load_landing(home, workers=1)

    records = audit(home)
    refused = records["sis/export.zip/../x.csv"]
    assert refused["status"] == "unrecognized"
    assert refused["error"].startswith(
        "sis/export.zip/../x.csv: refused: the member's name points outside the zip"
    )
    assert_archived(refused, evil)
    assert records["sis/export.zip/ok/orgs.csv"]["status"] == "loaded"
    assert {u["source_path"] for u in run.unrecognized} == {
        "sis/export.zip/../x.csv",
        "sis/export.zip/../../escaped.csv",
    }
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and root not in p.parents]
    assert outside == []
    assert not (home.root / "landing" / "x.csv").exists()
    assert not (home.work / "unzipped" / "x.csv").exists()


def test_one_windows_1252_line_in_a_utf8_file_spoils_no_other_line(tmp_path: Path) -> None:
    lines = [
        "7000001,101,09/03/2025,A,,Jesús Ibáñez\r\n".encode(),
        "7000002,101,09/03/2025,A,,Zoë Müller\r\n".encode("cp1252"),
        "7000003,101,09/03/2025,A,,“Doctor’s note”\r\n".encode(),
        "7000004,101,09/03/2025,A,,Renée\r\n".encode("cp1252"),
    ]
    data = HEADER.encode() + b"".join(lines)

    home, _, record = land(tmp_path, "attendance/x.csv", data)

    glob = f"{home.raw}/attendance/exceptions/2*.parquet"
    comments = [
        c for (c,) in duckdb.sql(f"select Comment from '{glob}' order by _line_number").fetchall()
    ]
    assert comments == ["Jesús Ibáñez", "Zoë Müller", "“Doctor’s note”", "Renée"]
    assert (record["encoding"], record["mixed_encoding_lines"]) == ("utf-8+cp1252", 2)
    assert record["warning"] == (
        "attendance/x.csv: mixed encodings: 2 line(s) are not UTF-8 and were read as cp1252 "
        "(lines 3; 5); the others are UTF-8"
    )
    assert_every_line_accounted(home, record, [2, 3, 4, 5])
    assert_archived(record, data)


def test_a_plain_windows_1252_file_is_not_a_mixed_one(tmp_path: Path) -> None:
    data = (HEADER + ROW.replace(",ok", ",Zoë – “x”")).encode("cp1252")

    _, _, record = land(tmp_path, "attendance/x.csv", data)

    assert (record["encoding"], record["mixed_encoding_lines"]) == ("cp1252", 0)
    assert record["warning"] is None
