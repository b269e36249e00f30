"""Headerless fixed-width files (Texas STAAR): recognized by record length and field patterns,
parsed in DuckDB by position.

A state's student data file has no header to match, so a layout with `fixed_width:` is recognized
from its first lines instead: one of them at least is a whole record (the record length), and
fields that are always filled have the shape the specification gives them (an administration
date MMYY, a tested grade, a county-district-campus number of digits) on every probed line that
is a record. A CSV never passes (its lines vary in length), and a fixed-width file never
matches a header.

Parsing reads each line whole as one VARCHAR (a delimiter byte that text never holds, no quoting),
keeps its physical line number (the row's position: DuckDB keeps blank lines as NULL rows), and
cuts each field with `substr`, trimmed. A line of another length is rejected with its number and
both lengths, like a CSV line short of fields; the rest of the pipeline (canonical mapping, date
checks, raw = parsed + rejected, set-aside rules) is the delimited path's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from connectors.layout import FixedField, FixedWidth, Layout, normalize_name
from connectors.mapping import canonical_select
from connectors.raw import (
    MAX_LINE_BYTES,
    MAX_READABLE_LINE,
    BadFileError,
    ParseResult,
    _copy_atomic,
    _q,
    cursor,
    rejects_dir,
    table_dir,
)
from connectors.recognize import FIXED_WIDTH_PROBE_LINES as PROBE_LINES
from connectors.recognize import Match, Miss

# A byte no text file holds: each line is read whole as one field.
_NO_DELIMITER = "chr(1)"


def try_fixed_width(layout: Layout, lines: Sequence[str]) -> Match | Miss:
    """Whether the file's first lines are `layout`'s records (`layout.fixed_width` is set)."""
    spec = layout.fixed_width
    assert spec is not None
    probe = [line for line in lines[:PROBE_LINES] if line]
    if not any(spec.is_record(line) for line in probe):
        found = f"{len(probe[0])} characters" if probe else "empty"
        return Miss(layout, (f"(records of {_record_words(spec)}; line 1 is {found})",), 0)
    for number, line in enumerate(probe, start=1):
        if not spec.is_record(line):
            continue  # a record cut short: the parser rejects it with its line number
        for name, pattern in spec.expect.items():
            field = spec.fields[name]
            value = line[field.start - 1 : field.end].strip()
            if not re.fullmatch(pattern, value):
                return Miss(
                    layout,
                    (f"({name} at {field.start}-{field.end} of line {number} is not {pattern})",),
                    len(spec.expect) - 1,
                )
    names = tuple(spec.fields)
    index = {normalize_name(name): position for position, name in enumerate(names)}

    def place(rules: dict) -> dict[str, int]:
        return {
            column: next(index[a] for a in rule.normalized if a in index)
            for column, rule in rules.items()
            if rule.from_file
        }

    when_blank = {
        column: next(index[a] for a in rule.normalized_when_blank if a in index)
        for column, rule in layout.columns.items()
        if rule.when_blank
    }
    return Match(
        layout,
        "",
        names,
        place(layout.columns),
        tuple(place(g) for g in layout.unpivot),
        when_blank=when_blank,
    )


def _record_words(spec: FixedWidth) -> str:
    lengths = (
        f"{spec.record_length}"
        if spec.min_length == spec.record_length
        else f"{spec.min_length}-{spec.record_length}"
    )
    end = "" if spec.record_end is None else f" ending in {spec.record_end!r}"
    return f"{lengths} characters{end}"


def _is_record_sql(spec: FixedWidth) -> str:
    """SQL: `f.line` is a whole record (FixedWidth.is_record)."""
    length = f"length(f.line) between {spec.min_length} and {spec.record_length}"
    if spec.record_end is None:
        return length
    return f"{length} and suffix(f.line, '{_q(spec.record_end)}')"


def _field_sql(field: FixedField) -> str:
    """The field's trimmed text (NULL when blank); an MMYY administration date as its school
    year (August to July, the year it ends), other values as they are for staging to judge."""
    text = f"nullif(trim(substr(f.line, {field.start}, {field.width})), '')"
    if field.school_year != "MMYY":
        return text
    return (
        f"case when regexp_full_match({text}, '(0[1-9]|1[0-2])[0-9]{{2}}') then "
        f"(2000 + substr({text}, 3, 2)::int + (substr({text}, 1, 2)::int >= 8)::int)::varchar "
        f"else {text} end"
    )


def _rejects_sql(meta: str, loaded: str, spec: FixedWidth, bad_dates: str) -> str:
    """Lines that are not whole records, then rows whose dates do not read (with the line as
    delivered, not the mapping's joined fields)."""
    long = f"length(f.line) > {spec.record_length}"
    return f"""
        select {meta}, f.rowid + 1 as _line_number, {loaded},
            null::varchar as _column,
            case when {long} then 'TOO MANY COLUMNS' else 'MISSING COLUMNS' end as _error_type,
            'the line is ' || length(f.line) || ' characters long where the layout''s records are '
                || '{_record_words(spec).replace("'", "''")}' || ' (' || case when {long}
                then 'records run together, or extra text' else 'a record cut short' end
                || '); not loaded' as _error,
            left(f.line, {MAX_LINE_BYTES}) as _raw_line
        from fw_lines f
        where f.line is not null and not ({_is_record_sql(spec)})
        union all
        select {meta}, b._line_number::bigint, {loaded},
            b._column, 'MALFORMED DATE' as _error_type, b._error, f.line as _raw_line
        from ({bad_dates}) b
        join fw_lines f on f.rowid + 1 = b._line_number
        order by _line_number
        """


def parse_fixed_width(
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
    """Parse the UTF-8 fixed-width file at `path` into its canonical raw table and `__rejects`
    (`connectors.raw.parse_csv`'s contract: same outputs, same ParseResult)."""
    layout = match.layout
    spec = layout.fixed_width
    assert spec is not None
    size, number = longest_line
    if size > MAX_READABLE_LINE:
        raise BadFileError(
            f"{file_name}: line {number}: one line of {size:,} bytes, beyond the "
            f"{MAX_READABLE_LINE:,} bytes a line may have to be read at all (no line endings?)"
        )
    max_line = max(MAX_LINE_BYTES, size + 1)
    buffer = f", buffer_size = {max_line + (1 << 20)}" if size > MAX_LINE_BYTES else ""
    table = layout.raw_table
    out = table_dir(raw_root, table) / f"{load_id}.parquet"
    rej = rejects_dir(raw_root, table) / f"{load_id}.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    rej.parent.mkdir(parents=True, exist_ok=True)
    name = Path(file_name).name
    meta = f"'{load_id}' as _load_id, '{_q(name)}' as _source_file, '{layout.layout}' as _layout"
    loaded = f"'{loaded_at}'::timestamp as _loaded_at"
    fields = ", ".join(
        f"{_field_sql(field)} as c{i}" for i, field in enumerate(spec.fields.values())
    )
    with cursor() as con:
        con.execute(
            f"""
            create temp table fw_lines as
            select line from read_csv('{_q(str(path))}', columns = {{'line': 'VARCHAR'}},
                header = false, auto_detect = false, delim = {_NO_DELIMITER}, quote = '',
                escape = '', max_line_size = {max_line}{buffer})
            """
        ).fetchall()
        # rowid is the file order (one thread, insertion order kept); blank lines are NULL rows.
        con.execute(
            f"""
            create temp table parsed as
            select {fields}, f.rowid + 1 as _line
            from fw_lines f
            where f.line is not null and {_is_record_sql(spec)}
            order by f.rowid
            """
        ).fetchall()
        mapped = canonical_select(match, name, "parsed p", "p._line")
        _copy_atomic(con, f"select *, {meta}, {loaded} from ({mapped})", out)
        bad_dates = canonical_select(match, name, "parsed p", "p._line", rejected=True)
        _copy_atomic(con, _rejects_sql(meta, loaded, spec, bad_dates), rej)
        [outcome] = con.execute(
            f"select (select count(*) from read_parquet('{_q(str(out))}')), "
            f"(select count(*) from read_parquet('{_q(str(rej))}')), "
            f"(select max(_line_number) from read_parquet('{_q(str(rej))}')), "
            f"(select arg_max(_error_type, _line_number) from read_parquet('{_q(str(rej))}')), "
            f"(select min(_line_number) from read_parquet('{_q(str(rej))}'))"
        ).fetchall()
    written, rejected, last_rejected, last_type, first_rejected = outcome
    return ParseResult(
        written,
        rejected,
        out,
        rej,
        last_rejected == physical_lines,
        None,
        last_type,
        first_rejected,
    )
