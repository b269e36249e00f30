"""The delivered files that did not load, as the people who can fix them need to hear it.

Read from the landing audit (`raw/_audit/`), so the same list serves the run's summary, the
steward's email (a set-aside file) and district IT's (a file no layout recognizes), whichever
process asks:

- *set aside*: the latest try of a file name failed its layout; the previous good delivery of
  that name stays in effect until corrected bytes arrive (`connectors.landing.Loaded`);
- *held*: the file loaded, but a blocking check failed on its source's new data, so it was held
  back (`connectors.holds`); likewise its previous delivery stays in effect;
- *unrecognized*: the latest audit row of a delivered path says no layout matched its header,
  or that it was refused unread (a symbolic link: status `refused`, nothing archived);
- *warning*: the latest try of a file name loaded, with something its steward should hear (lines
  in another encoding, by number; a header and no rows): told once, the file stays in effect.

Each comes with a one-line fix in plain words (`fix_hint`). For an unrecognized file, the header
and the closest layouts are read again from its archived copy, never from the audit's text: a file
delivered without its header row has a student's record on line 1, so a header that looks like
data (dates, ID-like numbers, e-mail addresses) is not shown, only said to be missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb

from connectors.home import Home
from connectors.landing import audit_glob
from connectors.layout import Layout
from connectors.raw import cursor
from connectors.recognize import BadFileError, Miss, head_lines, recognize, split_header

Kind = Literal["held", "set_aside", "unrecognized", "warning"]

# Where a district adds its own layouts (over the shipped ones), as said to district IT.
LAYOUTS_FOLDER = "$DISTRICTWIDE_HOME/config/layouts/"
HEADER_NAMES_SHOWN = 40

# A header field that is a value, not a column name: a date, a run of 5+ digits, an e-mail.
_VALUE = re.compile(
    r"^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|.*\d{5,}.*|[^@\s]+@[^@\s]+\.\w+|-?\d+(?:\.\d+)?)\s*$"
)

# The fix for each kind of error, by what its message says (first match wins).
HINTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), hint)
    for pattern, hint in (
        (
            r"symbolic link",
            "Landing takes files, not links to them: copy the file itself into landing/ (or, if "
            "links there are meant, set landing.link_root in the district config to the folder "
            "they point into).",
        ),
        (
            r"mixed encodings",
            "The lines named were not UTF-8 and were read as Windows-1252: check those records "
            "in the source system (a value pasted from another program?) and export the file "
            "as UTF-8 throughout.",
        ),
        (
            r"truncat|ends inside|cut off|cut short",
            "The file ends in the middle of a record (a transfer cut short?): copy it again from "
            "the source and drop the complete file.",
        ),
        (
            r"data lines rejected",
            "Most of the file's lines do not fit its layout (the wrong export, another delimiter "
            "or a broken quote): re-export it and drop the file again; `districtwide check "
            "FILE` shows the rejected lines first.",
        ),
        (
            r"held back",
            "Its rows failed a blocking quality check (named above; the quality email says what "
            "it means): correct the export in the source system and drop the file again.",
        ),
        (
            r"empty|no header line",
            "The file is empty: re-export it from the source system and drop it again.",
        ),
        (
            r"header.only|no data rows|only a header",
            "The file holds its header row but no records: check the export's filter (school "
            "year, date range) and re-export it.",
        ),
        (
            r"binary|not a delimited text",
            "The file is not a delimited text file (a spreadsheet or PDF?): export it as CSV "
            "(comma, tab or pipe separated) and drop that file instead.",
        ),
        (
            r"utf-?16|encoding|decode",
            "The file's character encoding cannot be read: export it as UTF-8 (or Windows-1252) "
            "CSV.",
        ),
        (
            r"same name as column|duplicate column|twice",
            "Two header columns have the same name once case, spaces and punctuation are "
            "ignored: rename or remove one of them in the export and drop the file again.",
        ),
        (
            r"quot",
            "A quoted field is not closed, so the file's rows cannot be told apart: re-export "
            "it with every text field quoted (or none), and without line breaks inside fields.",
        ),
        (
            r"delimiter|separat",
            "The file's separator is not one the layout reads: export it comma-, tab-, pipe-, "
            "caret- or semicolon-separated.",
        ),
        (
            r"(dd/mm/yyyy|day.first|date).*format|format.*date",
            "A date column does not hold the dates in the format the layout reads (for example "
            "DD/MM/YYYY where the layout reads MM/DD/YYYY): export the dates in the layout's "
            "format, or add that format to the column in the layout.",
        ),
        (
            r"field.*(long|large|bytes|MB)|too (long|large)",
            "A field is far larger than any real value (a whole document pasted into one cell?): "
            "fix that record in the source system and re-export.",
        ),
        (
            r"no layout matches|lacks",
            "No layout knows this file's header: add a layout for it in "
            f"{LAYOUTS_FOLDER} (one YAML file, see docs/sources.md), or re-export it with the "
            "columns the closest layout needs.",
        ),
    )
)
DEFAULT_HINT = (
    "Open the file in the system that exported it, correct the export so it fits its layout "
    "(docs/sources.md lists each layout's columns and formats), and drop the corrected file."
)


@dataclass(frozen=True)
class Closest:
    """A layout the file came close to, and the columns it lacked."""

    layout: str
    missing: tuple[str, ...]


@dataclass(frozen=True)
class FileProblem:
    """One delivered file that is not in effect: set aside, or recognized by no layout."""

    kind: Kind
    source_path: str  # its path under landing/, as delivered
    sha256: str
    source: str | None  # the source it feeds (set aside) or its landing folder names
    error: str
    seen_at: datetime
    layout: str | None = None
    archive_path: str | None = None
    # Unrecognized files only: the header seen (empty when it looks like data) and the closest.
    header: tuple[str, ...] = ()
    header_is_data: bool = False
    closest: tuple[Closest, ...] = field(default_factory=tuple)
    # Refused unread (a symbolic link): nothing of it was archived.
    refused: bool = False

    @property
    def key(self) -> str:
        """Once per file bytes: the alert state's key."""
        return f"{self.kind}:{self.source_path}:{self.sha256}"

    @property
    def hint(self) -> str:
        if self.kind == "unrecognized" and self.header_is_data:
            return (
                "The first line holds values, not column names: re-export the file with its "
                "header row."
            )
        return fix_hint(self.error)


