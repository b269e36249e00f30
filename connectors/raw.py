"""Parse a landed CSV into raw Parquet: every column as delivered text, rejects kept with reasons.

DuckDB's CSV reader does the parsing (`store_rejects` keeps each malformed line with its line
number, column and error). When no line was rejected and no record spans lines (the usual file), a
good row's position is its line; otherwise good rows get their physical line by filling the gaps
the rejected lines leave, in file order (a positional join, no sort), so every staged or
quarantined row can be traced back to `file:line`.

Landing and parsing share one in-process DuckDB (`cursor()`): opening a database costs about 20 ms
of CPU, a cursor on an open one a fraction of a millisecond. Its `threads = 1` runs each query on
the thread that asked, so files landed by a thread pool parse side by side, one core each.
"""

from __future__ import annotations

import csv
import logging
import os
import threading
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
# The landing DuckDB's settings: one thread per query (the caller's), memory shared by the queries
# of all landing threads.
DUCKDB_CONFIG = {"threads": 1, "memory_limit": "1GB", "preserve_insertion_order": True}

_database: tuple[int, duckdb.DuckDBPyConnection] | None = None
_database_lock = threading.Lock()


class BadFileError(ValueError):
    """A delivered file that cannot be parsed at all; the message names file, line and column."""


@dataclass(frozen=True)
class ParseResult:
    rows_parsed: int
    rows_rejected: int
    raw_path: Path
    rejects_path: Path


def cursor() -> duckdb.DuckDBPyConnection:
    """A connection to the landing DuckDB (in memory, opened once per process); close it after use.

    Each cursor has its own temporary tables, so threads may parse at the same time.
    """
    global _database
    with _database_lock:
        if _database is None or _database[0] != os.getpid():
            _database = (os.getpid(), duckdb.connect(config=DUCKDB_CONFIG))
        return _database[1].cursor()


def table_dir(raw_root: Path, spec: FileSpec) -> Path:
    return raw_root / spec.source / spec.entity


def rejects_dir(raw_root: Path, spec: FileSpec) -> Path:
    return raw_root / spec.source / f"{spec.entity}__rejects"


def ensure_schema_files(raw_root: Path, spec: FileSpec) -> None:
    """Zero-row Parquet files that fix each raw table's columns before its first load.

    dbt's sources glob these folders; an empty folder would make every model fail.
    """
    missing = [
        (folder, columns)
        for folder, columns in (
            (table_dir(raw_root, spec), {c: "VARCHAR" for c in spec.columns} | META_COLUMNS),
            (rejects_dir(raw_root, spec), REJECT_COLUMNS),
        )
        if not (folder / "_schema.parquet").exists()
    ]
    if not missing:
        return
    with cursor() as con:
        for folder, columns in missing:
            folder.mkdir(parents=True, exist_ok=True)
            cols = ", ".join(f'null::{kind} as "{name}"' for name, kind in columns.items())
            _copy_atomic(con, f"select {cols} limit 0", folder / "_schema.parquet", "snappy")


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


def record_lines(path: Path) -> list[tuple[int, int]]:
    """(physical start line, DuckDB's line number) of each data record, for files whose records
    span lines (quoted newlines) or that hold blank lines.

    DuckDB numbers a record by physical lines less the newlines inside quoted fields before it
    (blank lines count); its rejects carry that number.
    """
    records: list[tuple[int, int]] = []
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        quoted_newlines = max(reader.line_num - 1, 0)
        start = reader.line_num + 1
        for row in reader:
            end = reader.line_num
            if row:
                records.append((start, start - quoted_newlines))
                quoted_newlines += end - start
            start = end + 1
    return records


