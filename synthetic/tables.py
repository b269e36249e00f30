"""DuckDB plumbing shared by every exporter: numpy arrays in, finished CSV files out.

Every exported file goes through the same two steps:

1. `finalize_export` turns a *base* table (one row per intended data row, numbered by `seq`,
   with boolean `f_<tag>` fault flags and a `dup` flag asking for an exact copy) into the *final*
   table: copies inserted right after their original, `rid` = data-row position (line - 1), and
   the `faults` text the ground truth records.
2. `write_csv` renders each row as one CSV line in SQL (standard `"` quoting; a row with
   `bad_fields` = 1 leaves its bad column unquoted so its embedded comma makes an extra field,
   -1 drops the last field), has DuckDB write the lines, and streams the file through a
   transcoder where the target is Windows-1252 or CRLF (strict: a character the encoding cannot
   hold is an error).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from synthetic.faults import TAGS

log = logging.getLogger(__name__)

TRANSCODE_CHARS = 1 << 20


def put_table(con: duckdb.DuckDBPyConnection, name: str, /, **columns: np.ndarray) -> None:
    """Create (or replace) table `name` from equal-length numpy arrays."""
    data = pa.table({k: pa.array(v) for k, v in columns.items()})
    con.register("_put_table_source", data)
    try:
        con.execute(f'create or replace table "{name}" as select * from _put_table_source')
    finally:
        con.unregister("_put_table_source")


def columns(header: str) -> list[str]:
    """A header line as docs/districtwide_layouts.md spells it, as a list of column names."""
    return header.split(",")


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    """The single integer a query returns (0 for NULL)."""
    return int(con.execute(sql).fetchall()[0][0] or 0)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The column names of a table, in order."""
    return [r[0] for r in con.execute(f'describe "{table}"').fetchall()]


def faults_sql(present: list[str]) -> str:
    """SQL text listing the set fault flags of a row as comma-separated tags."""
    parts = [f"case when f_{t} then '{t}' end" for t in TAGS if f"f_{t}" in present]
    return f"concat_ws(',', {', '.join(parts)})" if parts else "''"


def finalize_export(con: duckdb.DuckDBPyConnection, base: str, final: str) -> None:
    """Insert the requested exact duplicates, number the rows and list their faults."""
    cols = table_columns(con, base)
    has_dup = "dup" in cols
    copies = (
        """union all by name
            select * replace (true as f_duplicate), 2 * seq + 1 as pos
            from with_flag where dup"""
        if has_dup
        else ""
    )
    present = [*cols, "f_duplicate"]
    con.execute(
        f"""
        create or replace table "{final}" as
        with with_flag as (select *, false as f_duplicate from "{base}"),
        all_rows as (
            select *, 2 * seq as pos from with_flag
            {copies}
        )
        select row_number() over (order by pos) as rid, {faults_sql(present)} as faults, *
        from all_rows
        order by pos;
        drop table "{base}";
        """
    )


def _quoted(col: str, delimiter: str = ",", present: set[str] | None = None) -> str:
    if present is not None and col not in present:
        return "''"  # a header column this export leaves empty
    v = f"coalesce(cast(\"{col}\" as varchar), '')"
    sep = delimiter.replace("'", "''")
    return (
        f"case when contains({v}, '{sep}') or contains({v}, '\"') "
        f"then '\"' || replace({v}, '\"', '\"\"') || '\"' else {v} end"
    )


def line_sql(
    columns: list[str],
    bad_column: str | None,
    has_bad: bool,
    delimiter: str = ",",
    present: set[str] | None = None,
) -> str:
    """SQL for one CSV line per row (see the module docstring for `bad_fields`).

    With `present` (the table's columns), a header column the table lacks is written empty.
    """
    sep = "'" + delimiter.replace("'", "''") + "'"
    good = f"concat_ws({sep}, {', '.join(_quoted(c, delimiter, present) for c in columns)})"
    if not has_bad:
        return good
    raw = [
        f"coalesce(cast(\"{c}\" as varchar), '')"
        if c == bad_column
        else _quoted(c, delimiter, present)
        for c in columns
    ]
    extra = f"concat_ws({sep}, {', '.join(raw)})"
    short = f"concat_ws({sep}, {', '.join(_quoted(c, delimiter, present) for c in columns[:-1])})"
    return (
        f"case when bad_fields = 1 then {extra} when bad_fields = -1 then {short} else {good} end"
    )


def write_csv(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    columns: list[str],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    bad_column: str | None = None,
    delimiter: str = ",",
    sparse: bool = False,
) -> int:
    """Write `columns` of `table` in `rid` order with a header line; returns the data rows.

    With `sparse`, header columns the table does not hold are written empty (wide vendor
    layouts whose many columns the district does not simulate).
    DuckDB writes the rendered lines as they are (no quoting of its own) in UTF-8 with LF; any
    other encoding or line ending is made by streaming that file through a transcoder.
    """
    present = set(table_columns(con, table))
    has_bad = "bad_fields" in present
    # The header is the line column's name, written by COPY's own header: a union of the
    # header with the lines, then sorted, ran out of memory at 15 million lines (1 GB limit).
    header = delimiter.join(columns).replace('"', '""')
    line = line_sql(columns, bad_column, has_bad, delimiter, present if sparse else None)
    lines = f'select {line} as "{header}" from "{table}" order by rid'

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")  # renamed into place when complete
    with tempfile.TemporaryDirectory(prefix="districtwide-csv-") as tmp:
        plain = encoding == "utf-8" and newline == "\n"
        target = partial if plain else Path(tmp) / "lines.csv"
        quoted_target = str(target).replace("'", "''")
        con.execute(
            f"copy ({lines}) to '{quoted_target}' "
            "(format csv, header true, quote '', escape '', delimiter '\x1f')"
        )
        if not plain:
            _transcode(target, partial, encoding, newline)
    partial.replace(path)
    rows = scalar(con, f'select count(*) from "{table}"')
    log.debug("wrote %s (%d rows)", path, rows)
    return rows


def _transcode(source: Path, target: Path, encoding: str, newline: str) -> None:
    """Re-encode a UTF-8, LF file chunk by chunk (strict: unencodable text is an error)."""
    with (
        source.open("r", encoding="utf-8", newline="") as src,
        target.open("w", encoding=encoding, errors="strict", newline="") as dst,
    ):
        while chunk := src.read(TRANSCODE_CHARS):
            dst.write(chunk.replace("\n", newline))
