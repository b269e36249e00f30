"""`districtwide check PATH...`: what a load would make of some files, without loading them.

For each file (a folder is searched, a zip unpacked) it says the layout it matches, or the closest
layouts and the columns they lack; the delimiter and encoding; the rows; the lines that would be
rejected (unreadable, or a date out of the layout's formats); the codes no crosswalk maps; and the
identity fields present; a file a load would set aside as cut short is said so. Everything runs
through the same recognition and parsing as a load, in a scratch folder that is deleted
afterwards: nothing is archived and nothing reaches the warehouse. Output names files and columns
and counts codes, never a student's values.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from connectors.crosswalk_files import district_codes, seed_codes, seed_pairs, seed_rows
from connectors.crosswalks import CodeColumn, code_columns_for, normalize_code, normalize_school
from connectors.delivery import Delivery, is_waiting, unpack
from connectors.encoding import legacy_to_utf8
from connectors.fixed_width import parse_fixed_width
from connectors.home import Home
from connectors.json_records import rematch
from connectors.landing import LineScan
from connectors.layout import Layout
from connectors.load import cut_short
from connectors.raw import BadFileError, cursor, parse_csv
from connectors.recognize import recognize
from connectors.xml_records import records_format, records_to_csv
from settings.landing import LandingSettings

IDENTITY = {
    "state ID": ("SASID", "StateID", "identifier"),
    "local ID": ("StuNum", "StudentID", "LocalID", "SisNumber", "sourcedId", "studentSourcedId"),
    "names": ("LastName", "StudentLastName", "familyName"),
    "birth date": ("BirthDate", "StudentDateOfBirth", "birthDate"),
}


@dataclass
class FileReport:
    """What `check` found in one file."""

    source_path: str
    layout: str | None = None
    raw_table: str | None = None
    delimiter: str | None = None
    encoding: str | None = None
    rows: int = 0
    rejected: int = 0
    problem: str | None = None
    #: Per code column, the codes not in its crosswalk (codes, not student data).
    unmapped: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unmapped_schools: dict[str, int] = field(default_factory=dict)
    identity: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.problem or self.rejected or self.unmapped or self.unmapped_schools)

    def lines(self) -> list[str]:
        head = f"{self.source_path}: "
        if self.layout is None:
            return [head + f"NOT RECOGNIZED: {self.problem}"]
        delim = {"\t": "tab"}.get(self.delimiter or "", self.delimiter)
        form = f"delimiter {delim!r}" if delim else "fixed-width"
        out = [
            head + f"{self.layout} → {self.raw_table} ({self.encoding}, {form}); "
            f"{self.rows:,} rows, {self.rejected:,} rejected"
        ]
        if self.problem:
            out.append(f"  SET ASIDE: {self.problem}")
        for column, codes in sorted(self.unmapped.items()):
            shown = ", ".join(repr(code) for code in codes[:5]) + (", ..." if codes[5:] else "")
            out.append(f"  {len(codes)} code(s) of {column} not in its crosswalk: {shown}")
        out.extend(f"  warning: {warning}" for warning in self.warnings)
        for column, count in sorted(self.unmapped_schools.items()):
            out.append(
                f"  {count} school(s) of {column} not in the school crosswalk and matching no "
                "single SIS school: their rows would be quarantined"
            )
        if self.identity:
            out.append(f"  identity fields: {', '.join(self.identity)}")
        return out


def files_under(paths: Sequence[Path], scratch: Home) -> list[Delivery]:
    """Each path, a folder's files or a zip's members (unpacked under `scratch`), as deliveries
    named relative to it."""
    out: list[Delivery] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in sorted(path.rglob("*")) if p.is_file() and not is_waiting(p)]
            items = [(p, p.relative_to(path).as_posix()) for p in found]
        else:
            items = [(path, path.name)]
        for file, name in items:
            if file.suffix.lower() == ".zip":
                out.extend(unpack(scratch, file, name))
            else:
                out.append(Delivery(file, name))
    return out


def check_file(
    delivery: Delivery,
    layouts: Sequence[Layout],
    scratch: Path,
    home: Home | None = None,
    sis_schools: dict[str, int] | None = None,
    settings: LandingSettings | None = None,
) -> FileReport:
    report = FileReport(delivery.source_path)
    if delivery.problem:
        report.problem = delivery.problem
        return report
    seen = recognize(delivery.path, delivery.source_path, layouts)
    if seen.match is None:
        report.problem = seen.explain(delivery.source_path)
        return report
    match = seen.match
    report.layout, report.raw_table = match.layout.layout, match.layout.raw_table.table
    report.delimiter = match.delimiter
    if seen.error:
        report.problem = seen.error
        return report
    scan = LineScan()
    with delivery.path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            scan.update(chunk)
    report.encoding = scan.encoding()
    utf8 = delivery.path
    records = records_format(delivery.source_path)
    if records:
        utf8 = scratch / "records.csv"
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            records_to_csv(delivery.path, utf8, delivery.source_path)
            match = rematch(match, utf8, delivery.source_path)
        except BadFileError as exc:
            report.problem = str(exc)
            return report
        report.encoding = records
        scan = LineScan()
        with utf8.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                scan.update(chunk)
        utf8_lines = scan.lines
    elif report.encoding is None:
        utf8 = scratch / "utf8.csv"
        scratch.mkdir(parents=True, exist_ok=True)
        report.encoding = legacy_to_utf8(delivery.path, utf8).encoding
    if records:
        lines = utf8_lines
    else:
        lines = scan.lines if utf8 == delivery.path else _decoded_lines(utf8)[0]
    try:
        parse = parse_fixed_width if match.layout.fixed_width else parse_csv
        parsed = parse(
            utf8,
            match=match,
            file_name=delivery.source_path,
            physical_lines=lines,
            load_id="check",
            loaded_at="2000-01-01",
            raw_root=scratch,
            longest_line=scan.long_line(),
        )
    except BadFileError as exc:
        report.problem = str(exc)
        return report
    report.rows, report.rejected = parsed.rows_parsed, parsed.rows_rejected
    if utf8 != delivery.path:
        lines, ends = _decoded_lines(utf8)
    else:
        lines, ends = scan.lines, scan.ends_with_newline
    report.problem = cut_short(
        delivery.source_path, lines, ends, parsed, settings or LandingSettings()
    )
    if not (report.problem or ends) and parsed.rows_parsed + parsed.rows_rejected:
        report.warnings.append(f"line {lines}: no line ending after the last line")
    table = match.layout.raw_table
    counted = counted_rows(match.layout)
    with cursor() as con:
        for column in code_columns_for(table.table):
            if column.fallback:
                pairs = con.execute(
                    f"select distinct nullif(trim(\"{column.column}\"), ''), "
                    f"nullif(trim(\"{column.fallback}\"), '') from read_parquet(?) "
                    f"where {counted}",
                    [str(parsed.raw_path)],
                ).fetchall()
                missing = unmapped_pairs(column, pairs, home, sis_schools or {})
                if missing:
                    report.unmapped_schools[f"{column.column}/{column.fallback}"] = len(missing)
                continue
            found = {
                code
                for (code,) in con.execute(
                    f'select distinct "{column.column}" from read_parquet(?) '
                    f"where nullif(trim(\"{column.column}\"), '') is not null and {counted}",
                    [str(parsed.raw_path)],
                ).fetchall()
            }
            missing = unmapped(column, found, home, sis_schools or {})
            if missing and column.school:
                report.unmapped_schools[column.column] = len(missing)
            elif missing:
                report.unmapped[column.column] = sorted(missing)
        for label, columns in IDENTITY.items():
            present = [c for c in columns if c in table.columns]
            if present and _filled(con, parsed.raw_path, present):
                report.identity.append(label)
    return report


def counted_rows(layout: Layout) -> str:
    """SQL over the file's raw rows: the rows staging keeps or judges by their codes. A state
    file's rows of a kind that is not a state test (seed state_assessment_types: Ohio's OELPA,
    CERS's interims) are quarantined as such whatever their codes, so their codes are not told
    to the district as unmapped."""
    if layout.raw_table.table != "assessment__state_results":
        return "true"
    kinds = sorted(
        normalize_code(row["assessment_type"])
        for row in seed_rows("state_assessment_types")
        if row["layout"] == layout.layout and row["is_state_test"].strip().lower() == "false"
    )
    if not kinds:
        return "true"
    listed = ", ".join("'" + kind.replace("'", "''") + "'" for kind in kinds)
    # The code as dbt's `code_key` compares it (and normalize_code above): runs of white space one.
    code = "upper(trim(regexp_replace(\"Assessment\", '\\s+', ' ', 'g')))"
    return f"coalesce({code}, '') not in ({listed})"


def _decoded_lines(path: Path) -> tuple[int, bool]:
    """(physical lines, ends with a line ending) of a UTF-8 working copy."""
    scan = LineScan()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            scan.update(chunk)
    return scan.lines, scan.ends_with_newline


def unmapped(
    column: CodeColumn, found: set[str], home: Home | None, sis_schools: dict[str, int]
) -> set[str]:
    """The values of `found` that the district's crosswalk does not map (for a school: nor
    exactly one SIS school of the last build, `sis_schools`: school key → number of schools)."""
    if column.seed:
        codes = seed_codes(column.crosswalk, column.key)
    else:
        codes = district_codes(home, column.crosswalk, column.key, column.where)
    if column.also_seed:
        seed, key, code = column.also_seed
        codes = codes | {k for k, c in seed_pairs(seed, key, code) if c in codes}
    if column.school:
        keys = {normalize_school(value) for value in found}
        return {k for k in keys if k not in codes and sis_schools.get(k) != 1}
    if column.read_as:
        found = {column.read_as(value) for value in found}
    return {normalize_code(value) for value in found} - codes


def unmapped_pairs(
    column: CodeColumn,
    pairs: Sequence[tuple[str | None, str | None]],
    home: Home | None,
    sis_schools: dict[str, int],
) -> set[str]:
    """The (column, fallback) value pairs a load would not map, as the fallback's value (or the
    column's, when the row has no fallback value): neither the value nor its fallback maps."""
    firsts = unmapped(column, {a for a, _ in pairs if a}, home, sis_schools)
    seconds = unmapped(column, {b for _, b in pairs if b}, home, sis_schools)
    key = normalize_school if column.school else normalize_code
    return {
        key(b or a)
        for a, b in pairs
        if (a or b) and (a is None or key(a) in firsts) and (b is None or key(b) in seconds)
    }


