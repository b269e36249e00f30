"""One database source pulled end to end: columns checked, changed rows read, archived, merged
into the mirrors, fed through the layouts into raw Parquet, audited, then the mark moved.

Order matters for a pull killed half-way: the archive, mirrors and raw files are written under
new names first, the audit rows next (a raw load without its audit row does not exist for dbt),
the state last. Until the state moves, the next pull starts from the old mark and old mirrors and
gives the same rows again.

Schema drift: the source's columns are compared with those of the last pull. A column added,
dropped or renamed is reported (the result's `drift`, the audit's warning, district IT's email)
and the table is read in full that once, so every row has the new shape; the load goes on as
long as the columns the feeds need (`TableSpec.needs`) are there. A table that lost one of them
is not pulled and the feeds reading it fail, naming the column, while the source's other feeds
load.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import connectorx as cx
import duckdb
import sqlalchemy as sa

from connectors.databases.extract import (
    DatabaseUnavailableError,
    RunDlt,
    extract,
    run_plain,
    safe_url,
    scrub,
    source_columns,
)
from connectors.databases.feeds import FeedError, FeedLoad, write_feed
from connectors.databases.mirror import (
    Merged,
    SourceState,
    archive,
    deleted_keys,
    folder,
    load_state,
    merge,
    save_state,
)
from connectors.databases.schemas import SCHEMAS, DatabaseSchema, Feed, TableSpec
from connectors.home import Home
from connectors.landing import ensure_empty_audit, write_audit
from connectors.layout import load_layouts
from connectors.raw import DUCKDB_CONFIG

log = logging.getLogger(__name__)

#: Days between full key comparisons (deletes), unless the caller says otherwise.
KEY_CHECK_DAYS = 7


@dataclass
class PullResult:
    """What one pull did: per table rows changed and deleted, the feeds loaded (audit records),
    the feeds that failed and why, and the schema drift seen."""

    source: str
    tables: dict[str, Merged] = field(default_factory=dict)
    loads: list[dict] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    drift: list[str] = field(default_factory=list)
    # The archived Parquet files of this pull, per table (changed rows, deleted keys).
    archived: dict[str, list[Path]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.loads)


def _cx_url(url: str) -> str:
    parsed = sa.engine.make_url(url)
    backend = "mysql" if parsed.get_backend_name() in ("mysql", "mariadb") else "postgresql"
    return parsed.set(drivername=backend).render_as_string(hide_password=False)


def _quote(url: str, name: str) -> str:
    backend = sa.engine.make_url(url).get_backend_name()
    return f"`{name}`" if backend in ("mysql", "mariadb") else f'"{name}"'


def read_keys(url: str, table: TableSpec, out: Path) -> Path:
    """Every key the source table has now, as Parquet (the full key comparison)."""
    import pyarrow.parquet as pq

    query = f"select {_quote(url, table.key)} from {_quote(url, table.name)}"
    try:
        keys = cx.read_sql(_cx_url(url), query, return_type="arrow")
    except Exception as exc:
        raise DatabaseUnavailableError(
            f"{safe_url(url)}: reading the keys of {table.name} failed: "
            f"{scrub(str(exc), url).splitlines()[0]}"
        ) from None
    pq.write_table(keys, out)
    return out


def _drift(table: str, before: list[str], now: tuple[str, ...]) -> str | None:
    added = [c for c in now if c not in before]
    dropped = [c for c in before if c not in now]
    if not added and not dropped:
        return None
    parts = []
    if len(added) == 1 and len(dropped) == 1:
        parts.append(f"column {dropped[0]} renamed to {added[0]}?")
    else:
        if added:
            parts.append("added " + ", ".join(added))
        if dropped:
            parts.append("dropped " + ", ".join(dropped))
    return f"{table}: " + "; ".join(parts)


def _mark(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def pull(
    home: Home,
    source: str,
    url: str,
    *,
    key_check_days: int = KEY_CHECK_DAYS,
    now: datetime | None = None,
    run: RunDlt = run_plain,
) -> PullResult:
    """Pull the database `source` (`attendance`: PowerSchool, `sis`: OneRoster) at `url`.

    Raises DatabaseUnavailableError when the server cannot be read at all; nothing is written
    then, and the raw tables keep the last pull's rows."""
    schema: DatabaseSchema = SCHEMAS[source]
    now = now or datetime.now(UTC).replace(tzinfo=None)
    home.ensure()
    ensure_empty_audit(home)
    state = load_state(home, source)
    result = PullResult(source)
    current = source_columns(url, [t.name for t in schema.tables])
    broken: dict[str, str] = {}
    full: set[str] = set()
    checked: set[str] = set()
    for table in schema.tables:
        known = state.table(table.name)
        names = current[table.name].names
        if known.columns and (drift := _drift(table.name, known.columns, names)):
            result.drift.append(drift)
            full.add(table.name)
        missing = [c for c in table.needs if c not in names]
        if missing:
            broken[table.name] = (
                f"{table.name} has no column {', '.join(missing)} any more: its feeds are not "
                "loaded until the column is back or the layout says where it went"
            )
    for message in result.drift:
        log.warning("schema drift in %s (%s): %s", source, safe_url(url), message)
    pullable = [t for t in schema.tables if t.name not in broken]
    since = {
        t.name: None
        if t.name in full or state.table(t.name).mirror is None
        else _mark(state.table(t.name).mark)
        for t in pullable
    }
    base = folder(home, source)
    base.mkdir(parents=True, exist_ok=True)
    # A pull killed earlier leaves its scratch folder (one pull of a source runs at a time).
    for stale in base.glob(".pull-*"):
        shutil.rmtree(stale, ignore_errors=True)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    with (
        tempfile.TemporaryDirectory(dir=base, prefix=".pull-") as scratch,
        duckdb.connect(config=DUCKDB_CONFIG) as con,
    ):
        files = extract(url, schema, pullable, since, Path(scratch), run)
        increment_tables = {f.tables[0] for f in schema.feeds if f.incremental}
        for table in pullable:
            known = state.table(table.name)
            previous = Path(known.mirror) if known.mirror else None
            for i, path in enumerate(files[table.name]):
                kept, _ = archive(home, path, f"{schema.name}.{table.name}.{stamp}.{i}.parquet")
                result.archived.setdefault(table.name, []).append(kept)
            due = previous is not None and (
                known.key_checked_at is None
                or now - datetime.fromisoformat(known.key_checked_at)
                >= timedelta(days=key_check_days)
            )
            gone = None
            if due or previous is None or table.name in full:
                # A full read (first pull, drift) sees every key: the check is done too.
                checked.add(table.name)
            if due:
                keys = read_keys(url, table, Path(scratch) / f"{table.name}.keys.parquet")
                gone = deleted_keys(
                    con, previous, keys, table.key, Path(scratch) / f"{table.name}.deleted"
                )
                if gone is not None:
                    kept, _ = archive(
                        home, gone, f"{schema.name}.{table.name}.{stamp}.deleted.parquet"
                    )
                    result.archived.setdefault(table.name, []).append(kept)
            if previous is None and not files[table.name]:
                broken[table.name] = f"{table.name}: the first pull read no rows"
                continue
            result.tables[table.name] = merge(
                con,
                previous,
                files[table.name],
                gone,
                table.key,
                table.cursor,
                [c for c in current[table.name].names if c not in table.secret],
                base / table.name / f"{stamp}.parquet",
                changed_keys=Path(scratch) / f"{table.name}.changed.parquet"
                if table.name in increment_tables
                else None,
            )
        layouts = {lay.layout: lay for lay in load_layouts(home.root / "config" / "layouts")}
        mirrors = {name: merged.mirror for name, merged in result.tables.items()}
        for name, table_state in state.tables.items():
            if name not in mirrors and table_state.mirror:
                mirrors[name] = Path(table_state.mirror)
        drifted = {d.split(":")[0] for d in result.drift}
        for feed in schema.feeds:
            down = [t for t in feed.tables if t in broken]
            if down:
                result.failed[feed.name] = "; ".join(broken[t] for t in down)
                continue
            changed = feed.name not in state.feeds or any(
                t in drifted
                or state.table(t).mirror is None
                or result.tables[t].changed
                or result.tables[t].deleted
                for t in feed.tables
            )
            if not changed:
                continue
            increment = _increment(feed, state, result, drifted)
            try:
                load = write_feed(
                    con, home, schema, feed, layouts[feed.layout], mirrors, now, increment
                )
                if increment is not None and not _increment_whole(con, load, result, feed):
                    # A changed row the feed no longer gives (its mode changed, say): the
                    # increment cannot take the old one back, so the feed is loaded whole.
                    load.raw_path.unlink()
                    load.rejects_path.unlink()
                    load = write_feed(con, home, schema, feed, layouts[feed.layout], mirrors, now)
            except FeedError as exc:
                result.failed[feed.name] = str(exc)
                continue
            result.loads.append(_audit(home, schema, feed, load, result, now))
            state.feeds[feed.name] = load.load_id
    for message in result.failed.values():
        log.error("%s database: %s", source, message)
    for table in pullable:
        if table.name not in result.tables:
            continue
        known = state.table(table.name)
        merged = result.tables[table.name]
        known.mirror = str(merged.mirror)
        known.mark = merged.mark
        known.columns = list(current[table.name].names)
        if table.name in checked:
            known.key_checked_at = now.isoformat()
    save_state(home, source, state)
    return result