def fix_hint(error: str) -> str:
    """How to fix a file, in one or two sentences, from its error message."""
    for pattern, hint in HINTS:
        if pattern.search(error or ""):
            return hint
    return DEFAULT_HINT


def looks_like_data(header: Sequence[str]) -> bool:
    """True when a header line holds values (a student's record), not column names."""
    return any(_VALUE.match(name) for name in header if name.strip())


def file_problems(home: Home, layouts: Sequence[Layout] = ()) -> list[FileProblem]:
    """Every file now set aside or unrecognized, in path order; `layouts` (the district's) find
    the closest layouts of an unrecognized file."""
    if not any(home.audit.glob("*.parquet")):
        return []
    audit = f"read_parquet('{audit_glob(home)}', union_by_name=true)"
    try:
        with cursor() as con:
            aside = con.execute(
                f"""
                with tries as (
                    select *, row_number() over (
                        partition by raw_table, source_file order by load_id desc) as recency
                    from {audit} where status in ('loaded', 'failed', 'held'))
                select status, source_path, sha256, source, error, loaded_at, layout, archive_path
                from tries where recency = 1 and status in ('failed', 'held')
                order by source_path
                """
            ).fetchall()
            unknown = con.execute(
                f"""
                with tries as (
                    select *, row_number() over (
                        partition by source_path order by load_id desc) as recency
                    from {audit} where source_path is not null)
                select source_path, sha256, source, error, loaded_at, layout, archive_path,
                    status = 'refused'
                from tries where recency = 1 and status in ('unrecognized', 'refused')
                order by source_path
                """
            ).fetchall()
            warned = con.execute(
                f"""
                with tries as (
                    select *, row_number() over (
                        partition by raw_table, source_file order by load_id desc) as recency
                    from {audit} where status in ('loaded', 'failed', 'held'))
                select source_path, sha256, source, warning, loaded_at, layout, archive_path
                from tries where recency = 1 and status = 'loaded' and warning is not null
                order by source_path
                """
            ).fetchall()
    except duckdb.BinderException:
        # An audit from before files were named by path: nothing to say about it.
        return []
    kinds: dict[str, Kind] = {"failed": "set_aside", "held": "held"}
    problems = [FileProblem(kinds[status], *row) for status, *row in aside]
    problems += [_unrecognized(row, layouts) for row in unknown]
    problems += [FileProblem("warning", *row) for row in warned]
    return sorted(problems, key=lambda p: (p.kind, p.source_path))


def _unrecognized(row: tuple, layouts: Sequence[Layout]) -> FileProblem:
    *fields, refused = row
    problem = FileProblem("unrecognized", *fields, refused=refused)
    archived = Path(problem.archive_path) if problem.archive_path else None
    if archived is None or not archived.is_file():
        return problem
    try:
        lines = head_lines(archived, 1, problem.source_path)
    except BadFileError:
        return problem
    header = split_header(lines[0], None)[1] if lines else ()
    closest: tuple[Closest, ...] = ()
    if layouts:
        seen = recognize(archived, problem.source_path, layouts)
        closest = tuple(_closest(m) for m in seen.closest() if m.missing)
    is_data = looks_like_data(header)
    return FileProblem(
        **{
            **problem.__dict__,
            "header": () if is_data else header,
            "header_is_data": is_data,
            "closest": closest,
        }
    )


def _closest(miss: Miss) -> Closest:
    return Closest(miss.layout.layout, miss.missing)


def describe(problem: FileProblem) -> str:
    """One line for a summary or a log: the file, what is wrong (scrubbed by the caller)."""
    if problem.kind != "unrecognized" or problem.refused:
        return f"{problem.source_path}: {problem.error.removeprefix(problem.source_path + ': ')}"
    near = "; ".join(f"{c.layout} lacks {', '.join(c.missing)}" for c in problem.closest)
    return f"{problem.source_path}: {header_text(problem)}" + (f"; closest: {near}" if near else "")


def header_text(problem: FileProblem) -> str:
    """The header as seen, or why it is not shown."""
    if problem.header_is_data:
        return "its first line holds values, not column names (not shown)"
    if not problem.header:
        return "no header could be read"
    names = problem.header[:HEADER_NAMES_SHOWN]
    more = len(problem.header) - len(names)
    return (
        f"header ({len(problem.header)} columns): "
        + ", ".join(names)
        + (f", and {more} more" if more else "")
    )
