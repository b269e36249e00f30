"""The one place districtwide patches Great Expectations to run on DuckDB.

Why: GX's SQL execution engine returns a query's cursor *after* closing the SQLAlchemy
connection it ran on (`SqlAlchemyExecutionEngine.execute_query`). duckdb-engine drops the result
set when its connection closes, so every bundled metric comes back as an empty list and the
validation fails with "list index out of range". GX keeps one connection open ("persisted") for
the dialects listed in `_PERSISTED_CONNECTION_DIALECTS` (SQLite, SQL Server, ...); DuckDB is not
listed (GX 1.24.1). Adding it there makes GX use a single `StaticPool` connection for the run and
keep it open, which is exactly what DuckDB needs.

`GXSqlDialect` has no DuckDB member and enums cannot be extended, so the list gets a `str`
subclass that also answers `.value` (GX reads both `dialect_name in LIST` and `item.value`).

A second, smaller piece of glue: duckdb-engine adds a `custom_user_agent` setting to every
connection it opens, and DuckDB refuses a second connection to a file already open in the same
process with different settings ("Can't open a connection to same database file with a different
configuration"). `read_only_engine_kwargs` therefore hands SQLAlchemy a `creator` that opens the
file exactly as `duckdb.connect(path, read_only=True)` does elsewhere in districtwide, wrapped in
duckdb-engine's own `ConnectionWrapper`, so the checks can read while other readers hold it.

A third piece saves time, not errors: before a suite's first column rule GX reflects the table's
columns and primary key (metric `table.column_types`, once per batch: GX drops its inspector for
every new batch). duckdb-engine answers through DuckDB's pg_catalog emulation: four catalog
queries of 10-100 ms for each table, 84 queries and ~1.7 s for the 21 tables at 100k students.
`WarehouseDialect` (driver `duckdb+districtwide`, registered with SQLAlchemy here) is
duckdb-engine's dialect reading the whole warehouse's columns and primary keys once, from DuckDB's
own `duckdb_columns()` and `duckdb_constraints()` (two queries, ~20 ms), and answering every table
from memory. The answers are duckdb-engine's (the unit tests compare them). The memory lives as
long as the engine, i.e. one `run_suites` call, during which the file is open read-only, so no
writer can change a table under it (DuckDB's file lock).

tests/integration/test_gx_duckdb.py pins all three: it fails loudly when the GX version, the patched
name, the places that read it, or the failure it works around change, and when the dialect's
answers differ from duckdb-engine's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import great_expectations as gx
from duckdb_engine import ConnectionWrapper
from duckdb_engine import Dialect as DuckDBDialect
from great_expectations.execution_engine import sqlalchemy_execution_engine as _engine_module
from sqlalchemy import text
from sqlalchemy.dialects import registry

from connectors import warehouse
from connectors.warehouse import MARTS_CATALOG

log = logging.getLogger(__name__)

#: GX versions this workaround was verified against (see the unit test).
VERIFIED_GX_VERSIONS: Final[tuple[str, ...]] = ("1.24.1",)
#: The module attribute patched.
PATCHED_ATTRIBUTE: Final[str] = "_PERSISTED_CONNECTION_DIALECTS"
DUCKDB_DIALECT: Final[str] = "duckdb"
#: SQLAlchemy driver name of `WarehouseDialect`: `duckdb+districtwide:///<path>`.
WAREHOUSE_DRIVER: Final[str] = "duckdb+districtwide"


class _DialectName(str):
    """A dialect name GX can treat like a `GXSqlDialect` member (it reads `.value`)."""

    @property
    def value(self) -> str:
        return str(self)


def _current() -> tuple[object, ...]:
    dialects = getattr(_engine_module, PATCHED_ATTRIBUTE, None)
    if not isinstance(dialects, tuple):
        raise RuntimeError(
            f"great_expectations {gx.__version__}: "
            f"sqlalchemy_execution_engine.{PATCHED_ATTRIBUTE} is no longer a tuple "
            f"(found {type(dialects).__name__}); re-check the DuckDB workaround in {__name__}"
        )
    return dialects


def is_applied() -> bool:
    """True when DuckDB is in GX's persisted-connection dialect list."""
    return DUCKDB_DIALECT in _current()


def apply() -> None:
    """Add DuckDB to GX's persisted-connection dialects; idempotent."""
    dialects = _current()
    if DUCKDB_DIALECT in dialects:
        return
    if gx.__version__ not in VERIFIED_GX_VERSIONS:
        log.warning(
            "great_expectations %s is not a version the DuckDB workaround was verified on (%s)",
            gx.__version__,
            ", ".join(VERIFIED_GX_VERSIONS),
        )
    setattr(_engine_module, PATCHED_ATTRIBUTE, (*dialects, _DialectName(DUCKDB_DIALECT)))
    log.debug("added duckdb to GX %s", PATCHED_ATTRIBUTE)


