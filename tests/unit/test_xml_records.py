"""Ed-Fi XML interchange files become CSV records named by element paths, and files that are no
delimited text (PDF, workbooks, web pages) are refused saying what they are."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from connectors.layout import load_layouts
from connectors.recognize import BadFileError, recognize
from connectors.xml_records import records_format, to_csv

LAYOUTS = load_layouts()

INTERCHANGE = """<?xml version="1.0" encoding="UTF-8"?>
<InterchangeStudentAttendance xmlns="http://ed-fi.org/5.2.0">
  <StudentSchoolAttendanceEvent>
    <AttendanceEvent>
      <EventDate>2026-09-14</EventDate>
      <AttendanceEventCategory>CATEGORY#Tardy</AttendanceEventCategory>
    </AttendanceEvent>
    <StudentReference><StudentIdentity><StudentUniqueId>900001</StudentUniqueId></StudentIdentity></StudentReference>
    <SchoolReference><SchoolIdentity><SchoolId>999001101</SchoolId></SchoolIdentity></SchoolReference>
    <Note>first</Note>
    <Note>second</Note>
  </StudentSchoolAttendanceEvent>
  <StudentSchoolAttendanceEvent>
    <AttendanceEvent>
      <EventDate>2026-09-15</EventDate>
      <AttendanceEventCategory>CATEGORY#Excused Absence</AttendanceEventCategory>
    </AttendanceEvent>
    <StudentReference><StudentIdentity><StudentUniqueId>900002</StudentUniqueId></StudentIdentity></StudentReference>
    <SchoolReference><SchoolIdentity><SchoolId>999001101</SchoolId></SchoolIdentity></SchoolReference>
    <SchoolAttendanceDuration>390</SchoolAttendanceDuration>
  </StudentSchoolAttendanceEvent>
</InterchangeStudentAttendance>
""".replace("CATEGORY#", "uri://ed-fi.org/AttendanceEventCategoryDescriptor#")


def test_records_are_flattened_to_element_paths(tmp_path: Path) -> None:
    source = tmp_path / "attendance.xml"
    source.write_text(INTERCHANGE, encoding="utf-8")
    out = tmp_path / "records.csv"

    to_csv(source, out, "attendance.xml")

    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["StudentReference.StudentIdentity.StudentUniqueId"] for r in rows] == [
        "900001",
        "900002",
    ]
    assert rows[0]["AttendanceEvent.EventDate"] == "2026-09-14"
    # A repeated element is a JSON list; a field only a later record has is in the header.
    assert rows[0]["Note"] == '["first", "second"]' and rows[1]["Note"] == ""
    assert (rows[0]["SchoolAttendanceDuration"], rows[1]["SchoolAttendanceDuration"]) == ("", "390")
    seen = recognize(source, "attendance.xml", LAYOUTS)
    assert seen.match is not None
    assert seen.match.layout.layout == "edfi_student_school_attendance_event"
    assert records_format("x/attendance.XML") == "xml" and records_format("a.jsonl") == "json"
    assert records_format("a.csv") == ""


def test_xml_that_does_not_parse_names_its_line_and_column(tmp_path: Path) -> None:
    source = tmp_path / "cut.xml"
    source.write_text(INTERCHANGE.replace("</EventDate>", "</Event>", 1), encoding="utf-8")

    with pytest.raises(BadFileError, match=r"cut\.xml: line 5, column \d+: not well-formed XML"):
        to_csv(source, tmp_path / "out.csv", "cut.xml")


@pytest.mark.parametrize("encoding", ["Shift_JIS", "x-no-such-encoding"])
def test_an_encoding_the_parser_cannot_read_sets_the_file_aside(
    tmp_path: Path, encoding: str
) -> None:
    """Not a crash of recognition (which stopped the whole landing): the file is named, and
    what to do."""
    source = tmp_path / "attendance.xml"
    source.write_text(
        INTERCHANGE.replace('encoding="UTF-8"', f'encoding="{encoding}"'), encoding="utf-8"
    )
    says = "attendance.xml: line 1: XML in an encoding this reader cannot decode"

    message = recognize(source, "attendance.xml", LAYOUTS).explain("attendance.xml")

    assert message.startswith(says) and message.endswith("save it as UTF-8")
    with pytest.raises(BadFileError, match=says):
        to_csv(source, tmp_path / "out.csv", "attendance.xml")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "binary data, not a delimited text file: a PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "binary data, not a delimited text file: a zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook"),
        (b"<html><body><table><tr><td>1</td></tr></table>", "an XML or HTML document"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<Root/>\n', "an XML or HTML document"),
    ],
)
def test_documents_that_are_not_delimited_text_say_what_they_are(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)

    message = recognize(path, "landing/export.csv", LAYOUTS).explain("landing/export.csv")

    assert message.startswith("landing/export.csv: line 1: ") and says in message


def test_an_excel_xml_spreadsheet_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "attendance.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">\n'
        "<Worksheet><Table><Row><Cell><Data>StuNum</Data></Cell></Row></Table></Worksheet>\n"
        "</Workbook>\n",
        encoding="utf-8",
    )

    message = recognize(path, "attendance.xml", LAYOUTS).explain("attendance.xml")

    assert message == (
        "attendance.xml: line 1: an Excel XML spreadsheet, not a delimited text file or an "
        "Ed-Fi interchange: save the sheet as CSV"
    )


def test_a_line_break_in_a_text_moves_the_later_records_lines(tmp_path: Path) -> None:
    """The module's word on line numbers: record N is line N + 1 of the copy until a text
    holds a line break; a record is then named by the line it starts on."""
    from connectors.raw import record_lines

    source = tmp_path / "attendance.xml"
    source.write_text(
        INTERCHANGE.replace("<Note>second</Note>", "").replace("first", "first\nline"),
        encoding="utf-8",
    )
    out = tmp_path / "records.csv"

    to_csv(source, out, "attendance.xml")

    assert [start for start, _ in record_lines(out)] == [2, 4]


def test_a_deeply_nested_record_is_read_not_a_crash(tmp_path: Path) -> None:
    """Nesting beyond Python's recursion limit (1,000) is still one record, one path."""
    depth = 3000
    source = tmp_path / "deep.xml"
    source.write_text(f"<Root><Record>{'<a>' * depth}1{'</a>' * depth}</Record></Root>")
    out = tmp_path / "records.csv"

    to_csv(source, out, "deep.xml")

    header, row = out.read_text(encoding="utf-8").splitlines()
    assert header == ".".join(["a"] * depth) and row == "1"
    seen = recognize(source, "deep.xml", LAYOUTS)
    assert seen.error is None and seen.header == (header,)
