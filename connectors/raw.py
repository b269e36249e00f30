"""Parse a landed file into its canonical raw table: every value as text, rejects kept with reasons.

DuckDB's CSV reader does the parsing (`store_rejects` keeps each malformed line with its line
number, column and error). When no line was rejected and no record spans lines (the usual file), a
good row's position is its line; otherwise good rows get their physical line by filling the gaps
the rejected lines leave, in file order (a positional join, no sort), so every staged or
quarantined row can be traced back to `file:line`. The file's columns are read by position and
mapped onto the canonical table its layout feeds (`connectors/mapping.py`).

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

from connectors.layout import Layout
from connectors.mapping import canonical_select
from connectors.recognize import BadFileError, Match
from connectors.tables import RawTable
from settings.environment import EnvironmentSettings

log = logging.getLogger(__name__)

META_COLUMNS = {
    "_load_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_line_number": "BIGINT",
    "_loaded_at": "TIMESTAMP",
    "_layout": "VARCHAR",
}
REJECT_COLUMNS = {
    **META_COLUMNS,
    "_column": "VARCHAR",
    "_error_type": "VARCHAR",
    "_error": "VARCHAR",
    "_raw_line": "VARCHAR",
}
# The landing DuckDB's settings: one thread per query (the caller's), memory shared by the queries
# of all landing threads. `cursor()` adds the district's memory cap and spill folder.
DUCKDB_CONFIG = {"threads": 1, "memory_limit": "1GB", "preserve_insertion_order": True}

_database: tuple[int, duckdb.DuckDBPyConnection] | None = None
_database_lock = threading.Lock()


# A field longer than this rejects its line (a 50 MB field never reaches the warehouse).
MAX_LINE_BYTES = 1 << 20
# A line longer than this sets its file aside: DuckDB needs a read buffer as long as the line to
# reject it (with a shorter buffer it drops the line without a word and misnumbers the rest).
MAX_READABLE_LINE = 256 << 20

__all__ = ["BadFileError", "parse_csv", "cursor"]


@dataclass(frozen=True)
class ParseResult:
    rows_parsed: int
    rows_rejected: int
    raw_path: Path
    rejects_path: Path
    # Whether the file's last line was rejected (with no final line ending: a cut file).
    last_line_rejected: bool = False
    # The line of a quote never closed, when its record ran to the end of the file.
    open_quote_line: int | None = None
    # The parser's error type on the last rejected line, and the first rejected line.
    last_error_type: str | None = None
    first_rejected_line: int | None = None


def cursor() -> duckdb.DuckDBPyConnection:
    """A connection to the landing DuckDB (in memory, opened once per process); close it after use.

    Each cursor has its own temporary tables, so threads may parse at the same time.
    """
    global _database
    with _database_lock:
        if _database is None or _database[0] != os.getpid():
            config = {**DUCKDB_CONFIG, **EnvironmentSettings.from_env().duckdb_config()}
            _database = (os.getpid(), duckdb.connect(config=config))
        return _database[1].cursor()


def table_dir(raw_root: Path, spec: RawTable) -> Path:
    return raw_root / spec.source / spec.entity


def rejects_dir(raw_root: Path, spec: RawTable) -> Path:
    return raw_root / spec.source / f"{spec.entity}__rejects"


def ensure_schema_files(raw_root: Path, spec: RawTable) -> None:
    """Zero-row Parquet files that fix each raw table's columns before its first load.

    dbt's sources glob these folders; an empty folder would make every model fail.
    """
    missing = [
        (folder, columns)
        for folder, columns in (
            (table_dir(raw_root, spec), {c: "VARCHAR" for c in spec.columns} | META_COLUMNS),
            (rejects_dir(raw_root, spec), REJECT_COLUMNS),
        )
        if not _schema_holds(folder / "_schema.parquet", columns)
    ]
    if not missing:
        return
    with cursor() as con:
        for folder, columns in missing:
            folder.mkdir(parents=True, exist_ok=True)
            cols = ", ".join(f'null::{kind} as "{name}"' for name, kind in columns.items())
            _copy_atomic(con, f"select {cols} limit 0", folder / "_schema.parquet", "snappy")


def _schema_holds(path: Path, columns: dict[str, str]) -> bool:
    """The schema file exists with every column: a table that gained columns (OneRoster 1.2's
    users) gets a new one, so dbt's sources see them before the first file that has them."""
    if not path.exists():
        return False
    with cursor() as con:
        names = con.execute(
            "select name from parquet_schema(?) where name <> 'duckdb_schema'", [str(path)]
        ).fetchall()
    return set(columns) <= {name for (name,) in names}


