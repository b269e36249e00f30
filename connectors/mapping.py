"""The SQL that turns a parsed file (columns `c0`, `c1`, ... by position) into its canonical table.

Each canonical column takes a file column, a constant, a value from the file's name, or NULL when
the layout does not give it. Dates are rewritten as `YYYY-MM-DD` when they parse in one of the
layout's formats and kept as delivered when they do not, so staging quarantines them as malformed
with the file's own text. A wide file (one row per student, a column group per subject) gives one
row per group that has any value, all with the file row's line number.
"""

from __future__ import annotations

import re

from connectors.layout import ColumnRule
from connectors.recognize import Match


def _literal(text: str | None) -> str:
    if text is None:
        return "null::varchar"
    return "'" + text.replace("'", "''") + "'"


def _expr(rule: ColumnRule | None, position: int | None, file_name: str) -> str:
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
    if rule.date:
        formats = "[" + ", ".join(_literal(f) for f in rule.strptime) + "]"
        return f"coalesce(strftime(try_strptime(trim({column}), {formats}), '%Y-%m-%d'), {column})"
    return column


def canonical_select(match: Match, file_name: str, rows: str, line: str) -> str:
    """A query over `rows` (the parsed file as `p`) giving the canonical table's columns in
    order, then `_line_number` (the expression `line`)."""
    layout = match.layout
    table = layout.raw_table
    groups = match.groups or ({},)
    rules_by_group = layout.unpivot or [{}]
    selects = []
    for order, (positions, group_rules) in enumerate(zip(groups, rules_by_group, strict=True)):
        parts = []
        for column in table.columns:
            if column in group_rules:
                expr = _expr(group_rules[column], positions.get(column), file_name)
            else:
                expr = _expr(layout.columns.get(column), match.positions.get(column), file_name)
            parts.append(f'{expr} as "{column}"')
        select = f"select {', '.join(parts)}, {line} as _line_number, {order} as _group from {rows}"
        if group_rules:
            filled = [f"nullif(trim(p.c{pos}), '')" for pos in positions.values()]
            select += f" where coalesce({', '.join(filled)}) is not null"
        selects.append(select)
    if len(selects) == 1:
        return selects[0].replace(", 0 as _group", "", 1)
    union = " union all ".join(selects)
    return f"select * exclude (_group) from ({union}) order by _line_number, _group"
