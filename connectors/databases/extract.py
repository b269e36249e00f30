"""Reading a source database's changed rows into Parquet with dlt (`dlt.sources.sql_database`).

Why dlt (docs/database_sources.md has the measurements): it is a Python library with a Dagster
integration (`dagster-dlt`), it keeps the database's types in Arrow (DATE stays a date, DATETIME
a timestamp, INT an integer), its `incremental` cuts the query on the cursor column in the
database, and with the connectorx backend it read 500,000 PowerSchool ATTENDANCE rows from
MariaDB in 3.9 s here. Sling needs binaries fetched from GitHub at run time (unreachable here and
in CI) and lower-cased `ID`.

dlt's own pipeline state (its cursors, pending packages) is not trusted across runs: every pull
runs a fresh pipeline in a scratch folder, told where to start by districtwide's own high-water
mark (`connectors.databases.mirror`), which moves only after the pulled rows are committed. A
pull killed half-way leaves only its scratch folder; the next one starts from the same mark.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
import sqlalchemy as sa
from dlt.common.schema import Schema
from dlt.sources.sql_database import sql_table

from connectors.databases.schemas import DatabaseSchema, TableSpec

# dlt's database readers: connectorx (Rust, straight into Arrow) is 3x pyarrow's here.
BACKEND = "connectorx"
CHUNK_SIZE = 100_000


class DatabaseUnavailableError(RuntimeError):
    """The source database could not be read; the message says which one and why, no secret."""


def safe_url(url: str) -> str:
    """The URL to name in logs and emails: driver, host, port and database, never a password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(an unreadable database URL)"


def scrub(text: str, url: str) -> str:
    """`text` without the URL's password or user (a driver's error may quote them)."""
    parsed = sa.engine.make_url(url)
    for secret in (parsed.password, parsed.username):
        if secret:
            text = text.replace(str(secret), "***")
    return re.sub(r"://[^@/\s]*@", "://***@", text)


@dataclass(frozen=True)
class SourceColumns:
    """The columns a source table has now, in order (name, type as the database names it)."""

    table: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


def source_columns(url: str, tables: Sequence[str]) -> dict[str, SourceColumns]:
    """Each table's columns as the database describes them now (for schema drift), and the
    check that the server answers at all: a server that is down raises DatabaseUnavailableError."""
    engine = sa.create_engine(url, pool_pre_ping=True, connect_args=_timeouts(url))
    try:
        inspector = sa.inspect(engine)
        found = set(inspector.get_table_names())
        out = {}
        for table in tables:
            if table not in found:
                raise DatabaseUnavailableError(
                    f"{safe_url(url)}: table {table} is not there (renamed, or no read grant?)"
                )
            out[table] = SourceColumns(
                table,
                tuple((c["name"], str(c["type"])) for c in inspector.get_columns(table)),
            )
        return out
    except sa.exc.SQLAlchemyError as exc:
        reason = scrub(str(exc.orig if getattr(exc, "orig", None) else exc), url).splitlines()[0]
        raise DatabaseUnavailableError(f"{safe_url(url)} did not answer: {reason}") from None
    finally:
        engine.dispose()


def _timeouts(url: str) -> dict[str, Any]:
    """Fail in seconds, not minutes, when the server is down."""
    backend = sa.engine.make_url(url).get_backend_name()
    if backend in ("mysql", "mariadb"):
        return {"connect_timeout": 10}
    if backend == "postgresql":
        return {"connect_timeout": 10}
    return {}


def dlt_source(
    url: str,
    schema: DatabaseSchema,
    tables: Sequence[TableSpec],
    since: dict[str, Any],
) -> Any:
    """A dlt source of `tables`, each resource named after its table and cut on its cursor at
    `since[table]` (None: the whole table). The range is closed (`>=`): rows changed in the same
    instant as the mark are read again and merged by key, never missed."""

    def resources() -> list:
        out = []
        for table in tables:
            start = since.get(table.name)
            # No deduplication (`primary_key=()`): dlt would hash every row at the mark's value
            # and keep the hashes in its state, for a next run that never reads that state (each
            # pull starts a fresh pipeline); the rows read again are merged by key instead.
            incremental = (
                dlt.sources.incremental(
                    table.cursor, initial_value=start, range_start="closed", primary_key=()
                )
                if start is not None
                else None
            )
            out.append(
                sql_table(
                    credentials=url,
                    table=table.name,
                    backend=BACKEND,
                    chunk_size=CHUNK_SIZE,
                    reflection_level="full_with_precision",
                    incremental=incremental,
                    defer_table_reflect=True,
                    primary_key=table.key,
                    excluded_columns=list(table.secret) or None,
                )
            )
        return out

    # "direct" naming keeps the database's column names (ATTENDANCE.Att_Date, not att_date).
    source = dlt.source(resources, schema=Schema(schema.name, normalizers={"names": "direct"}))
    return source()


def scratch_pipeline(schema: DatabaseSchema, scratch: Path) -> dlt.Pipeline:
    """A pipeline that writes Parquet files into `scratch`, with its state there too."""
    return dlt.pipeline(
        pipeline_name=f"districtwide_{schema.name}",
        pipelines_dir=str(scratch / "pipelines"),
        destination=dlt.destinations.filesystem(
            bucket_url=str(scratch / "files"), warn_unsafe_layout_separators=False
        ),
        dataset_name=schema.name,
    )


# How a pull runs dlt: plain `pipeline.run`, or dagster-dlt's resource inside an asset.
RunDlt = Callable[[Any, dlt.Pipeline], object]


def run_plain(source: Any, pipeline: dlt.Pipeline) -> object:
    return pipeline.run(source, loader_file_format="parquet")


def pulled_files(scratch: Path, schema: DatabaseSchema, table: str) -> list[Path]:
    """The Parquet files dlt wrote for `table` in this pull."""
    return sorted((scratch / "files" / schema.name / table).glob("*.parquet"))


def extract(
    url: str,
    schema: DatabaseSchema,
    tables: Sequence[TableSpec],
    since: dict[str, datetime | None],
    scratch: Path,
    run: RunDlt = run_plain,
) -> dict[str, list[Path]]:
    """The changed rows of each table as Parquet files in `scratch` (none when nothing changed)."""
    pipeline = scratch_pipeline(schema, scratch)
    try:
        run(dlt_source(url, schema, tables, since), pipeline)
    except Exception as exc:  # dlt wraps the driver's error in its own
        cause = exc
        while cause.__cause__ is not None or cause.__context__ is not None:
            cause = cause.__cause__ or cause.__context__
        reason = scrub(str(cause), url).splitlines()[0] if str(cause) else type(cause).__name__
        raise DatabaseUnavailableError(
            f"{safe_url(url)}: reading {', '.join(t.name for t in tables)} failed: {reason}"
        ) from None
    return {table.name: pulled_files(scratch, schema, table.name) for table in tables}
