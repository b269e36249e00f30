"""The pulled tables mapped into the canonical raw tables through the shipped layouts.

A feed's query (connectors/databases/schemas.py) gives the columns a vendor's export of the same
tables has (PowerSchool's `Student_Number`, `Att_Date`, ...). The layout is matched on those
names exactly as a file's header is (`connectors.recognize.try_layout`) and its column mapping
(`connectors.mapping.canonical_select`) writes the raw Parquet, so staging cannot tell a pulled
row from a delivered one, except by `_source_file` (`powerschool:ATTENDANCE`) and `_line_number`
(the row's key in the source table, so a quarantined row can be found there).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from connectors.databases.mirror import sha256
from connectors.databases.schemas import DatabaseSchema, Feed
from connectors.home import Home
from connectors.landing import new_load_id
from connectors.layout import Layout
from connectors.mapping import canonical_select
from connectors.raw import ensure_schema_files, rejects_dir, table_dir
from connectors.recognize import Match, try_layout
from connectors.tables import raw_table


class FeedError(ValueError):
    """A feed whose columns no longer fit its layout (a needed column dropped or renamed)."""


def _q(text: str | Path) -> str:
    return str(text).replace("'", "''")


@dataclass(frozen=True)
class FeedLoad:
    load_id: str
    raw_path: Path
    rejects_path: Path
    rows_total: int
    rows_parsed: int
    rows_rejected: int
    sha256: str
    bytes: int
    source_file: str = ""


def increment_name(name: str, loaded_at: datetime) -> str:
    """The delivery name of an increment of the feed `name` (`_source_file`, the audit's
    source_file): dbt's `latest_loads` reads every increment of a name newer than the name's
    latest whole load, a row's newest version winning by `_line_number` (the source's key)."""
    return f"{name} (increment {loaded_at:%Y%m%dT%H%M%S%f})"


def match_feed(layout: Layout, header: list[str], feed: Feed) -> Match:
    """The layout matched on the feed's column names, as a file's header would be."""
    found = try_layout(layout, [(layout.delimiter or "\t").join(header)])
    if not isinstance(found, Match):
        raise FeedError(
            f"{feed.name}: the pulled columns no longer give layout {layout.layout}: "
            f"missing {', '.join(found.missing)}"
        )
    return found


def write_feed(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    schema: DatabaseSchema,
    feed: Feed,
    layout: Layout,
    mirrors: dict[str, Path],
    loaded_at: datetime,
    increment: Path | None = None,
) -> FeedLoad:
    """The feed's raw Parquet (and its rejects: dates in none of the layout's formats) from the
    mirrors, under a new load id.

    With `increment` (Parquet of keys of the feed's first table), only those rows are written,
    as an increment of the feed (`increment_name`): the rows added or changed since its last
    load, which dbt reads on top of that load."""
    for table in feed.tables:
        source = f"read_parquet('{_q(mirrors[table])}')"
        if increment is not None and table == feed.tables[0]:
            key = schema.table(table).key
            source = (
                f'(select * from {source} where "{key}" in '
                f"(select \"{key}\" from read_parquet('{_q(increment)}')))"
            )
        have = {r[0] for r in con.execute(f"describe select * from {source}").fetchall()}
        # An optional column the district's table lacks (or dropped) reads as NULL.
        absent = "".join(
            f', null::varchar as "{c}"' for c in schema.table(table).reads if c not in have
        )
        con.execute(f'create or replace temp view "{table}" as select *{absent} from {source}')
    con.execute(f"create or replace temp table feed as {feed.query}")
    header = [r[0] for r in con.execute("describe feed").fetchall() if r[0] != "_key"]
    match = match_feed(layout, header, feed)
    spec = raw_table(feed.raw_table)
    ensure_schema_files(home.raw, spec)
    name = f"{schema.name}:{feed.name}"
    if increment is not None:
        name = increment_name(name, loaded_at)
    rows = "(select _key, " + ", ".join(f'"{h}" as c{i}' for i, h in enumerate(header))
    rows += " from feed) p"
    # The load id from what the feed was built of (its mirrors: named by pull), known before
    # the rows are written, so they are written once.
    inputs = "|".join(f"{t}={mirrors[t].name}" for t in feed.tables)
    if increment is not None:
        inputs += f"|increment={sha256(increment)}"
    load_id = new_load_id(hashlib.sha256(f"{name}|{inputs}".encode()).hexdigest(), loaded_at)
    final = table_dir(home.raw, spec) / f"{load_id}.parquet"
    mapped = canonical_select(match, name, rows, "p._key")
    meta = f"'{_q(name)}' as _source_file, '{layout.layout}' as _layout"
    loaded = f"'{loaded_at}'::timestamp as _loaded_at"
    con.execute(
        f"copy (select '{load_id}' as _load_id, *, {meta}, {loaded} from ({mapped})) "
        f"to '{_q(final)}.part' (format parquet, compression zstd)"
    )
    os.replace(f"{final}.part", final)
    digest = sha256(final)
    bad = canonical_select(match, name, rows, "p._key", rejected=True)
    rej = rejects_dir(home.raw, spec) / f"{load_id}.parquet"
    rej.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""copy (select '{load_id}' as _load_id, {meta.split(",")[0]},
                b._line_number::bigint as _line_number, {loaded}, '{layout.layout}' as _layout,
                b._column, 'MALFORMED DATE' as _error_type, b._error, b._raw_line
            from ({bad}) b order by _line_number)
        to '{_q(rej)}.part' (format parquet)"""
    )
    os.replace(f"{rej}.part", rej)
    total, parsed, rejected = con.execute(
        f"select (select count(*) from feed), (select count(*) from read_parquet('{_q(final)}')),"
        f" (select count(*) from read_parquet('{_q(rej)}'))"
    ).fetchone()
    return FeedLoad(
        load_id, final, rej, total, parsed, rejected, digest, final.stat().st_size, name
    )