def remove() -> None:
    """Undo `apply` (for tests that show the workaround is still needed)."""
    kept = tuple(d for d in _current() if d != DUCKDB_DIALECT)
    setattr(_engine_module, PATCHED_ATTRIBUTE, kept)


def read_only_engine_kwargs(path: Path, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """SQLAlchemy engine kwargs that open `path` read-only, with plain DuckDB settings."""
    settings = dict(config or {})

    def connect() -> ConnectionWrapper:
        con = warehouse.connect(path, read_only=True, config=settings)
        # A session setting (not part of the file's configuration): no bars in pipeline logs.
        con.execute("set enable_progress_bar = false")
        return ConnectionWrapper(con)

    return {"creator": connect}


#: One row per column of the warehouse, shaped like the rows of the pg_catalog query
#: duckdb-engine's reflection runs (`DuckDBDialect._columns_query`), read from DuckDB's own
#: catalog function with the same type expressions DuckDB's `pg_attribute` view uses; SQLAlchemy's
#: PostgreSQL code (`_get_columns_info`) turns them into column dicts exactly as it does for
#: duckdb-engine. The unit tests pin the equality on every kind of column the warehouse holds.
_COLUMNS_SQL = f"""
select c.schema_name, c.table_name, c.column_name as name,
    pg_catalog.format_type(
        coalesce(map_type_id_to_pg_oid(c.data_type_id), c.data_type_id + 16384),
        case when c.data_type ilike '%decimal%'
            then c.numeric_precision * 1000 + c.numeric_scale else -1 end
    ) as format_type,
    c.column_default as "default", not c.is_nullable as not_null, c.comment as comment,
    null as generated, null as identity_options, null as collation
from duckdb_columns() as c
where c.database_name in (current_database(), '{MARTS_CATALOG}')
order by c.schema_name, c.table_name, c.column_index
"""
_PRIMARY_KEYS_SQL = f"""
select schema_name, table_name, constraint_name, constraint_column_names
from duckdb_constraints()
where database_name in (current_database(), '{MARTS_CATALOG}') and constraint_type = 'PRIMARY KEY'
"""


class WarehouseDialect(DuckDBDialect):
    """duckdb-engine's dialect, reflecting every table's columns and primary key in one go.

    Only for an engine over a file opened read-only (see the module docstring). Columns come out
    as duckdb-engine reflects them; primary keys as DuckDB declares them (duckdb-engine's
    pg_index emulation reports none; GX only uses them to flag columns). A table the catalog
    read did not list is asked of duckdb-engine as before (which raises NoSuchTableError).
    """

    supports_statement_cache = False  # as duckdb-engine; SQLAlchemy wants each subclass to say

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rows: dict[tuple[str, str], list[Any]] | None = None
        self._enums: dict[tuple[str, ...], Any] = {}
        self._columns: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._primary_keys: dict[tuple[str, str], dict[str, Any]] = {}

    def _catalog(self, connection: Any, **kw: Any) -> dict[tuple[str, str], list[Any]]:
        """Every table's column rows and primary key, read at the first call."""
        if self._rows is None:
            info_cache = kw.get("info_cache")
            self._enums = {
                ((rec["name"],) if rec["visible"] else (rec["schema"], rec["name"])): rec
                for rec in self._load_enums(connection, schema="*", info_cache=info_cache)
            }
            rows: dict[tuple[str, str], list[Any]] = {}
            for row in connection.execute(text(_COLUMNS_SQL)).mappings():
                rows.setdefault((row["schema_name"], row["table_name"]), []).append(row)
            self._primary_keys = {
                (schema, table): {"constrained_columns": list(cols), "name": name}
                for schema, table, name, cols in connection.execute(text(_PRIMARY_KEYS_SQL))
            }
            self._rows = rows
        return self._rows

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        key = (schema, table_name)
        if key not in self._columns:
            rows = self._catalog(connection, **kw).get(key)
            if rows is None:
                return super().get_columns(connection, table_name, schema, **kw)
            # SQLAlchemy's PostgreSQL parsing, as duckdb-engine's get_multi_columns calls it.
            self._columns[key] = self._get_columns_info(rows, {}, self._enums, schema)[key]
        return [dict(column) for column in self._columns[key]]

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        if (schema, table_name) not in self._catalog(connection, **kw):
            return super().get_pk_constraint(connection, table_name, schema, **kw)
        key = self._primary_keys.get((schema, table_name))
        return dict(key) if key else {"constrained_columns": [], "name": None}


registry.register(WAREHOUSE_DRIVER.replace("+", "."), __name__, WarehouseDialect.__name__)
