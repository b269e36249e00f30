"""The district's crosswalk files: created from the shipped defaults, checked, written for dbt.

`$DISTRICTWIDE_HOME/config/crosswalks/<name>.csv` is the district's to edit; a first run copies
the shipped default (`settings/crosswalks/`) of each file that is missing and never overwrites
one. At each load every file is read by DuckDB (all columns as text, each row with its physical
line) and checked before dbt runs: a missing column, a line with the wrong number of fields or two
rows with the same key (compared as the joins compare them, `connectors.crosswalks`) is an error
naming the file and its lines, never a doubled row in staging. A good file is written to
`raw/_crosswalks/<name>.parquet`, which dbt reads as the source `crosswalks`; a bad one leaves
the last good copy in place (and the load stops before dbt).
"""

from __future__ import annotations

import csv
import functools
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from connectors.crosswalks import (
    ATTENDANCE_CATEGORY_KINDS,
    BOOLEAN_COLUMNS,
    CROSSWALK_SPECS,
    INTEGER_COLUMNS,
    SPECS_BY_NAME,
    CrosswalkSpec,
    normalize_code,
)
from connectors.home import REPO_ROOT, Home
from connectors.raw import cursor, record_lines

log = logging.getLogger(__name__)

DEFAULTS = REPO_ROOT / "settings" / "crosswalks"


class CrosswalkError(ValueError):
    """A crosswalk file that cannot be used as it is; the message names the file and line(s)."""


@dataclass
class CrosswalkLoad:
    """One crosswalk file read and checked: its rows written, or its problems."""

    spec: CrosswalkSpec
    path: Path
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    parquet: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def crosswalk_dir(home: Home) -> Path:
    return home.root / "config" / "crosswalks"


def parquet_dir(home: Home) -> Path:
    return home.raw / "_crosswalks"


def ensure_crosswalks(home: Home, defaults: Path = DEFAULTS) -> list[Path]:
    """Copy each shipped default the district folder lacks; never overwrite. The copies made."""
    folder = crosswalk_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    created = []
    for spec in CROSSWALK_SPECS:
        target = folder / spec.file_name
        try:
            with (defaults / spec.file_name).open("rb") as source, target.open("xb") as copy:
                copy.write(source.read())
        except FileExistsError:
            continue
        created.append(target)
    if created:
        log.info(
            "created %d crosswalk file(s) in %s from the shipped defaults", len(created), folder
        )
    return created


def read_crosswalk(spec: CrosswalkSpec, path: Path) -> tuple[list[str], str]:
    """Check `path`'s header and lines; ([problems], a DuckDB query of its rows as text with
    `_line_number`). The query is valid only when there are no problems."""
    name = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return [f"{name} line {line}: not UTF-8 text (save it as CSV UTF-8)"], ""
    if not header or not any(cell.strip() for cell in header):
        return [f"{name} line 1: no header (expected {', '.join(spec.columns)})"], ""
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in spec.columns if c not in names]
    if missing:
        return [f"{name} line 1: header lacks column(s) {', '.join(missing)}"], ""
    repeated = sorted({c for c in names if c and names.count(c) > 1})
    if repeated:
        return [f"{name} line 1: column(s) {', '.join(repeated)} appear twice"], ""
    width = len(header)
    types = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    # Physical start line of each record (quoted newlines and blank lines accounted for), and of
    # each line number DuckDB gives a rejected record.
    records = record_lines(path)
    starts = [start for start, _ in records]
    physical = {parser_line: start for start, parser_line in records}
    source = (
        f"read_csv('{_q(str(path))}', header = true, columns = {types}, auto_detect = false, "
        "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
        "store_rejects = true, rejects_table = 'crosswalk_rejects', "
        "rejects_scan = 'crosswalk_scans', rejects_limit = 0)"
    )
    with cursor() as con:
        con.execute(f"create temp table rows as select * from {source}").fetchall()
        rejects = con.execute(
            "select distinct line, error_type::varchar from crosswalk_rejects order by line"
        ).fetchall()
        parsed = con.execute("select count(*) from rows").fetchall()[0][0]
    problems = [
        f"{name} line {physical.get(line, line)}: {_reject_text(kind, width)}"
        for line, kind in rejects
    ]
    if problems:
        return problems, ""
    if parsed != len(starts):
        return [f"{name}: its quoting is broken (a quote opened and never closed)"], ""
    select = ", ".join(
        f"nullif(trim(c{names.index(column)}), '') as \"{column}\"" for column in spec.columns
    )
    values = ", ".join(f"({i}, {line})" for i, line in enumerate(starts)) or "(0, 0)"
    # Rows in file order: the landing cursor reads on one thread and keeps insertion order.
    query = (
        f"select {select}, '{_q(name)}' as _source_file, l.line::bigint as _line_number "
        f"from (select *, row_number() over () - 1 as _i from {source}) r "
        f"join (values {values}) as l(i, line) on r._i = l.i order by _line_number"
    )
    return [], query


