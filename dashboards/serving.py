"""The serving copy: the marts as a read-only DuckDB file, swapped in whole after each good load.

Readers (Superset, analysts) never open the build database: DuckDB's single writer would lock them
out mid-build. After a load whose blocking checks passed, the marts are copied into a new file,
checkpointed and closed, then renamed over the served file, so a reader sees the previous version
or the new one, never a half-built one. No WAL is ever left beside the served file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

SERVED_SCHEMAS = ("marts",)
# Views served as views, over the served tables: their rows are derived and too many to copy
# every night (the daily attendance fact: 17.6 M rows at 100,000 students, from enrollment,
# calendar and exception days). Every other view (the dashboards' rpt_ models) becomes a table.
SERVED_AS_VIEWS = frozenset({"marts.fct_attendance_daily"})


@dataclass(frozen=True)
class Published:
    path: Path
    tables: dict[str, int]  # rows per copied table
    views: tuple[str, ...] = ()  # SERVED_AS_VIEWS (not counted: that would derive every row)


def publish(warehouse: Path, served: Path, schemas: tuple[str, ...] = SERVED_SCHEMAS) -> Published:
    """Copy `schemas` of `warehouse` into a new file and atomically replace `served` with it.

    Views (the dashboards' rpt_ models) become tables, except SERVED_AS_VIEWS, which are defined
    again over the served tables: either way the served file stands alone.
    """
    served.parent.mkdir(parents=True, exist_ok=True)
    tmp = served.with_name(f".{served.stem}.{os.getpid()}.building.duckdb")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    tables: dict[str, int] = {}
    con = duckdb.connect(str(tmp))
    con.execute("set enable_progress_bar = false")
    try:
        # Attached under its own name (DuckDB's catalog = file stem): dbt's views name it.
        build = warehouse.stem
        con.execute(f"attach '{warehouse}' as \"{build}\" (read_only)")
        views: dict[str, str] = {}
        for schema in schemas:
            con.execute(f"create schema if not exists {schema}")
            names = con.execute(
                "select table_name, table_type from information_schema.tables "
                "where table_catalog = ? and table_schema = ? order by table_name",
                [build, schema],
            ).fetchall()
            for name, kind in names:
                if kind == "VIEW" and f"{schema}.{name}" in SERVED_AS_VIEWS:
                    views[f"{schema}.{name}"] = _view_sql(con, build, schema, name)
                    continue
                con.execute(
                    f'create table {schema}."{name}" as select * from "{build}".{schema}."{name}"'
                )
                tables[f"{schema}.{name}"] = con.execute(
                    f'select count(*) from {schema}."{name}"'
                ).fetchone()[0]
        con.execute(f'detach "{build}"')
        for name, sql in views.items():
            # DuckDB keeps a view's SQL with names relative to its own catalog (`marts.x`), so
            # with the build detached they bind to the served tables; binding it now fails the
            # publication, not a reader, if the view reads something not served.
            con.execute(sql)
            con.execute(f"select * from {name} limit 0")
        con.execute("checkpoint")
    finally:
        con.close()
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    os.replace(tmp, served)
    log.info("published %d tables and %d views to %s", len(tables), len(views), served)
    return Published(served, tables, tuple(views))


def _view_sql(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, name: str) -> str:
    return con.execute(
        "select sql from duckdb_views() where database_name = ? and schema_name = ? "
        "and view_name = ?",
        [catalog, schema, name],
    ).fetchone()[0]


def content_checksum(path: Path, schema: str = "marts") -> dict[str, tuple[int, int]]:
    """Per table: (rows, order-independent hash of every row). Equal checksums = same content."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name",
            [schema],
        ).fetchall()
        return {
            name: tuple(
                con.execute(
                    f'select count(*), coalesce(sum(hash(t)), 0) from {schema}."{name}" as t'
                ).fetchone()
            )
            for (name,) in names
        }
    finally:
        con.close()