def _filled(con, path: Path, columns: list[str]) -> bool:
    condition = " or ".join(f"nullif(trim(\"{c}\"), '') is not null" for c in columns)
    return bool(
        con.execute(
            f"select count(*) from read_parquet(?) where {condition}", [str(path)]
        ).fetchall()[0][0]
    )


def last_build_schools(home: Home) -> dict[str, int]:
    """School key → number of SIS schools under it, from the last build's
    `crosswalks.school_candidates` (empty before a first build, or while a load holds the file)."""
    if not home.warehouse.is_file():
        return {}
    try:
        with duckdb.connect(str(home.warehouse), read_only=True) as con:
            rows = con.execute(
                "select match_key, n_schools from crosswalks.school_candidates"
            ).fetchall()
    except duckdb.Error:
        return {}
    return dict(rows)


def check_paths(
    paths: Sequence[Path], layouts: Sequence[Layout], home: Home | None = None
) -> list[FileReport]:
    """A report per file under `paths`, its codes against `home`'s crosswalks (the shipped
    defaults without one); a file that cannot be read is reported, not raised. A crosswalk file
    that is itself broken raises CrosswalkError (file and line)."""
    scratch = Path(tempfile.mkdtemp(prefix="districtwide-check-"))
    sis_schools = last_build_schools(home) if home else {}
    try:
        deliveries = files_under(paths, Home(scratch))
        return [
            check_file(delivery, layouts, scratch / f"file{n}", home, sis_schools)
            for n, delivery in enumerate(deliveries)
        ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