def _increment(
    feed: Feed, state: SourceState, result: PullResult, drifted: set[str]
) -> Path | None:
    """The changed keys to load as an increment of `feed`, or None when the feed is loaded
    whole: its first load, a drift, a deletion (an increment cannot take a row back), a change
    to another of its tables (a student's number would change rows not re-read), or a feed not
    marked incremental."""
    if not feed.incremental or feed.name not in state.feeds:
        return None
    first, *others = feed.tables
    merged = result.tables[first]
    if (
        merged.changed_keys is None
        or merged.deleted
        or any(t in drifted for t in feed.tables)
        or any(result.tables[t].changed or result.tables[t].deleted for t in others)
    ):
        return None
    return merged.changed_keys


def _increment_whole(
    con: duckdb.DuckDBPyConnection, load: FeedLoad, result: PullResult, feed: Feed
) -> bool:
    """Whether the increment holds every changed row the previous load had (by key): an updated
    row that is neither in the increment's rows nor its rejects would leave its old version."""
    merged = result.tables[feed.tables[0]]
    if not merged.updated:
        return True
    written = con.execute(
        f"select count(distinct _line_number) from read_parquet("
        f"['{_q(load.raw_path)}', '{_q(load.rejects_path)}'], union_by_name = true)"
    ).fetchone()[0]
    return written == merged.changed


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _audit(
    home: Home,
    schema: DatabaseSchema,
    feed: Feed,
    load: FeedLoad,
    result: PullResult,
    now: datetime,
) -> dict:
    warning = "; ".join(result.drift) or None
    if load.rows_total > load.rows_parsed + load.rows_rejected:
        extra = f"{load.rows_total - load.rows_parsed - load.rows_rejected} row(s) not mapped"
        warning = f"{warning}; {extra}" if warning else extra
    record = {
        "load_id": load.load_id,
        "source": schema.source,
        "raw_table": feed.raw_table,
        "source_file": load.source_file or f"{schema.name}:{feed.name}",
        "source_path": f"database/{schema.source}/{feed.name}",
        "layout": feed.layout,
        "sha256": load.sha256,
        "bytes": load.bytes,
        "encoding": "database",
        "rows_total": load.rows_total,
        "rows_parsed": load.rows_parsed,
        "rows_rejected": load.rows_rejected,
        "status": "loaded",
        "warning": warning,
        # The pull's archived rows of the feed's first table that changed (the raw file when
        # only a deletion or a drift changed it).
        "archive_path": str(
            next(
                (result.archived[t][0] for t in feed.tables if result.archived.get(t)),
                load.raw_path,
            )
        ),
        "loaded_at": now,
    }
    write_audit(home, record)
    return record


@click.command(name="pull", help="Pull one database source now (its URL from the environment).")
@click.option("--source", type=click.Choice(sorted(SCHEMAS)), required=True)
@click.option("--url-env", required=True, help="the variable holding the database URL")
@click.option("--home", type=click.Path(path_type=Path), required=True)
@click.option("--key-check-days", type=int, default=KEY_CHECK_DAYS, show_default=True)
def command(source: str, url_env: str, home: Path, key_check_days: int) -> None:
    import os

    logging.basicConfig(level=logging.INFO)
    result = pull(Home(home), source, os.environ[url_env], key_check_days=key_check_days)
    click.echo(
        f"{source}: {len(result.loads)} feed(s) loaded, {len(result.failed)} failed, "
        f"drift: {result.drift or 'none'}"
    )


if __name__ == "__main__":
    command()
