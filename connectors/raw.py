"""Parse a landed CSV into raw Parquet: every column as delivered text, rejects kept with reasons.

DuckDB's CSV reader does the parsing (`store_rejects` keeps each malformed line with its line
number, column and error). Good rows get their physical line number by filling the gaps the
rejected lines leave, so every staged or quarantined row can be traced back to `file:line`.
"""

from __future__ import annotations

import csv
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from connectors.filespec import FileSpec

log = logging.getLogger(__name__)

META_COLUMNS = {
    "_load_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_line_number": "BIGINT",
    "_loaded_at": "TIMESTAMP",
}
REJECT_COLUMNS = {
    **META_COLUMNS,
    "_column": "VARCHAR",
    "_error_type": "VARCHAR",
    "_error": "VARCHAR",
    "_raw_line": "VARCHAR",
}


class BadFileError(ValueError):
    """A delivered file that cannot be parsed at all; the message names file, line and column."""


@dataclass(frozen=True)
class ParseResult:
    rows_parsed: int
    rows_rejected: int
    raw_path: Path
    rejects_path: Path


def table_dir(raw_root: Path, spec: FileSpec) -> Path:
    return raw_root / spec.source / spec.entity


def rejects_dir(raw_root: Path, spec: FileSpec) -> Path:
    return raw_root / spec.source / f"{spec.entity}__rejects"


def ensure_schema_files(raw_root: Path, spec: FileSpec) -> None:
    """Zero-row Parquet files that fix each raw table's columns before its first load.

    dbt's sources glob these folders; an empty folder would make every model fail.
    """
    con = duckdb.connect()
    try:
        for folder, columns in (
            (table_dir(raw_root, spec), {c: "VARCHAR" for c in spec.columns} | META_COLUMNS),
            (rejects_dir(raw_root, spec), REJECT_COLUMNS),
        ):
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "_schema.parquet"
            if not path.exists():
                cols = ", ".join(f'null::{kind} as "{name}"' for name, kind in columns.items())
                con.execute(f"copy (select {cols} limit 0) to '{path}' (format parquet)")
    finally:
        con.close()


def read_header(path: Path, file_name: str, spec: FileSpec) -> list[str]:
    """The header line, checked against the spec: a missing column rejects the whole file."""
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise BadFileError(f"{file_name}: line 1: the file is empty (no header line)")
    header = [name.strip() for name in header]
    missing = [c for c in spec.columns if c not in header]
    if missing:
        raise BadFileError(
            f"{file_name}: line 1, column {len(header) + 1}: expected column(s) "
            f"{', '.join(missing)} missing from the header of a {spec.table} file"
        )
    duplicated = {c for c in header if header.count(c) > 1}
    if duplicated:
        col = header.index(sorted(duplicated)[0]) + 1
        raise BadFileError(f"{file_name}: line 1, column {col}: duplicate header {duplicated}")
    return header


def record_start_lines(path: Path) -> list[int]:
    """Physical start line of each data record, for files with quoted newlines or blank lines."""
    starts: list[int] = []
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        line = reader.line_num + 1
        for row in reader:
            if row:
                starts.append(line)
            line = reader.line_num + 1
    return starts


def parse_csv(
    path: Path,
    *,
    spec: FileSpec,
    file_name: str,
    physical_lines: int,
    load_id: str,
    loaded_at: object,
    raw_root: Path,
    memory_limit: str = "1GB",
) -> ParseResult:
    """Parse the UTF-8 CSV at `path` into `<raw>/<source>/<entity>/<load_id>.parquet`."""
    header = read_header(path, file_name, spec)
    out = table_dir(raw_root, spec) / f"{load_id}.parquet"
    rej = rejects_dir(raw_root, spec) / f"{load_id}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    rej.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": True})
    try:
        columns = "{" + ", ".join(f"'{_q(c)}': 'VARCHAR'" for c in header) + "}"
        con.execute(
            f"""
            create temp table parsed as
            select * from read_csv('{_q(str(path))}', header = true, columns = {columns},
                auto_detect = false, delim = ',', quote = '"', escape = '"',
                strict_mode = true, null_padding = false, max_line_size = 1048576,
                store_rejects = true, rejects_table = 'rejects', rejects_scan = 'scans',
                rejects_limit = 0)
            """
        )
        rejected_lines = con.execute("select count(distinct line) from rejects").fetchone()[0]
        parsed = con.execute("select count(*) from parsed").fetchone()[0]
        data_lines = physical_lines - 1
        if parsed + rejected_lines == data_lines:
            con.execute(
                f"""
                create temp table good_lines as
                select line, row_number() over (order by line) as k
                from range(2, {data_lines + 2}) as t(line)
                where line not in (select line from rejects)
                """
            )
        else:
            # Quoted newlines or blank lines: number the records the slow, exact way.
            log.info("%s: records span lines; numbering them with the csv module", file_name)
            con.execute(
                """
                create temp table good_lines as
                select line, row_number() over (order by line) as k
                from unnest($starts::bigint[]) as t(line)
                where line not in (select line from rejects)
                """,
                {"starts": record_start_lines(path)},
            )
        cols = ", ".join(f'p."{_q_ident(c)}"' for c in header)
        meta = (
            f"'{load_id}' as _load_id, '{_q(file_name)}' as _source_file, "
            f"g.line as _line_number, '{loaded_at}'::timestamp as _loaded_at"
        )
        _copy_atomic(
            con,
            f"select {cols}, {meta} from (select *, rowid + 1 as k from parsed) p "
            "join good_lines g using (k) order by g.line",
            out,
        )
        _copy_atomic(
            con,
            f"""
            select '{load_id}' as _load_id, '{_q(file_name)}' as _source_file,
                line::bigint as _line_number, '{loaded_at}'::timestamp as _loaded_at,
                column_name as _column, error_type::varchar as _error_type,
                error_message as _error, csv_line as _raw_line
            from rejects
            qualify row_number() over (partition by line order by column_idx) = 1
            order by line
            """,
            rej,
        )
    finally:
        con.close()
    if rejected_lines:
        log.warning("%s: %d line(s) rejected by the CSV parser", file_name, rejected_lines)
    return ParseResult(parsed, rejected_lines, out, rej)


def _copy_atomic(con: duckdb.DuckDBPyConnection, query: str, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.part")
    con.execute(f"copy ({query}) to '{_q(str(tmp))}' (format parquet, compression zstd)")
    os.replace(tmp, dest)


def _q(text: str) -> str:
    return text.replace("'", "''")


def _q_ident(text: str) -> str:
    return text.replace('"', '""')
