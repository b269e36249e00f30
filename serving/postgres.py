"""The served marts in PostgreSQL, for a district whose dashboards and analysts read PostgreSQL
(DISTRICTWIDE_SERVING=postgres): the tables of the DuckDB serving copy, bulk-copied into a
building schema, then moved over the served schema's tables in one transaction.

A reader never sees a half-copied table and never gets an error: a query that waits on the swap's
lock resolves the table name again when the lock is released (PostgreSQL re-checks a relation
name after waiting), so it reads the new table.
"""

from __future__ import annotations

import logging
import os
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import duckdb
import psycopg2
from psycopg2 import sql

log = logging.getLogger(__name__)

# DuckDB type -> PostgreSQL type; anything else (DECIMAL(p,s), ...) keeps its own name.
TYPES = {
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "HUGEINT": "numeric",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}


@dataclass(frozen=True)
class PostgresTarget:
    """Where the served marts go in PostgreSQL; the same DISTRICTWIDE_PG_* settings as dbt's."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    database: str = "test"
    schema: str = "marts"

    @classmethod
    def from_env(cls) -> PostgresTarget:
        env = os.environ.get
        return cls(
            host=env("DISTRICTWIDE_PG_HOST", cls.host),
            port=int(env("DISTRICTWIDE_PG_PORT", str(cls.port))),
            user=env("DISTRICTWIDE_PG_USER", cls.user),
            password=env("DISTRICTWIDE_PG_PASSWORD", cls.password),
            database=env("DISTRICTWIDE_PG_DATABASE", cls.database),
            schema=env("DISTRICTWIDE_PG_SERVING_SCHEMA", cls.schema),
        )

    def connect(self):  # -> psycopg2 connection
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.database,
        )

    def sqlalchemy_uri(self) -> str:
        """For Superset; the password, if any, is masked by Superset once stored."""
        auth = quote(self.user) + (f":{quote(self.password)}" if self.password else "")
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.database}"


def publish_to_postgres(
    served: Path,
    target: PostgresTarget,
    tables: list[str] | None = None,
    source_schema: str = "marts",
) -> dict[str, int]:
    """Copy `tables` (default: all) of the served DuckDB file into `target`, swapped atomically."""
    building = f"{target.schema}__building"
    counts: dict[str, int] = {}
    with duckdb.connect(str(served), read_only=True) as source, closing(target.connect()) as pg:
        columns = _columns(source, source_schema)
        names = sorted(tables if tables is not None else columns)
        with pg.cursor() as cur:
            cur.execute(
                sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(building))
            )
            cur.execute(sql.SQL("create schema {}").format(sql.Identifier(building)))
            cur.execute(
                sql.SQL("create schema if not exists {}").format(sql.Identifier(target.schema))
            )
            for name in names:
                counts[name] = _copy_table(
                    source, cur, source_schema, building, name, columns[name]
                )
        pg.commit()
        # The swap: one transaction, so readers see every table old or every table new.
        with pg.cursor() as cur:
            for name in names:
                cur.execute(
                    sql.SQL("drop table if exists {}.{}").format(
                        sql.Identifier(target.schema), sql.Identifier(name)
                    )
                )
                cur.execute(
                    sql.SQL("alter table {}.{} set schema {}").format(
                        sql.Identifier(building),
                        sql.Identifier(name),
                        sql.Identifier(target.schema),
                    )
                )
            cur.execute(sql.SQL("drop schema {}").format(sql.Identifier(building)))
        pg.commit()
    log.info(
        "published %d tables to PostgreSQL %s:%s/%s",
        len(counts),
        target.host,
        target.port,
        target.schema,
    )
    return counts


def _columns(source: duckdb.DuckDBPyConnection, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = source.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [schema],
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, TYPES.get(data_type, data_type.lower())))
    return columns


def _copy_table(source, cur, source_schema: str, building: str, name: str, columns) -> int:
    """Create the table in the building schema and bulk-load it through a CSV file (COPY)."""
    cur.execute(
        sql.SQL("create table {}.{} ({})").format(
            sql.Identifier(building),
            sql.Identifier(name),
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns
            ),
        )
    )
    with tempfile.TemporaryDirectory(prefix="districtwide-pg-") as tmp:
        path = Path(tmp) / f"{name}.csv"
        # NULL as an unquoted empty field, an empty string quoted: PostgreSQL's CSV reads both back.
        source.execute(
            f"copy (select * from {source_schema}.\"{name}\") to '{path}' "
            "(format csv, header false, force_quote *, null '')"
        )
        with path.open() as handle:
            cur.copy_expert(
                sql.SQL("copy {}.{} from stdin with (format csv, null '')").format(
                    sql.Identifier(building), sql.Identifier(name)
                ),
                handle,
            )
            return cur.rowcount  # COPY reports the rows it loaded