def parse_csv(
    path: Path,
    *,
    spec: FileSpec,
    file_name: str,
    physical_lines: int,
    load_id: str,
    loaded_at: object,
    raw_root: Path,
) -> ParseResult:
    """Parse the UTF-8 CSV at `path` into `<raw>/<source>/<entity>/<load_id>.parquet`."""
    header = read_header(path, file_name, spec)
    out = table_dir(raw_root, spec) / f"{load_id}.parquet"
    rej = rejects_dir(raw_root, spec) / f"{load_id}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    rej.parent.mkdir(parents=True, exist_ok=True)
    columns = "{" + ", ".join(f"'{_q(c)}': 'VARCHAR'" for c in header) + "}"
    cols = ", ".join(f'p."{_q_ident(c)}"' for c in header)
    meta = f"'{load_id}' as _load_id, '{_q(file_name)}' as _source_file"
    loaded = f"'{loaded_at}'::timestamp as _loaded_at"
    with cursor() as con:
        con.execute(
            f"""
            create temp table parsed as
            select * from read_csv('{_q(str(path))}', header = true, columns = {columns},
                auto_detect = false, delim = ',', quote = '"', escape = '"',
                strict_mode = true, null_padding = false, max_line_size = 1048576,
                store_rejects = true, rejects_table = 'rejects', rejects_scan = 'scans',
                rejects_limit = 0)
            """
        ).fetchall()
        [(parsed, rejected_lines)] = con.execute(
            "select (select count(*) from parsed), (select count(distinct line) from rejects)"
        ).fetchall()
        data_lines = physical_lines - 1
        if rejected_lines == 0 and parsed == data_lines:
            # One record per line, none rejected: the row's position gives its line.
            rows, line, reject_line = "parsed p", "p.rowid + 2", "r.line"
        else:
            _number_lines(con, path, file_name, parsed, rejected_lines, data_lines)
            rows, line = "parsed p positional join good_lines g", "g.line"
            reject_line = "(select l.line from reject_lines l where l.parser_line = r.line)"
        query = f"select {cols}, {meta}, {line} as _line_number, {loaded} from {rows}"
        _copy_atomic(con, query, out)
        _copy_atomic(
            con,
            f"""
            select {meta}, {reject_line}::bigint as _line_number, {loaded},
                column_name as _column, error_type::varchar as _error_type,
                error_message as _error, csv_line as _raw_line
            from rejects r
            qualify row_number() over (partition by r.line order by column_idx) = 1
            order by r.line
            """,
            rej,
        )
    if rejected_lines:
        log.warning("%s: %d line(s) rejected by the CSV parser", file_name, rejected_lines)
    return ParseResult(parsed, rejected_lines, out, rej)


def _number_lines(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    file_name: str,
    parsed: int,
    rejected_lines: int,
    data_lines: int,
) -> None:
    """Temp tables `good_lines` (the physical line of each parsed row, in order) and
    `reject_lines` (the physical line of each line the parser numbered in its rejects)."""
    if parsed + rejected_lines == data_lines:
        # One record per line: DuckDB's line numbers are physical lines.
        con.execute(
            f"""
            create temp table record_lines as
            select line, line as parser_line from range(2, {data_lines + 2}) as t(line)
            """
        ).fetchall()
    else:
        # Quoted newlines or blank lines: number the records the slow, exact way.
        log.info("%s: records span lines; numbering them with the csv module", file_name)
        records = record_lines(path)
        con.execute(
            """
            create temp table record_lines as
            select unnest($starts::bigint[]) as line, unnest($parser::bigint[]) as parser_line
            """,
            {"starts": [start for start, _ in records], "parser": [line for _, line in records]},
        ).fetchall()
    con.execute(
        """
        create temp table good_lines as
        select line from record_lines
        where parser_line not in (select line from rejects)
        order by line
        """
    ).fetchall()
    con.execute(
        """
        create temp table reject_lines as
        select l.line, l.parser_line from record_lines l
        where l.parser_line in (select line from rejects)
        """
    ).fetchall()
    numbered = con.execute("select count(*) from good_lines").fetchall()[0][0]
    if numbered != parsed:
        raise BadFileError(
            f"{file_name}: the CSV parser read {parsed} good record(s) where the file's lines "
            f"hold {numbered}; its quoting is broken, so its rows cannot be given line numbers"
        )


def _copy_atomic(
    con: duckdb.DuckDBPyConnection, query: str, dest: Path, compression: str = "zstd"
) -> None:
    tmp = dest.with_name(f".{dest.name}.part")
    con.execute(f"copy ({query}) to '{_q(str(tmp))}' (format parquet, compression {compression})")
    os.replace(tmp, dest)


def _q(text: str) -> str:
    return text.replace("'", "''")


def _q_ident(text: str) -> str:
    return text.replace('"', '""')
