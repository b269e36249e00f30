"""Where Superset reads the served marts: the DuckDB serving file (default) or PostgreSQL
(DISTRICTWIDE_SERVING=postgres). Each says how Superset connects and answers the two questions
publishing asks of the data itself: which schools there are, and which columns each table has.
"""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from dashboards.specs import SCHEMA
from serving.postgres import PostgresTarget
from settings.environment import EnvironmentSettings

SCHOOLS_SQL = "select school_id, school_name from {schema}.dim_school order by school_id"
COLUMNS_SQL = (
    "select table_name, column_name from information_schema.columns "
    "where table_schema = '{schema}' order by table_name, ordinal_position"
)


class ServedMarts(Protocol):
    schema: str

    def sqlalchemy_uri(self) -> str: ...

    def extra(self) -> str: ...

    def query(self, sql: str) -> list[tuple]: ...


@dataclass(frozen=True)
class DuckDBServed:
    """The read-only DuckDB serving file, swapped whole after each good load."""

    path: Path
    schema: str = SCHEMA

    def sqlalchemy_uri(self) -> str:
        return f"duckdb:///{self.path.resolve()}"

    def extra(self) -> str:
        """Read-only, and no file or network access from SQL (SQL Lab could read /etc/passwd)."""
        config = {"read_only": True, "config": {"enable_external_access": False}}
        return json.dumps({"engine_params": {"connect_args": config}}, sort_keys=True)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()


@dataclass(frozen=True)
class PostgresServed:
    """The served marts copied into PostgreSQL (serving/postgres.py)."""

    target: PostgresTarget

    @property
    def schema(self) -> str:
        return self.target.schema

    def sqlalchemy_uri(self) -> str:
        return self.target.sqlalchemy_uri()

    def extra(self) -> str:
        return json.dumps({"engine_params": {}}, sort_keys=True)

    def query(self, sql: str) -> list[tuple]:
        with closing(self.target.connect()) as con, con.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall()
            con.rollback()
            return rows


def serving_target() -> str:
    """'duckdb' (default) or 'postgres', from DISTRICTWIDE_SERVING."""
    return EnvironmentSettings.from_env().serving


def dashboard_source(serving_file: Path) -> ServedMarts:
    """What Superset should read under the current settings."""
    if serving_target() == "postgres":
        return PostgresServed(PostgresTarget.from_env())
    return DuckDBServed(serving_file)
