"""The SQL that turns a parsed file (columns `c0`, `c1`, ... by position) into its canonical table.

Each canonical column takes a file column, a constant, a value from the file's name, or NULL when
the layout does not give it. Dates are rewritten as `YYYY-MM-DD`; a row with a date in none of the
layout's formats (an ISO date in a `MM/DD/YYYY` file, `13/45/2025`) is not mapped but rejected
with its line, column and the formats it was read with, like a line the CSV parser could not
read. Empty dates pass as empty: staging decides whether the column may be empty. A wide file (one
row per student, a column group per subject) gives one row per group that has any value (a date
alone is none), all with the file row's line number.
"""

from __future__ import annotations

import re

from connectors.layout import ColumnRule
from connectors.recognize import Match


def _literal(text: str | None) -> str:
    if text is None:
        return "null::varchar"
    return "'" + text.replace("'", "''") + "'"


def _expr(
    rule: ColumnRule | None,
    position: int | None,
    file_name: str,
    parsed: str | None = None,
    when_blank: int | None = None,
) -> str:
    """The canonical column's value; a date column's from `parsed`, its date as read once
    (`_read_date`) by the query `canonical_select` writes; where the column is blank in a row,
    the value of the column at `when_blank` (`ColumnRule.when_blank`)."""
    if rule is None:
        return "null::varchar"
    if rule.value is not None:
        return _literal(rule.value)
    if rule.file_name is not None:
        found = re.search(rule.file_name, file_name)
        return _literal(found.group(1) if found else None)
    if position is None:
        return "null::varchar"
    column = f"p.c{position}"
    if rule.date and parsed is not None:
        return f"coalesce(strftime({_plausible(parsed)}, '%Y-%m-%d'), {column})"
    if rule.zero_pad:
        # A file opened and saved in a spreadsheet loses a code's leading zeros ('01' -> '1').
        width, code = rule.zero_pad, f"trim({column})"
        short = f"regexp_full_match({code}, '[0-9]+') and length({code}) < {width}"
        return f"case when {short} then lpad({code}, {width}, '0') else {column} end"
    if when_blank is not None:
        return f"coalesce(nullif(trim({column}), ''), p.c{when_blank})"
    return column


# A time of day after a date (`1/13/2026 12:00:00 AM`, `2026-01-13 08:41`, `2026-01-13T08:41:07Z`):
# exports saved from spreadsheets or databases add one to date columns. The layout's formats are
# tried on the value as delivered, then without such a time; the date is what is kept.
_TIME_OF_DAY = (
    r"[ T]+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?"  # 12:00, 08:41:07, 08:41:07.250
    r" *([AaPp][Mm])? *(Z|[+-][0-9]{2}:?[0-9]{2})?$"  # AM/PM, a UTC offset
)


def _read_date(rule: ColumnRule, column: str) -> str:
    """The date in `column` read with the layout's formats (a timestamp, NULL when none reads)."""
    formats = "[" + ", ".join(_literal(f) for f in rule.strptime) + "]"
    value = f"trim({column})"
    if widths := rule.digit_date_widths:
        # An all-digit date saved as a number loses its month's leading zero ('50916' for the
        # MMDDYY '050916', '3032003' for the MMDDYYYY '03032003'): one digit short, it gets it back.
        short = ", ".join(str(width - 1) for width in widths)
        cut = f"regexp_full_match({value}, '[0-9]+') and length({value}) in ({short})"
        value = f"(case when {cut} then '0' || {value} else {value} end)"
    dated = f"try_strptime({value}, {formats})"
    undated = f"try_strptime(regexp_replace({value}, {_literal(_TIME_OF_DAY)}, ''), {formats})"
    # DuckDB's coalesce evaluates `undated` only where `dated` is NULL: the regular expression
    # runs only on the values the formats did not read, and each format is tried once.
    return f"coalesce({dated}, {undated})"


def _plausible(parsed: str) -> str:
    # strptime's %Y takes two digits too: '10/20/23' as MM/DD/YYYY is the year 23, never a date
    # a school file means, so it is not read (the line is rejected, naming the formats).
    return f"(case when year({parsed}) >= 1900 then {parsed} end)"


def _date_columns(
    rules: dict[str, ColumnRule], positions: dict[str, int]
) -> list[tuple[str, ColumnRule, str]]:
    """(canonical column, rule, file column) of each date column the file has."""
    return [(n, r, f"p.c{positions[n]}") for n, r in rules.items() if r.date and n in positions]