def record_lines(path: Path, delimiter: str = ",", header_line: int = 1) -> list[tuple[int, int]]:
    """(physical start line, DuckDB's line number) of each data record, for files whose records
    span lines (quoted newlines) or that hold blank lines.

    DuckDB numbers a record by physical lines less the newlines inside quoted fields before it
    (blank lines count); its rejects carry that number.
    """
    records: list[tuple[int, int]] = []
    # A field over MAX_LINE_BYTES is rejected by DuckDB, but must still be numbered here.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_READABLE_LINE))
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        for _ in range(header_line - 1):
            handle.readline()
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        quoted_newlines = max(reader.line_num - 1, 0)
        start = reader.line_num + header_line
        for row in reader:
            end = reader.line_num + header_line - 1
            if row:
                records.append((start, start - quoted_newlines))
                quoted_newlines += end - start
            start = end + 1
    return records


def parse_csv(
    path: Path,
    *,
    match: Match,
    file_name: str,
    physical_lines: int,
    load_id: str,
    loaded_at: object,
    raw_root: Path,
    longest_line: tuple[int, int] = (0, 0),
) -> ParseResult:
    """Parse the UTF-8 file at `path` (recognized as `match`) into its canonical raw table,
    `<raw>/<source>/<entity>/<load_id>.parquet`; lines the parser rejects go to `__rejects`.

    `longest_line` (bytes, line number), when over MAX_LINE_BYTES, sizes DuckDB's read buffer so
    that the line is rejected with its number; beyond MAX_READABLE_LINE the file is set aside."""
    size, number = longest_line
    if size > MAX_READABLE_LINE:
        raise BadFileError(
            f"{file_name}: line {number}: one line of {size:,} bytes, beyond the "
            f"{MAX_READABLE_LINE:,} bytes a line may have to be read at all (a missing line "
            "ending or an unclosed quote?)"
        )
    buffer = f", buffer_size = {size + (1 << 20)}" if size > MAX_LINE_BYTES else ""
    layout = match.layout
    spec = layout.raw_table
    out = table_dir(raw_root, spec) / f"{load_id}.parquet"
    rej = rejects_dir(raw_root, spec) / f"{load_id}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    rej.parent.mkdir(parents=True, exist_ok=True)
    width = len(match.header)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    # `_source_file` is the delivered name without its folders: a name re-delivered replaces its
    # earlier load (dbt's latest_loads), wherever in landing it arrives.
    meta = (
        f"'{load_id}' as _load_id, '{_q(Path(file_name).name)}' as _source_file, "
        f"'{layout.layout}' as _layout"
    )
    loaded = f"'{loaded_at}'::timestamp as _loaded_at"
    skip = layout.header_line - 1
    with cursor() as con:
        con.execute(
            f"""
            create temp table parsed as
            select * from read_csv('{_q(str(path))}', header = true, columns = {columns},
                auto_detect = false, delim = '{_q(match.delimiter)}', quote = '"', escape = '"',
                skip = {skip}, strict_mode = true, null_padding = false,
                max_line_size = {MAX_LINE_BYTES}{buffer},
                store_rejects = true, rejects_table = 'rejects', rejects_scan = 'scans',
                rejects_limit = 0)
            """
        ).fetchall()
        [(parsed, rejected_lines)] = con.execute(
            "select (select count(*) from parsed), (select count(distinct line) from rejects)"
        ).fetchall()
        data_lines = physical_lines - layout.header_line
        if rejected_lines == 0 and parsed == data_lines:
            # One record per line, none rejected: the row's position gives its line.
            rows = "parsed p"
            line = f"p.rowid + {layout.header_line + 1}"
            reject_line = f"r.line + {skip}"
        else:
            _number_lines(con, path, match, file_name, parsed, rejected_lines, data_lines)
            rows, line = "parsed p positional join good_lines g", "g.line"
            reject_line = "(select l.line from reject_lines l where l.parser_line = r.line)"
        name = Path(file_name).name
        mapped = canonical_select(match, name, rows, line)
        reject_column = _reject_column(match.header)
        _copy_atomic(con, f"select *, {meta}, {loaded} from ({mapped})", out)
        bad_dates = canonical_select(
            match, name, _unwritten(rows, line, out, layout), line, rejected=True
        )
        _copy_atomic(
            con,
            f"""
            select {meta}, ({reject_line})::bigint as _line_number, {loaded},
                {reject_column} as _column, {_REJECT_TYPE} as _error_type,
                {_REJECT_MESSAGE} as _error, {_raw_line_sql(match)} as _raw_line
            from rejects r
            qualify row_number() over (partition by r.line order by column_idx) = 1
            union all
            select {meta}, b._line_number::bigint, {loaded},
                b._column, 'MALFORMED DATE' as _error_type, b._error, b._raw_line
            from ({bad_dates}) b
            order by _line_number
            """,
            rej,
        )
        [outcome] = con.execute(
            f"select (select count(*) from read_parquet('{_q(str(out))}')), "
            f"(select count(*) from read_parquet('{_q(str(rej))}')), "
            f"(select max(_line_number) from read_parquet('{_q(str(rej))}')), "
            f"(select arg_max(_error_type, _line_number) from read_parquet('{_q(str(rej))}')), "
            f"(select max(_line_number) from read_parquet('{_q(str(out))}')), "
            f"(select min(_line_number) from read_parquet('{_q(str(rej))}'))"
        ).fetchall()
        written, rejected_lines, last_rejected, last_type, last_good, first_rejected = outcome
    if rejected_lines:
        log.warning(
            "%s: %d line(s) rejected (unreadable, or a date out of format)",
            file_name,
            rejected_lines,
        )
    # A quote never closed swallows every line after it into its (rejected) record.
    open_quote = (
        last_rejected
        if last_type == "UNQUOTED VALUE"
        and last_rejected < physical_lines
        and (last_good is None or last_good < last_rejected)
        else None
    )
    return ParseResult(
        written,
        rejected_lines,
        out,
        rej,
        last_rejected == physical_lines,
        open_quote,
        last_type,
        first_rejected,
    )


