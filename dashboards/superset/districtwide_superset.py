"""Superset-side tuning, imported by the generated `superset_config.py` inside Superset's own venv
(so it may import only what that venv holds: superset, SQLAlchemy 1.4, duckdb, duckdb_engine).

Measured on a chart data request at 100,000 students (docs/dashboards.md, "Query times"), two
defaults of Superset cost more than the query itself:

- `DBEventLogger` writes six rows (the request, execute_sql, load_into_dataframe, ...) to the
  metadata database per chart data request, each its own commit; on SQLite every commit is a sync
  to disk, and each expires the request's ORM objects, which are then loaded again. The same events
  go to Python logging instead (`LoggingEventLogger`): the audit of who asked for which chart and
  how long it took stays, in the server log.
- Superset builds a new engine with `NullPool` for every query, so each one opened the served
  DuckDB file again (about 80 ms: the file's catalog is read each time). `KeptOpenDuckDB` keeps one
  read-only instance of each served file per worker process and hands every query a fresh
  connection (cursor) on it, and follows the publish step's atomic swap: when the file at the path
  is a new one, the old instance is closed as soon as its running queries end and the new file is
  opened, so a dashboard shows the new data at once.
- duckdb_engine asks DuckDB for its reserved words each time a dialect is made, and Superset makes
  about five engines per chart data request (5 ms each): `remember_reserved_words` asks once.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import duckdb
import duckdb_engine
from duckdb_engine import ConnectionWrapper
from sqlalchemy.dialects.postgresql.base import PGIdentifierPreparer
from superset.utils.log import AbstractEventLogger

log = logging.getLogger("districtwide.superset")
events = logging.getLogger("districtwide.superset.events")

#: How long a swap waits for queries still running on the previous file before it serves the
#: previous file once more (a query never fails because the file changed under it).
SWAP_WAIT_SECONDS = 10.0


class LoggingEventLogger(AbstractEventLogger):
    """Superset's events as log lines (user id, action, dashboard, chart, milliseconds), never
    rows in the metadata database."""

    def log(  # noqa: PLR0913 - Superset's signature
        self,
        user_id: int | None,
        action: str,
        dashboard_id: int | None,
        duration_ms: int | None,
        slice_id: int | None,
        referrer: str | None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        events.info(
            "%s user=%s dashboard=%s chart=%s duration_ms=%s",
            action,
            user_id,
            dashboard_id,
            slice_id,
            duration_ms,
        )


def _identity(path: str) -> tuple[int, int, int]:
    """Which file is at `path` now: the publish step replaces it whole (a new inode)."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino, stat.st_mtime_ns


@dataclass
class _Held:
    identity: tuple[int, int, int]
    connection: duckdb.DuckDBPyConnection
    running: int = 0


class _Connection(ConnectionWrapper):
    """duckdb_engine's DBAPI connection over a cursor of a held instance; closing it tells the
    holder the query is over."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, done: Any) -> None:
        super().__init__(cursor)
        self._done = done

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._done()


class KeptOpenDuckDB:
    """`DB_CONNECTION_MUTATOR`: DuckDB databases get their connections from one open read-only
    instance per file; every other database is left as it is."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._held: dict[str, _Held] = {}

    def __call__(
        self,
        url: Any,
        params: dict[str, Any],
        username: str | None,
        security_manager: Any,
        source: Any,
    ) -> tuple[Any, dict[str, Any]]:
        if url.get_backend_name() != "duckdb" or url.database in (None, "", ":memory:"):
            return url, params
        connect_args = params.get("connect_args", {})
        if not connect_args.get("read_only"):
            return url, params  # a writable database is never held open: it would keep the lock
        path = os.path.abspath(url.database)
        config = dict(connect_args.get("config", {}))
        return url, {**params, "creator": lambda: self.connect(path, config)}

    def connect(self, path: str, config: dict[str, Any]) -> _Connection:
        """A new connection on the instance of the file now at `path`."""
        with self._lock:
            held = self._current(path, config)
            held.running += 1
            cursor = held.connection.cursor()
        return _Connection(cursor, lambda: self._finished(held))

    def _current(self, path: str, config: dict[str, Any]) -> _Held:
        identity = _identity(path)
        while (held := self._held.get(path)) is not None and held.identity != identity:
            # Closing the old instance's connection while one of its queries runs would fail
            # that query; and while any is open, DuckDB would hand the old instance out again.
            if not self._lock.wait_for(lambda h=held: h.running == 0, timeout=SWAP_WAIT_SECONDS):
                log.warning("queries still run on the previous %s: it serves once more", path)
                return held
            if self._held.get(path) is held:  # not already replaced by another thread
                held.connection.close()
                del self._held[path]
                log.info("the served file %s was replaced: opening the new one", path)
        if held is None:
            # Swapped between the stat and the open, the instance is newer than its identity
            # says: the next query sees a difference and opens it again, never older data.
            held = _Held(identity, duckdb.connect(path, read_only=True, config=config))
            self._held[path] = held
        return held

    def _finished(self, held: _Held) -> None:
        with self._lock:
            held.running -= 1
            self._lock.notify_all()


@cache
def _reserved_words() -> frozenset[str]:
    with duckdb.connect() as con:
        rows = con.execute(
            "select keyword_name from duckdb_keywords() where keyword_category = 'reserved'"
        ).fetchall()
    return frozenset(name for (name,) in rows)


def _preparer_init(self: Any, dialect: Any, **kwargs: Any) -> None:
    PGIdentifierPreparer.__init__(self, dialect, **kwargs)
    self.reserved_words.update(_reserved_words())


def remember_reserved_words() -> None:
    """Make duckdb_engine's identifier preparer read DuckDB's reserved words once per process
    (the same words: they are DuckDB's, fixed for its version) instead of once per engine."""
    duckdb_engine.DuckDBIdentifierPreparer.__init__ = _preparer_init
