"""The serving copy: the marts as a read-only DuckDB file, swapped in whole after each good load.

Readers (Superset, analysts) never open the build database: DuckDB's single writer would lock them
out mid-build. dbt builds the marts in a database file of their own (`warehouse/marts.duckdb`);
after a load whose blocking checks passed, that file is copied, its dashboard views turned into
tables, checkpointed and closed, then renamed over the served file, so a reader sees the previous
version or the new one, never a half-built one. No WAL is ever left beside the served file.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from connectors.warehouse import marts_path

log = logging.getLogger(__name__)

SERVED_SCHEMAS = ("marts",)
# Views served as views, over the served tables: their rows are derived and too many to copy
# every night (the daily attendance fact: 17.6 M rows at 100,000 students, from enrollment,
# calendar and exception days). Every other view (the dashboards' rpt_ models) becomes a table.
SERVED_AS_VIEWS = frozenset({"marts.fct_attendance_daily"})


@dataclass(frozen=True)
class Published:
    path: Path
    tables: dict[str, int]  # rows per served table
    views: tuple[str, ...] = ()  # SERVED_AS_VIEWS (not counted: that would derive every row)


def publish(
    warehouse: Path,
    served: Path,
    schemas: tuple[str, ...] = SERVED_SCHEMAS,
    duckdb_config: Mapping[str, str] | None = None,
) -> Published:
    """Copy the marts file of `warehouse` and atomically replace `served` with the copy.

    The copy is a file copy: the marts were written (and compressed) once, by dbt; writing them
    again into a new database took ~3.5 s of CPU at 100,000 students. Views (the dashboards'
    rpt_ models, some of which read the quarantine and audit schemas of the build) become tables,
    except SERVED_AS_VIEWS, which read only served tables; either way the served file stands alone.
    Only `schemas` are served; anything else in the marts file is dropped from the copy.
    `duckdb_config`: the district's memory cap and spill folder (EnvironmentSettings.duckdb_config;
    without it DuckDB may take 80% of the machine for the views turned into tables).
    """
    marts = marts_path(warehouse)
    if not marts.is_file():
        raise FileNotFoundError(f"no marts database at {marts}: run the dbt build first")
    checkpoint(marts)
    served.parent.mkdir(parents=True, exist_ok=True)
    tmp = served.with_name(f".{served.stem}.{os.getpid()}.building.duckdb")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(marts, tmp)
    tables: dict[str, int] = {}
    views: list[str] = []
    # No vacuum at the copy's checkpoint: it rewrote the row groups holding the rows a merge
    # deleted from the month marts (dbt's build does not vacuum either, profiles.yml): 1.6 s of
    # a one-day merge's publication at 100,000 students, 0.5 s without. The next whole build
    # writes every table afresh.
    con = duckdb.connect(str(tmp), config={**(duckdb_config or {}), "max_vacuum_tasks": "0"})
    con.execute("set enable_progress_bar = false")
    try:
        # The build under its own name (DuckDB's catalog = file stem): dbt's views name it.
        build = warehouse.stem
        con.execute(f"attach '{warehouse}' as \"{build}\" (read_only)")
        served_schemas = ", ".join(f"'{schema}'" for schema in schemas)
        for (schema,) in con.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database() "
            f"and not internal and schema_name not in ({served_schemas})"
        ).fetchall():
            con.execute(f'drop schema "{schema}" cascade')
        for schema, name in con.execute(
            "select schema_name, view_name from duckdb_views() "
            "where database_name = current_database() and not internal order by all"
        ).fetchall():
            if f"{schema}.{name}" in SERVED_AS_VIEWS:
                views.append(f"{schema}.{name}")
                continue
            # A dashboard view becomes a table of its rows, under the same name.
            con.execute(f'create table {schema}."_{name}" as select * from {schema}."{name}"')
            con.execute(f'drop view {schema}."{name}"')
            con.execute(f'alter table {schema}."_{name}" rename to "{name}"')
        con.execute(f'detach "{build}"')
        for name in views:
            # Bound now, with the build detached: a view that reads something not served fails
            # the publication, not a reader.
            con.execute(f"select * from {name} limit 0")
        for schema, name in con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = current_database() order by all"
        ).fetchall():
            count = con.execute(f'select count(*) from {schema}."{name}"').fetchone()[0]
            tables[f"{schema}.{name}"] = count
        con.execute("checkpoint")
    finally:
        con.close()
    tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    replace_keeping_blocks(tmp, served)
    log.info("published %d tables and %d views to %s", len(tables), len(views), served)
    return Published(served, tables, tuple(views))


#: The previous served file's name while it waits to be deleted (`replace_keeping_blocks`).
REPLACED_PREFIX = ".replaced-"


def replace_keeping_blocks(new: Path, served: Path) -> None:
    """Rename `new` over `served`, its readers seeing one or the other, as `os.replace` does,
    but without freeing the old file's blocks in the load's time: on a disk mounted with
    `discard` (this VM's, a cloud volume's) replacing a 735 MB file took 0.47-0.49 s against
    0.23 s with a second name kept on it. That name is deleted on a side thread (a process
    that ends first leaves it to the next publication, which deletes it)."""
    leftovers = list(served.parent.glob(f"{REPLACED_PREFIX}*{served.name}"))
    if served.exists():
        aside = served.with_name(f"{REPLACED_PREFIX}{uuid.uuid4().hex[:12]}-{served.name}")
        os.link(served, aside)
        leftovers.append(aside)
    os.replace(new, served)
    threading.Thread(
        target=lambda: [path.unlink(missing_ok=True) for path in leftovers],
        name="served-file-replaced",
        daemon=True,
    ).start()


def checkpoint(database: Path) -> None:
    """Fold a WAL left beside `database` into it, so that a copy of the file alone is whole.

    dbt closes the marts database cleanly (DuckDB checkpoints on close), so there is normally
    none; a build killed after a commit leaves one."""
    if database.with_name(database.name + ".wal").exists():
        with duckdb.connect(str(database)) as con:
            con.execute("checkpoint")


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
