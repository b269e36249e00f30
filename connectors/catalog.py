"""The catalogue of sources and layouts districtwide reads, rendered from the layout files.

`python -m connectors.catalog > docs/sources.md` writes it; a test keeps the page equal to the
layout files, so the documentation can never describe a layout the code does not have. It is the
one catalogue: per source, each layout's name, the specification it follows, the header columns
that identify a file as that layout and the canonical raw table it feeds.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Sequence

from connectors.layout import DELIMITERS, Layout, load_layouts
from connectors.tables import RAW_TABLES, SOURCES

TITLES = {
    "sis": "Student information system (`landing/sis/`)",
    "attendance": "Attendance (`landing/attendance/`)",
    "assessment": "Assessment (`landing/assessment/`)",
}

#: What was searched for and not found, per source: so a district knows which export to ask for.
NOTES = {
    "attendance": (
        "Infinite Campus and Aspen (Follett): no published daily attendance file layout was found"
        " (searched December 2026: vendor documentation, public pages and public repositories for"
        ' an Infinite Campus "Attendance Extract", ad hoc "Day Attendance" export or Ed-Fi'
        ' mapping, and for an Aspen "Student Attendance" export). Infinite Campus\'s attendance'
        " extracts are state-reporting extracts, each in its state's layout (Arizona's AZ"
        " Attendance Extract, Illinois's ISBE Student Attendance), and its ad hoc exports hold the"
        " fields a district picks; Aspen's help describes the Student Attendance records and"
        " their preferences but no export layout. Infinite Campus documents its Ed-Fi Student"
        " School Attendance Events feed (per state, for example Indiana's). A district on either"
        " system delivers that Ed-Fi resource (`edfi_student_school_attendance_event`), an export"
        " in districtwide's layout (`districtwide_attendance_exceptions` with"
        " `districtwide_attendance_students`), or adds its ad hoc export's layout as a YAML file"
        " in `$DISTRICTWIDE_HOME/config/layouts/`."
    ),
    "assessment": (
        "Texas STAAR grades 3-8 and end-of-course student data files are fixed-width text"
        " without a header: their layouts give each field's position and are recognized by"
        " record length and field patterns (administration date, grade, county-district-campus"
        " number), not by a header. STAAR Alternate 2 files and Georgia Milestones End of Grade"
        " files (2015-2017 copies), also fixed-width, have no layout yet (an Alternate 2 file"
        " has the standard file's record length and is read by its layout, its Level II/III"
        " flags quarantined as an unmapped achievement level). Minnesota's MCA"
        " download saved without its header line (as in a 2024 copy) is not recognized: keep"
        " the header row. Cambium's long student-results exports of states without a layout"
        " here (SC-Alt, Connecticut, Oregon, Vermont, North Dakota, Montana) and Ohio's"
        " per-test exports (one test per file, 18-23 columns) share FAST's identity columns and"
        " are refused, naming what FAST lacks; Ohio's Student Results Data File, comma-delimited"
        " or fixed-width, is read. North Carolina's NCTest files, Virginia SOL, New York and"
        " Texas STAAR"
        " as comma-delimited conversions have no layout yet (a district adds one in"
        " `$DISTRICTWIDE_HOME/config/layouts/`)."
    ),
}


def identifying_columns(layout: Layout) -> str:
    """The header columns a file must have, first name of each (the others are its aliases)."""
    names = [f"`{r.names[0]}`" for r in layout.rules if r.from_file and not r.optional]
    return ", ".join(dict.fromkeys(names))


def render(layouts: Sequence[Layout]) -> str:
    lines = [
        "# The sources and layouts districtwide reads",
        "",
        "Generated from `connectors/layouts/` by `python -m connectors.catalog > docs/sources.md`;",
        "do not edit (a test keeps it equal to the layout files).",
        "",
        "Drop files into `landing/` as delivered: any name, subfolders, zips (a zip inside a zip",
        "too). Each file is recognized by its header, never by its name alone: it must hold every",
        "identifying column of a layout, names compared without case, spaces or punctuation (a",
        "layout's aliases count too); when several layouts fit, the one that uses the most of the",
        "file's columns wins (a headerless fixed-width file is recognized by its record length and",
        "the fields that always hold a known pattern); a layout that is one version of a file",
        "changing between school years reads only the files of its years (the year from the",
        "file's SchoolYear column). A JSON file (`.json` array or `.jsonl` lines, as an Ed-Fi",
        "API pull) is read as the CSV of its records, nested fields named by dotted paths",
        "(`studentReference.studentUniqueId`); an Ed-Fi XML interchange (`.xml`) likewise, each",
        "child of its root a record named by element paths",
        "(`StudentReference.StudentIdentity.StudentUniqueId`). A PDF, a workbook or an HTML page",
        "is refused as such. The delimiter is detected when a layout does not fix it; the",
        "encoding is detected per file (UTF-8, UTF-16 with or without a byte order mark) and per",
        "line (a Windows-1252 line in a UTF-8 file is read as such, counted and reported). A",
        "district adds or overrides a layout with a YAML file in",
        "`$DISTRICTWIDE_HOME/config/layouts/` (see `connectors/layout.py`). The synthetic",
        "district's own generic layouts (`districtwide_*`, OneRoster 1.1) are described column by",
        "column in [districtwide_layouts.md](districtwide_layouts.md).",
        "",
    ]
    tables = {table.table: table for table in RAW_TABLES}
    for source in SOURCES:
        feeding = sorted(
            (x for x in layouts if x.source == source),
            key=lambda x: (x.raw_table.table, x.layout),
        )
        if not feeding:
            continue
        lines += [f"## {TITLES.get(source, source)}", ""]
        lines += [
            "| layout | what | feeds | identifying header columns | delimiter |",
            "| --- | --- | --- | --- | --- |",
        ]
        for layout in feeding:
            delimiter = DELIMITERS.get(layout.delimiter or "", "detected")
            columns = identifying_columns(layout)
            if fixed := layout.fixed_width:
                delimiter = "fixed-width, no header"
                size = (
                    f"up to {fixed.record_length}"
                    if fixed.record_end
                    else f"{fixed.min_length}-{fixed.record_length}"
                    if fixed.min_record_length
                    else fixed.record_length
                )
                end = f" ending in `{fixed.record_end}`" if fixed.record_end else ""
                columns = f"records of {size} characters{end}; " + ", ".join(
                    f"`{name}` ({fixed.fields[name].start}-{fixed.fields[name].end}) "
                    "`" + pattern.replace("|", "\\|") + "`"
                    for name, pattern in fixed.expect.items()
                )
            if layout.header_line > 1:
                columns += f" (header on line {layout.header_line})"
            if layout.requires:
                columns += ", " + ", ".join(
                    " or ".join(f"`{name}`" for name in names) for names in layout.required_names
                )
            if layout.unpivot:
                columns += f"; wide: {len(layout.unpivot)} column groups, one row each"
            if layout.max_columns is not None:
                columns += f"; files of at most {layout.max_columns} columns"
            if layout.files and "*.csv" not in layout.files:
                columns += "; file name " + " or ".join(f"`{p}`" for p in layout.files)
            if layout.school_years is not None:
                columns += f"; files of school years {layout.school_years} only"
            lines.append(
                f"| `{layout.layout}` | {layout.title} | `{layout.raw_table.table}` | "
                f"{columns} | {delimiter} |"
            )
        if source in NOTES:
            lines += ["", *textwrap.wrap(NOTES[source], 96, break_on_hyphens=False)]
        lines += ["", "Canonical tables:", ""]
        for table in dict.fromkeys(x.raw_table.table for x in feeding):
            lines.append(f"- `{table}`: {tables[table].description}")
        lines += ["", "Specifications:", ""]
        for layout in feeding:
            reference = " ".join(layout.reference.split())
            lines.append(f"- `{layout.layout}` ({layout.vendor}): {reference}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render(load_layouts()))
