"""Dagster's event log storages (SQLite, PostgreSQL) with their database connections kept open.

Dagster stores every event of a run as it happens: ~700 a consolidated load (a planned and an
actual event per asset and per check, step outputs, step and run status). Its SQLite and
PostgreSQL event logs open a new SQLAlchemy engine or database connection for each event and
close it after. That cost a 5,000-student load 5-9 s: 16-20 s with a SQLite `DAGSTER_HOME`,
21-22 s with PostgreSQL, against 11-13 s with an in-memory instance. These subclasses keep the
connections and change nothing else: the same tables, written by the same code, read by any
Dagster process (`make dev`, the daemon).

`orchestration.instance` writes them into `$DAGSTER_HOME/dagster.yaml`. The PostgreSQL one calls
dagster-postgres's public `optimize_for_webserver` (what the webserver does to the storages it
opens) from its constructor; the SQLite one replaces a private method (`_connect`), SQLite's
storage having no such switch, and is only importable from `dagster._core`. Both remember the
schema facts Dagster asks on every event (`SchemaFactsKept`). Dagster is pinned in
pyproject.toml; docs/UPGRADING.md says when each can go, and
`tests/integration/test_event_log.py` and `test_dagster_postgres.py` pin them.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster import Field, StringSource
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._serdes import ConfigurableClassData
from dagster_postgres import PostgresEventLogStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

# SQLite keeps one database per run plus an index: the index and the last few runs stay open.
KEPT_SQLITE_DATABASES = 4
# Dagster's databases are in write-ahead-log mode (it sets it); SQLite's default `synchronous`
# then syncs the log to disk on every commit, one event each (~1,000 a load). NORMAL syncs it at
# checkpoints only: a crash of the process loses nothing committed, a power cut may lose the last
# events, never the file (SQLite's documentation on WAL mode). Set per connection.
SQLITE_PRAGMAS = ("pragma synchronous = normal",)
# PostgreSQL: one connection kept; more only while one is in use (the webserver's threads).
PG_POOL_MAX_OVERFLOW = 4
PG_POOL_RECYCLE_SECONDS = 3600


def default_runs_dir() -> str:
    """Where Dagster's default SQLite event log lives, so earlier runs stay in the history."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise ValueError("set DAGSTER_HOME, or give the event log storage a base_dir")
    return os.path.join(home, "history", "runs")


class SchemaFactsKept:
    """Remembers the tables and asset key columns found instead of inspecting the database again.

    Dagster's SQL event logs ask whether a table is there on every asset and check event (SQLite:
    a new engine on the index each time), and inspect the asset key table's columns on each asset
    record read and asset event written (is the status cache column there, the index columns):
    ~50 samples in 1,200 of the dbt step's Dagster thread at 100,000 students. Schema migrations
    add tables and columns and never drop them, so one found stays found; one not found is asked
    again.
    """

    _tables_found: set[str] | None = None
    _asset_key_columns_found: set[str] | None = None

    def has_table(self, table_name: str) -> bool:
        if self._tables_found is None:
            self._tables_found = set()
        if table_name not in self._tables_found and super().has_table(table_name):  # type: ignore[misc]
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def _has_asset_key_col_on_connection(self, conn: Connection, column_name: str) -> bool:
        if self._asset_key_columns_found is None:
            self._asset_key_columns_found = set()
        found = self._asset_key_columns_found
        if column_name not in found and super()._has_asset_key_col_on_connection(  # type: ignore[misc]
            conn, column_name
        ):
            found.add(column_name)
        return column_name in found


class PooledSqliteEventLogStorage(SchemaFactsKept, SqliteEventLogStorage):
    """Dagster's SQLite event log, one engine (and open connection) per recent database file."""

    def __init__(self, base_dir: str | None = None, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._secondary_indexes: dict[str, bool] = {}
        super().__init__(base_dir or default_runs_dir(), inst_data)

    @classmethod
    def config_type(cls) -> dict[str, Field]:
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        """As Dagster's (one transaction under the storage's lock), from a kept engine."""
        with self._db_lock:
            engine = self._kept_engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _kept_engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            # Two overflow connections: creating a database inspects it inside a connection.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                pool_size=1,
                max_overflow=2,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            event.listen(engine, "connect", _write_ahead)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_SQLITE_DATABASES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def has_secondary_index(self, name: str) -> bool:
        """As Dagster's, remembered as dagster-postgres's storage does: asked on every asset
        event and record lookup (a query each, ~130 samples of ~1,200 in the dbt step's
        Dagster thread at 100,000 students)."""
        if name not in self._secondary_indexes:
            self._secondary_indexes[name] = super().has_secondary_index(name)
        return self._secondary_indexes[name]

    def enable_secondary_index(self, name: str) -> None:
        super().enable_secondary_index(name)
        self._secondary_indexes.pop(name, None)

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


def _write_ahead(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


class PooledPostgresEventLogStorage(SchemaFactsKept, PostgresEventLogStorage):
    """dagster-postgres's event log with a kept connection, through its public
    `optimize_for_webserver`: what dagster-webserver does to the storage it opens."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
        token_provider: Any = None,
    ):
        super().__init__(postgres_url, should_autocreate_tables, inst_data, token_provider)
        # One connection kept (pool_size 1), a few more while others are in use; no statement
        # timeout (0): a run's writes are small, and the webserver sets its own when it opens
        # the storage.
        self.optimize_for_webserver(
            statement_timeout=0,
            pool_recycle=PG_POOL_RECYCLE_SECONDS,
            max_overflow=PG_POOL_MAX_OVERFLOW,
        )

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledPostgresEventLogStorage:
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )

    def dispose(self) -> None:
        """Also close the kept connection (Dagster's storage holds none, so closes none)."""
        super().dispose()
        self._engine.dispose()
