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

tests/unit/test_expectations.py pins both: it fails loudly when the GX version, the patched name,
the places that read it, or the failure it works around change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import duckdb
import great_expectations as gx
from duckdb_engine import ConnectionWrapper
from great_expectations.execution_engine import sqlalchemy_execution_engine as _engine_module

log = logging.getLogger(__name__)

#: GX versions this workaround was verified against (see the unit test).
VERIFIED_GX_VERSIONS: Final[tuple[str, ...]] = ("1.24.1",)
#: The module attribute patched.
PATCHED_ATTRIBUTE: Final[str] = "_PERSISTED_CONNECTION_DIALECTS"
DUCKDB_DIALECT: Final[str] = "duckdb"


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
        con = duckdb.connect(str(path), read_only=True, config=settings)
        # A session setting (not part of the file's configuration): no bars in pipeline logs.
        con.execute("set enable_progress_bar = false")
        return ConnectionWrapper(con)

    return {"creator": connect}
