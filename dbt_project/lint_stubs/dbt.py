"""dbt's cross-database macros for sqlfluff's jinja templater (`make lint-sql`), never for dbt.

Each renders DuckDB's SQL for what the model asks, so the linter parses the model as dbt would
compile it on DuckDB.
"""

from __future__ import annotations


def type_string() -> str:
    return "varchar"


def type_bigint() -> str:
    return "bigint"


def type_int() -> str:
    return "integer"


def type_numeric() -> str:
    return "numeric(28, 6)"


def type_timestamp() -> str:
    return "timestamp"


def type_boolean() -> str:
    return "boolean"


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def split_part(string_text: str, delimiter_text: str, part_number: int) -> str:
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def dateadd(datepart: str, interval: int | str, from_date_or_timestamp: str) -> str:
    return f"({from_date_or_timestamp} + interval ({interval}) {datepart})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def listagg(
    measure: str, delimiter_text: str = "','", order_by_clause: str | None = None, limit_num=None
) -> str:
    order = f" {order_by_clause}" if order_by_clause else ""
    return f"string_agg({measure}, {delimiter_text}{order})"


def is_incremental() -> bool:
    """dbt's own, which the project's `is_incremental` (macros/school_years.sql) calls: the
    linter checks each model's whole SQL, as sqlfluff's dbt builtin does."""
    return False


def should_full_refresh() -> bool:
    return False