def _bad_date(dates: list[tuple[str, ColumnRule, str]], parsed: dict[str, str]) -> tuple[str, str]:
    """(column, error) of the row's first date that is filled but in none of its formats: two
    SQL expressions, NULL when every date reads (`parsed`: each date column's date as read)."""
    whens = [
        f"when nullif(trim({col}), '') is not null and {_plausible(parsed[name])} is null then "
        for name, _, col in dates
    ]
    column = " ".join(w + _literal(name) for w, (name, _, _) in zip(whens, dates, strict=True))
    error = " ".join(
        w + _literal(f"not a date in the layout's format ({' or '.join(rule.date or [])})")
        for w, (_, rule, _) in zip(whens, dates, strict=True)
    )
    return f"case {column} end", f"case {error} end"


def canonical_select(
    match: Match, file_name: str, rows: str, line: str, *, rejected: bool = False
) -> str:
    """A query over `rows` (the parsed file as `p`) giving the canonical table's columns in
    order, then `_line_number` (the expression `line`), for the rows whose dates read.

    With `rejected`, the rows whose dates do not read instead, as `_column` (the canonical
    column), `_error` (the formats tried), `_raw_line` (the file's fields) and `_line_number`.
    """
    layout = match.layout
    table = layout.raw_table
    groups = match.groups or ({},)
    rules_by_group = layout.unpivot or [{}]
    raw_line = "concat_ws(" + _literal(match.delimiter) + ", "
    raw_line += ", ".join(
        "''" if i in match.secret else f"coalesce(p.c{i}, '')" for i in range(len(match.header))
    )
    raw_line += ")"
    selects = []
    for order, (positions, group_rules) in enumerate(zip(groups, rules_by_group, strict=True)):
        if group_rules and not positions:
            continue  # a column group this file does not have (another grade's, say)
        dates = _date_columns({**layout.columns, **group_rules}, {**match.positions, **positions})
        source, row_line, parsed, bad = rows, line, {}, None
        if dates:
            # Each date read once, in a subquery: its value and the check that rejects its row
            # read the same result (read for each, three attendance files of 1.5 M rows took
            # 0.2 s more each, of 1.3 s).
            parsed = {name: f"p._date{i}" for i, (name, _, _) in enumerate(dates)}
            reads = ", ".join(
                f"{_read_date(rule, col)} as _date{i}" for i, (_, rule, col) in enumerate(dates)
            )
            source = f"(select p.*, {line} as _mapped_line, {reads} from {rows}) as p"
            row_line = "p._mapped_line"
            bad = _bad_date(dates, parsed)
        conditions = []
        if bad is not None:
            conditions.append(f"({bad[0]}) is {'not ' if rejected else ''}null")
        elif rejected:
            continue  # no date column: nothing to reject
        if group_rules:
            # A date alone is no result: groups may share one (Acadience's `ORF Date` is its
            # words correct's, accuracy's and retell's), and a group whose other columns are
            # blank gives no row even where the date is filled.
            valued = [c for c in positions if not group_rules[c].date] or list(positions)
            filled = [f"nullif(trim(p.c{positions[c]}), '')" for c in valued]
            conditions.append(f"coalesce({', '.join(filled)}) is not null")
        where = f" where {' and '.join(conditions)}" if conditions else ""
        if rejected:
            parts = [f"{bad[0]} as _column", f"{bad[1]} as _error", f"{raw_line} as _raw_line"]
        else:
            parts = []
            for column in table.columns:
                rule, position = layout.columns.get(column), match.positions.get(column)
                if column in group_rules:
                    rule, position = group_rules[column], positions.get(column)
                fallback = None if column in group_rules else match.when_blank.get(column)
                expr = _expr(rule, position, file_name, parsed.get(column), fallback)
                parts.append(f'{expr} as "{column}"')
        select = f"select {', '.join(parts)}, {row_line} as _line_number, {order} as _group"
        selects.append(f"{select} from {source}{where}")
    if not selects:
        empty = "null::varchar as _column, null::varchar as _error, null::varchar as _raw_line"
        return f"select {empty}, {line} as _line_number from {rows} limit 0"
    if len(selects) == 1:
        return f"select * exclude (_group) from ({selects[0]})"
    union = " union all ".join(selects)
    return f"select * exclude (_group) from ({union}) order by _line_number, _group"