def _reject_text(kind: str, width: int) -> str:
    kind = kind.upper()
    if kind in ("TOO FEW COLUMNS", "TOO MANY COLUMNS"):
        return f"{kind.lower()} (the header has {width})"
    if kind == "UNQUOTED VALUE":
        return "a quote inside a value that is not quoted"
    return kind.lower()


def duplicate_problems(spec: CrosswalkSpec, rows: Sequence[dict]) -> list[str]:
    """One message per key that more than one row holds: the file, the lines and (unless the
    file is private) the key as written on the first of them."""
    seen: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        key = tuple(spec.normalize(c, row.get(c)) for c in spec.key)
        seen.setdefault(key, []).append(row)
    problems = []
    for group in seen.values():
        if len(group) < 2:
            continue
        lines = [str(r["_line_number"]) for r in group]
        listed = ", ".join(lines[:-1]) + f" and {lines[-1]}"
        what = ", ".join(
            f"{c} {'(withheld)' if spec.private else repr(group[0].get(c) or '')}" for c in spec.key
        )
        problems.append(
            f"{spec.file_name} lines {listed}: the same key ({what}); keep one row per key"
        )
    return problems


def check_crosswalk(spec: CrosswalkSpec, path: Path) -> tuple[list[str], list[dict], str]:
    """(problems, rows as dicts of text with `_line_number`, the DuckDB query of those rows) of
    one crosswalk file."""
    if not path.is_file():
        return [f"{spec.file_name}: missing from {path.parent}"], [], ""
    problems, query = read_crosswalk(spec, path)
    if problems:
        return problems, [], ""
    with cursor() as con:
        cur = con.execute(query)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, values, strict=True)) for values in cur.fetchall()]
    return value_problems(spec, rows) + duplicate_problems(spec, rows), rows, query


def value_problems(spec: CrosswalkSpec, rows: Sequence[dict]) -> list[str]:
    """Integer and true/false columns holding something else (dbt would fail to cast them), and
    attendance categories the marts do not know or whose is_absent contradicts them."""
    problems = []
    for row in rows:
        if spec.name == "attendance_codes":
            problems += _attendance_category_problems(spec, row)
        for column in spec.columns:
            value = row.get(column)
            if value is None:
                continue
            if column in INTEGER_COLUMNS and not value.strip().lstrip("-").isdigit():
                problems.append(
                    f"{spec.file_name} line {row['_line_number']}: {column} must be a whole number"
                )
            if column in BOOLEAN_COLUMNS and value.strip().lower() not in ("true", "false"):
                problems.append(
                    f"{spec.file_name} line {row['_line_number']}: {column} must be true or false"
                )
    return problems


