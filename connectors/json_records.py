"""JSON deliveries read as the delimited text every layout reads.

An Ed-Fi ODS/API pull arrives as JSON: a JSON array of resources (the API's own answer) or JSON
Lines (one resource per line, as extract tools write them). DuckDB reads the file and writes a
UTF-8 CSV working copy of it, one row per record, nested objects flattened to dotted column names
(`studentReference.studentUniqueId`, as pandas.json_normalize and jq name them) and lists kept as
JSON text; recognition, parsing, rejects and quarantine then run on that copy as on any CSV. The
archive keeps the JSON as delivered. Line numbers in messages are the working copy's: record N is
line N + 1 (line 1 is the flattened header), or later when an earlier record's text holds a line
break (a quoted field spans lines; the line named is the one its record starts on). Recognition
reads the file's head in Python (names only, no DuckDB); the layout is matched again on the
working copy's header before parsing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb

from connectors.recognize import BadFileError, Match, try_layout

SUFFIXES = (".json", ".jsonl", ".ndjson")
# What recognition reads of a JSON file: its first bytes, and the records in them.
HEAD_BYTES = 1 << 20


def is_json(file_name: str) -> bool:
    """Whether a delivery is JSON, by its name (JSON text has no header line to recognize)."""
    return file_name.lower().endswith(SUFFIXES)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _flatten(expr: str, name: str, kind: duckdb.typing.DuckDBPyType) -> list[str]:
    """Select expressions giving the column `expr` (named `name`) as text columns."""
    if kind.id == "struct":
        out: list[str] = []
        for child, child_kind in kind.children:
            field = f"struct_extract({expr}, {_quoted(child)})"
            out += _flatten(field, f"{name}.{child}", child_kind)
        return out
    if kind.id in ("list", "array", "map", "json"):
        return [f"to_json({expr})::varchar as {_ident(name)}"]
    return [f"{expr}::varchar as {_ident(name)}"]


def _records(path: Path, file_name: str, con: duckdb.DuckDBPyConnection, sample: int) -> str:
    """The flattened records of the JSON file at `path` as a SELECT; raises BadFileError naming
    `file_name` when DuckDB cannot read it as JSON records."""
    source = (
        f"read_json({_quoted(str(path))}, format = 'auto', records = 'true', "
        f"sample_size = {sample})"
    )
    try:
        relation = con.sql(f"select * from {source}")
        columns = [
            expr
            for column, kind in zip(relation.columns, relation.types, strict=True)
            for expr in _flatten(_ident(column), column, kind)
        ]
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise BadFileError(f"{file_name}: line 1: not JSON records ({reason})") from exc
    if not columns:
        raise BadFileError(f"{file_name}: line 1: JSON with no fields to read")
    return f"select {', '.join(columns)} from {source}"


def _flat(record: dict, prefix: str = "") -> dict[str, object]:
    """A record's fields by dotted name, as `_flatten` names DuckDB's columns."""
    out: dict[str, object] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = json.dumps(value) if isinstance(value, list) else value
    return out


def _head_records(text: str, n: int) -> list[dict]:
    """Up to `n` whole records at the start of JSON Lines or a JSON array (the text may end
    mid-record: it is a file's head)."""
    decoder = json.JSONDecoder()
    stripped = text.lstrip()
    records: list[dict] = []
    if stripped.startswith("["):
        i = 1
        while len(records) < n:
            while i < len(stripped) and stripped[i] in " \t\r\n,":
                i += 1
            try:
                record, i = decoder.raw_decode(stripped, i)
            except json.JSONDecodeError:
                break
            records.append(record)
        return records
    for line in stripped.splitlines():
        if len(records) == n:
            break
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return records


def head_lines(path: Path, n: int, file_name: str) -> list[str]:
    """The first `n` lines of the file's CSV form (its header and first records), read in
    Python from the file's head: recognition needs only the names; parsing matches the layout
    again on DuckDB's CSV of the whole file (`to_csv`)."""
    with path.open("rb") as handle:
        text = handle.read(HEAD_BYTES).decode("utf-8-sig", errors="replace")
    records = [_flat(r) for r in _head_records(text, max(n - 1, 1)) if isinstance(r, dict)]
    if not records:
        raise BadFileError(f"{file_name}: line 1: not JSON records (no whole object at its start)")
    return csv_head(records, n)


def csv_head(records: list[dict], n: int) -> list[str]:
    """The first `n` lines of the CSV form of flattened records (a header of every name they
    use, in the order met): what recognition reads of a JSON or XML file."""
    header = list(dict.fromkeys(name for record in records for name in record))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        writer.writerow(["" if record.get(name) is None else record[name] for name in header])
    return out.getvalue().splitlines()[:n]


def to_csv(path: Path, out: Path, file_name: str, memory_limit: str = "1GB") -> None:
    """Write the JSON file at `path` as a UTF-8 CSV with a header to `out` (in DuckDB, with its
    columns inferred from every record)."""
    con = duckdb.connect(config={"memory_limit": memory_limit})
    try:
        query = _records(path, file_name, con, -1)
        con.execute(
            f"copy ({query}) to {_quoted(str(out))} (format csv, header true, delimiter ',', "
            "quote '\"', escape '\"')"
        )
    except duckdb.Error as exc:
        raise BadFileError(f"{file_name}: not JSON records ({str(exc).splitlines()[0]})") from exc
    finally:
        con.close()


def rematch(match: Match, csv_path: Path, file_name: str) -> Match:
    """`match`'s layout matched on the working copy's header: its column positions are those
    of DuckDB's flattening of every record, which a file's head may not foretell."""
    with csv_path.open(encoding="utf-8") as handle:
        lines = [handle.readline().rstrip("\r\n")]
    found = try_layout(match.layout, lines)
    if not isinstance(found, Match):
        missing = ", ".join(found.missing)
        raise BadFileError(f"{file_name}: its records lack {missing} ({match.layout.layout})")
    return found
