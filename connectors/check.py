"""`districtwide check PATH...`: what a load would make of some files, without loading them.

For each file (a folder is searched, a zip unpacked) it says the layout it matches, or the closest
layouts and the columns they lack; the delimiter and encoding; the rows; the lines that would be
rejected (unreadable, or a date out of the layout's formats); the codes no crosswalk maps; and the
identity fields present. Everything runs through the same recognition and parsing as a load, in a
scratch folder that is deleted afterwards: nothing is archived and nothing reaches the warehouse.
Output names files and columns and counts codes, never a student's values.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from connectors.crosswalks import crosswalks_for, normalize_code
from connectors.delivery import Delivery, is_waiting, unpack
from connectors.encoding import legacy_to_utf8
from connectors.home import Home
from connectors.landing import LineScan
from connectors.layout import Layout
from connectors.raw import BadFileError, cursor, parse_csv
from connectors.recognize import recognize

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
    unmapped: dict[str, int] = field(default_factory=dict)
    identity: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.problem or self.rejected or self.unmapped)

    def lines(self) -> list[str]:
        head = f"{self.source_path}: "
        if self.layout is None:
            return [head + f"NOT RECOGNIZED: {self.problem}"]
        delim = {"\t": "tab"}.get(self.delimiter or "", self.delimiter)
        out = [
            head + f"{self.layout} → {self.raw_table} ({self.encoding}, delimiter {delim!r}); "
            f"{self.rows:,} rows, {self.rejected:,} rejected"
        ]
        if self.problem:
            out.append(f"  SET ASIDE: {self.problem}")
        for column, count in sorted(self.unmapped.items()):
            out.append(f"  {count} code(s) of {column} not in its crosswalk")
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


def check_file(delivery: Delivery, layouts: Sequence[Layout], scratch: Path) -> FileReport:
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
    if report.encoding is None:
        utf8 = scratch / "utf8.csv"
        scratch.mkdir(parents=True, exist_ok=True)
        report.encoding = legacy_to_utf8(delivery.path, utf8).encoding
    lines = scan.lines
    try:
        parsed = parse_csv(
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
    table = match.layout.raw_table
    with cursor() as con:
        for crosswalk in crosswalks_for(table.table):
            codes = crosswalk.codes()
            found = con.execute(
                f'select distinct "{crosswalk.column}" from read_parquet(?) '
                f"where nullif(trim(\"{crosswalk.column}\"), '') is not null",
                [str(parsed.raw_path)],
            ).fetchall()
            missing = {normalize_code(code) for (code,) in found} - codes
            if missing:
                report.unmapped[crosswalk.column] = len(missing)
        for label, columns in IDENTITY.items():
            present = [c for c in columns if c in table.columns]
            if present and _filled(con, parsed.raw_path, present):
                report.identity.append(label)
    return report


def _filled(con, path: Path, columns: list[str]) -> bool:
    condition = " or ".join(f"nullif(trim(\"{c}\"), '') is not null" for c in columns)
    return bool(
        con.execute(
            f"select count(*) from read_parquet(?) where {condition}", [str(path)]
        ).fetchall()[0][0]
    )


def check_paths(paths: Sequence[Path], layouts: Sequence[Layout]) -> list[FileReport]:
    """A report per file under `paths`; a file that cannot be read is reported, not raised."""
    scratch = Path(tempfile.mkdtemp(prefix="districtwide-check-"))
    try:
        deliveries = files_under(paths, Home(scratch))
        return [
            check_file(delivery, layouts, scratch / f"file{n}")
            for n, delivery in enumerate(deliveries)
        ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