def _attendance_category_problems(spec: CrosswalkSpec, row: dict) -> list[str]:
    """A category_key outside ATTENDANCE_CATEGORY_KINDS would be no kind of absence (a
    suspension typed `suspension` counted nowhere); is_absent and is_excused must say what the
    key says (the marts count the kinds by the key)."""
    key = (row.get("category_key") or "").strip()
    if not key:
        return []
    where = f"{spec.file_name} line {row['_line_number']}"
    kind = ATTENDANCE_CATEGORY_KINDS.get(key)
    if kind is None:
        known = ", ".join(ATTENDANCE_CATEGORY_KINDS)
        return [f"{where}: category_key {key!r} is not one of {known}"]
    problems = []
    for column, expected in (("is_absent", kind != "present"), ("is_excused", kind == "excused")):
        value = (row.get(column) or "").strip().lower()
        if value in ("true", "false") and (value == "true") != expected:
            problems.append(f"{where}: {column} must be {str(expected).lower()} for {key}")
    return problems


def load_crosswalks(
    home: Home, specs: Sequence[CrosswalkSpec] = CROSSWALK_SPECS
) -> list[CrosswalkLoad]:
    """Create missing files from the defaults, check every file, write the good ones for dbt."""
    ensure_crosswalks(home)
    out_dir = parquet_dir(home)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for spec in specs:
        path = crosswalk_dir(home) / spec.file_name
        problems, rows, query = check_crosswalk(spec, path)
        result = CrosswalkLoad(spec, path, rows=len(rows), problems=problems)
        if result.ok:
            result.parquet = _write(out_dir / f"{spec.name}.parquet", query)
        for problem in problems:
            log.error("crosswalk %s", problem)
        results.append(result)
    return results


def raise_problems(results: Sequence[CrosswalkLoad]) -> None:
    """A CrosswalkError listing every problem of `results`, if any."""
    problems = [p for r in results for p in r.problems]
    if problems:
        raise CrosswalkError("crosswalk files to fix: " + "; ".join(problems))


def district_codes(
    home: Home | None, name: str, key: str, where: tuple[str, str] | None = None
) -> set[str]:
    """The normalized `key` values of crosswalk `name` (rows where `where`): the district's file
    in `home`, else the shipped default. A broken file raises CrosswalkError."""
    spec = SPECS_BY_NAME[name]
    folder = crosswalk_dir(home) if home else DEFAULTS
    path = folder / spec.file_name
    if not path.is_file():
        path = DEFAULTS / spec.file_name
    problems, rows, _ = check_crosswalk(spec, path)
    if problems:
        raise CrosswalkError("; ".join(problems))
    if where:
        column, value = where
        rows = [r for r in rows if normalize_code(r.get(column)) == normalize_code(value)]
    return {spec.normalize(key, r.get(key)) for r in rows}


def seed_codes(name: str, key: str) -> set[str]:
    """The normalized `key` values of the project's dbt seed `name` (dbt_project/seeds/), a
    mapping shipped with the code rather than kept by the district."""
    return {k for k, _ in seed_pairs(name, key, key)}


@functools.cache
def seed_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of the project's dbt seed `name` (dbt_project/seeds/), as written; read once per
    process (`districtwide check` asks for a seed's rows for each file it checks)."""
    path = REPO_ROOT / "dbt_project" / "seeds" / f"{name}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def seed_pairs(name: str, key: str, value: str) -> set[tuple[str, str]]:
    """The normalized (`key`, `value`) pairs of the project's dbt seed `name`."""
    return {
        (normalize_code(row.get(key)), normalize_code(row.get(value))) for row in seed_rows(name)
    }


def _write(path: Path, query: str) -> Path:
    tmp = path.with_suffix(".parquet.tmp")
    with cursor() as con:
        con.execute(f"copy ({query}) to '{_q(str(tmp))}' (format parquet)").fetchall()
    os.replace(tmp, path)
    return path


def _q(text: str) -> str:
    return text.replace("'", "''")
