"""`adapter` for sqlfluff's jinja templater (`make lint-sql`), never for dbt.

A macro that dispatches by adapter (`adapter.dispatch('safe_int', 'districtwide')(expr)`) is
rendered as a call of a function of its name (`safe_int(expr)`): the linter checks the model's
own SQL, not the macro's body (the build and the dbt unit tests do that). A macro that renders
a whole statement is listed in STATEMENTS with the SQL it stands for.
"""

from __future__ import annotations

from collections.abc import Callable

# Dispatched macros that render a whole statement, not an expression: what they render to.
STATEMENTS = {
    "select_keeping_raw_record_if_quarantined": "select * from {0}",
    # A CTE's materialisation hint: DuckDB's (macros/spark.sql), nothing on other adapters.
    "cte_not_materialized": "not materialized",
}
# Dispatched macros whose list argument names columns (the macro quotes them: `primary`, `role`).
QUOTES_COLUMNS = frozenset({"row_hash"})


def _sql(value: object, quote: bool = False) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(f'"{item}"' if quote else _sql(item) for item in value)
    return str(value)


def dispatch(macro_name: str, macro_namespace: str | None = None) -> Callable[..., str]:
    del macro_namespace

    def call(*args: object, **kwargs: object) -> str:
        values = [*args, *kwargs.values()]
        if macro_name in STATEMENTS:
            return STATEMENTS[macro_name].format(*values)
        quote = macro_name in QUOTES_COLUMNS
        return f"{macro_name}({', '.join(_sql(v, quote) for v in values if v is not None)})"

    return call
