"""Ed-Fi XML interchange files read as the delimited text every layout reads.

Ed-Fi's bulk format (and its public sample data, the Grand Bend district of
Ed-Fi-Alliance-OSS/Ed-Fi-Data-Standard `Samples/Sample XML/`) is an XML interchange: a root
element (`InterchangeStudentAttendance`) whose children are records
(`StudentSchoolAttendanceEvent`), each a tree of elements. As for JSON
(`connectors/json_records.py`), a UTF-8 CSV working copy is written, one row per record, nested
elements named by dotted paths of their element names
(`StudentReference.StudentIdentity.StudentUniqueId`, `AttendanceEvent.EventDate`) and a repeated
element kept as a JSON list of its texts; recognition, parsing, rejects and quarantine then run
on that copy. The archive keeps the XML as delivered. Line numbers in messages are the copy's:
record N is line N + 1, or later when an earlier record's text holds a line break (a quoted
field spans lines; the line named is the one its record starts on).

The file is read as a stream (`iterparse`, each record cleared once written): XML has no reader
in DuckDB, and memory stays flat whatever the file's size. Python's parser does not fetch
external entities or DTDs.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from connectors import json_records
from connectors.json_records import csv_head, is_json
from connectors.recognize import BadFileError

SUFFIXES = (".xml",)
# Excel's 2003 XML spreadsheet (SpreadsheetML), which older SIS reports save as `.xml`.
SPREADSHEET_ML = "{urn:schemas-microsoft-com:office:spreadsheet}"


def is_xml(file_name: str) -> bool:
    """Whether a delivery is an XML interchange, by its name (as JSON: no header line)."""
    return file_name.lower().endswith(SUFFIXES)


def records_format(file_name: str) -> str:
    """`json` or `xml` for a delivery read through a CSV working copy of its records, by its
    name; empty for delimited text."""
    return "json" if is_json(file_name) else "xml" if is_xml(file_name) else ""


def _name(tag: str) -> str:
    """An element's name without its namespace (`{http://ed-fi.org/5.2.0}EventDate`)."""
    return tag.rsplit("}", 1)[-1]


def _flat(element: ET.Element, prefix: str = "") -> dict[str, str]:
    """A record's leaf elements by dotted path; a path met twice becomes a JSON list. Walked
    with a stack of its open elements, not by recursion: a record nested a thousand deep raised
    RecursionError past recognition and stopped the whole landing."""
    out: dict[str, str | list[str]] = {}
    open_elements: list[tuple[Iterator[ET.Element], str]] = [(iter(element), prefix)]
    while open_elements:
        children, path = open_elements[-1]
        child = next(children, None)
        if child is None:
            open_elements.pop()
            continue
        name = f"{path}{_name(child.tag)}"
        if len(child):
            open_elements.append((iter(child), f"{name}."))
            continue
        text = (child.text or "").strip()
        if name not in out:
            out[name] = text
        elif isinstance(found := out[name], list):
            found.append(text)
        else:
            out[name] = [found, text]
    return {k: json.dumps(v) if isinstance(v, list) else v for k, v in out.items()}


def _records(path: Path, file_name: str) -> Iterator[dict[str, str]]:
    """Each child of the root element, flattened, in file order; raises BadFileError naming
    `file_name`, the line and the column of XML that does not parse."""
    depth = 0
    root: ET.Element | None = None
    try:
        for event, element in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                depth += 1
                root = element if depth == 1 else root
                if depth == 1 and element.tag.startswith(SPREADSHEET_ML):
                    raise BadFileError(
                        f"{file_name}: line 1: an Excel XML spreadsheet, not a delimited text "
                        "file or an Ed-Fi interchange: save the sheet as CSV"
                    )
                continue
            depth -= 1
            if depth == 1:
                yield _flat(element)
                if root is not None:
                    root.clear()  # the written record, so the tree never grows
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]  # expat's words, without its own position
        raise BadFileError(
            f"{file_name}: line {line}, column {column + 1}: not well-formed XML ({reason})"
        ) from exc
    except BadFileError:
        raise
    except (LookupError, ValueError) as exc:
        # The XML declaration names an encoding expat cannot read (a multi-byte one such as
        # Shift_JIS, or one Python does not know): raised past recognition, it stopped the
        # whole landing, every other file with it.
        raise BadFileError(
            f"{file_name}: line 1: XML in an encoding this reader cannot decode ({exc}): "
            "save it as UTF-8"
        ) from exc


def head_lines(path: Path, n: int, file_name: str) -> list[str]:
    """The first `n` lines of the file's CSV form (its header and first records)."""
    records: list[dict[str, str]] = []
    reader = _records(path, file_name)
    try:
        for record in reader:
            records.append(record)
            if len(records) >= max(n - 1, 1):
                break
    finally:
        reader.close()
    if not records:
        raise BadFileError(f"{file_name}: line 1: an XML document with no records in its root")
    return csv_head(records, n)


def to_csv(path: Path, out: Path, file_name: str) -> None:
    """Write the XML file at `path` as a UTF-8 CSV with a header to `out`: one pass for the
    names every record uses, one to write the rows."""
    header = list(dict.fromkeys(name for record in _records(path, file_name) for name in record))
    if not header:
        raise BadFileError(f"{file_name}: line 1: an XML document with no records in its root")
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for record in _records(path, file_name):
            writer.writerow([record.get(name, "") for name in header])


def records_to_csv(path: Path, out: Path, file_name: str) -> None:
    """The CSV working copy of a JSON or XML delivery (`records_format` says which it is)."""
    write = json_records.to_csv if is_json(file_name) else to_csv
    write(path, out, file_name)