def _unwritten(rows: str, line: str, out: Path, layout: Layout) -> str:
    """`rows` less the lines written to `out`, where the dates that kept a line out are looked
    for: every date of every row was parsed twice (to write, and to find the rejects), now only
    those of the rows not written (1.5 M attendance rows: 0.86 s of CPU to a hash anti-join's
    ~0.15 s). A wide file writes a line once per column group, so it is read whole."""
    if layout.unpivot:
        return rows
    written = f"(select _line_number from read_parquet('{_q(str(out))}'))"
    return f"{rows} anti join {written} as w on w._line_number = {line}"


def _number_lines(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    match: Match,
    file_name: str,
    parsed: int,
    rejected_lines: int,
    data_lines: int,
) -> None:
    """Temp tables `good_lines` (the physical line of each parsed row, in order) and
    `reject_lines` (the physical line of each line the parser numbered in its rejects)."""
    skip = match.layout.header_line - 1
    first = match.layout.header_line + 1
    if parsed + rejected_lines == data_lines:
        # One record per line: DuckDB's line numbers are physical lines less the skipped ones.
        con.execute(
            f"""
            create temp table record_lines as
            select line, line - {skip} as parser_line
            from range({first}, {data_lines + first}) as t(line)
            """
        ).fetchall()
    else:
        # Quoted newlines or blank lines: number the records the slow, exact way.
        log.info("%s: records span lines; numbering them with the csv module", file_name)
        records = record_lines(path, match.delimiter, match.layout.header_line)
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


# DuckDB's reject messages, said for a steward (the line and column are in their own columns).
# A line of spaces or tabs only (often the last, after the data) is a blank line, not a record
# cut short: rejected and counted like any other line, but never a reason to set a file aside.
_BLANK = "trim(csv_line, chr(32) || chr(9) || chr(13) || chr(10)) = ''"
_REJECT_TYPE = f"case when {_BLANK} then 'BLANK LINE' else error_type::varchar end"
_REJECT_MESSAGE = f"""
    case when {_BLANK} then 'a blank line (spaces only): no record in it'
    else case error_type::varchar
        when 'LINE SIZE OVER MAXIMUM' then 'the line is longer than the {MAX_LINE_BYTES:,} bytes '
            || 'a line may have (a huge field, or a quote left open); not loaded'
        when 'UNQUOTED VALUE' then 'a quoted field is not closed (a quote left open, or the '
            || 'file cut short inside it): ' || error_message
        when 'MISSING COLUMNS' then 'too few fields (a line cut short?): ' || error_message
        when 'TOO MANY COLUMNS' then 'too many fields (an unquoted delimiter?): ' || error_message
        else error_message
    end end"""


def _raw_line_sql(match: Match) -> str:
    """The rejected line's text, its secret fields blanked (`Layout.secret_columns`): split on
    the delimiter when the line has no quote; a quoted line, which cannot be split safely here,
    is not kept (the archive has it, by line number)."""
    if not match.secret:
        return "csv_line"
    delim = f"'{_q(match.delimiter)}'"
    keep = ", ".join(str(i + 1) for i in match.secret)
    return (
        "case when strpos(csv_line, '\"') = 0 then array_to_string(list_transform("
        f"string_split(csv_line, {delim}), lambda v, i: case when i in ({keep}) then '' else v "
        f"end), {delim}) end"
    )


def _reject_column(header: tuple[str, ...]) -> str:
    """SQL naming a reject's column by the file's header (`AttCode`), not DuckDB's `c3`."""
    if not header:
        return "column_name"
    names = ", ".join(f"'{_q(name)}'" for name in header)
    return (
        "case when column_name similar to 'c[0-9]+' "
        f"then coalesce([{names}][substr(column_name, 2)::int + 1], column_name) "
        "else column_name end"
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
