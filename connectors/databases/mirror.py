"""Each pulled table kept whole, as Parquet, with the high-water mark that says where the next
pull starts.

A pull reads only the rows whose cursor (a modified timestamp) is at or after the mark; they are
merged into the previous mirror by key (a changed row replaces its old version, a new row is
added). Deletes leave no row to read: every `key_check_days` days (a setting; 0 = every pull)
the source's keys are read in full and the mirror's rows whose key is gone are dropped. Each
pull's changed rows and deleted keys are archived with their sha256 before the mirror moves, so
the mirror can always be rebuilt from the archive alone (`replay`, tested against the mirror).

The state (mark, mirror file, columns, last key check) is one JSON file per source, replaced
atomically after the pull's raw tables and audit rows are written: a pull killed before that
leaves the old state, and the next pull reads the same rows again and gives the same result.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from connectors.home import Home


@dataclass
class TableState:
    mark: str | None = None
    mirror: str | None = None
    columns: list[str] = field(default_factory=list)
    key_checked_at: str | None = None


@dataclass
class SourceState:
    tables: dict[str, TableState] = field(default_factory=dict)
    # Feed name -> load id of its last raw load (a feed that failed is tried again next pull).
    feeds: dict[str, str] = field(default_factory=dict)

    def table(self, name: str) -> TableState:
        return self.tables.setdefault(name, TableState())


def folder(home: Home, source: str) -> Path:
    return home.raw / "_databases" / source


def load_state(home: Home, source: str) -> SourceState:
    path = folder(home, source) / "state.json"
    if not path.exists():
        return SourceState()
    data = json.loads(path.read_text())
    tables = {name: TableState(**value) for name, value in data["tables"].items()}
    return SourceState(tables, data.get("feeds", {}))


def save_state(home: Home, source: str, state: SourceState) -> Path:
    path = folder(home, source) / "state.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".state.{os.getpid()}.part")
    data = {
        "tables": {name: vars(table) for name, table in state.tables.items()},
        "feeds": state.feeds,
    }
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)
    return path


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def archive(home: Home, path: Path, name: str) -> tuple[Path, str]:
    """Copy a pulled Parquet file into the archive as `<date>/<sha256>-<name>`, like a file."""
    sha = sha256(path)
    day = home.archive / datetime.now(UTC).strftime("%Y-%m-%d")
    day.mkdir(parents=True, exist_ok=True)
    final = day / f"{sha}-{name}"
    if not final.exists():
        tmp = day / f".{final.name}.{os.getpid()}.part"
        shutil.copyfile(path, tmp)
        os.replace(tmp, final)
    return final, sha


def _q(path: Path | str) -> str:
    return str(path).replace("'", "''")


@dataclass(frozen=True)
class Merged:
    """A table's new mirror, and what the pull changed in it."""

    mirror: Path
    changed: int
    deleted: int
    mark: str | None
    rows: int
    # The keys of the rows this pull added or changed (not the rows re-read unchanged), as
    # Parquet, with how many of them the previous mirror had (updates); None when not asked.
    changed_keys: Path | None = None
    updated: int = 0


def merge(
    con: duckdb.DuckDBPyConnection,
    previous: Path | None,
    delta: list[Path],
    deleted_keys: Path | None,
    key: str,
    cursor: str,
    columns: list[str],
    out: Path,
    changed_keys: Path | None = None,
) -> Merged:
    """The previous mirror with `delta`'s rows replacing theirs by `key`, without the keys in
    `deleted_keys`, with the source's current `columns` (a dropped column leaves, an added one
    is NULL on rows not re-read). Written atomically to `out`. With `changed_keys`, the keys of
    the rows added or changed are written there (what a raw increment holds)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    parts = []
    con.execute("create or replace temp table delta as select * from (select 1) where false")
    if delta:
        files = ", ".join(f"'{_q(p)}'" for p in delta)
        con.execute(
            f"create or replace temp table delta as "
            f"select * from read_parquet([{files}], union_by_name = true)"
        )
    delta_cols = {r[0] for r in con.execute("describe delta").fetchall()}
    prev_cols: set[str] = set()
    if previous is not None:
        con.execute(
            f"create or replace temp view prev as select * from read_parquet('{_q(previous)}')"
        )
        prev_cols = {r[0] for r in con.execute("describe prev").fetchall()}
    else:
        con.execute("create or replace temp view prev as select * from delta where false")
        prev_cols = delta_cols

    def pick(available: set[str], alias: str) -> str:
        return ", ".join(f'{alias}."{c}"' if c in available else f'null as "{c}"' for c in columns)

    deleted = "select null as k where false"
    if deleted_keys is not None:
        deleted = f"select \"{key}\" as k from read_parquet('{_q(deleted_keys)}')"
    changed = 0
    keys_written = None
    updated = 0
    if delta_cols >= set(columns):
        # A row read again equals at most its own key's previous version: only those are
        # compared (EXCEPT against the whole mirror sorted or hashed every row of it).
        con.execute(
            f"create or replace temp table changed as select {cols} from delta except "
            f"select {pick(prev_cols, 'prev')} from prev "
            f'where prev."{key}" in (select "{key}" from delta)'
        )
        changed = con.execute("select count(*) from changed").fetchone()[0]
        if changed_keys is not None:
            con.execute(
                f'copy (select distinct "{key}" from changed order by 1) '
                f"to '{_q(changed_keys)}' (format parquet)"
            )
            keys_written = changed_keys
            updated = con.execute(
                f'select count(*) from prev where "{key}" in (select "{key}" from changed)'
            ).fetchone()[0]
    elif delta:
        changed = con.execute("select count(*) from delta").fetchone()[0]
    if delta_cols:
        parts.append(f"select {pick(delta_cols, 'd')} from delta d")
    parts.append(
        f"select {pick(prev_cols, 'p')} from prev p "
        + (f'where p."{key}" not in (select "{key}" from delta) ' if delta_cols else "where true ")
        + f'and p."{key}" not in ({deleted})'
    )
    if previous is not None and not delta_cols and deleted_keys is None:
        # Nothing read and nothing deleted: the mirror stays as it is (no rewrite).
        mark, rows = con.execute(
            f"select max(\"{cursor}\")::varchar, count(*) from read_parquet('{_q(previous)}')"
        ).fetchone()
        return Merged(previous, 0, 0, mark, rows, keys_written, 0)
    removed = 0
    if deleted_keys is not None:
        removed = con.execute(f'select count(*) from prev where "{key}" in ({deleted})').fetchone()[
            0
        ]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    query = " union all ".join(parts)
    con.execute(f"copy ({query}) to '{_q(tmp)}' (format parquet, compression zstd)")
    os.replace(tmp, out)
    mark, rows = con.execute(
        f"select max(\"{cursor}\")::varchar, count(*) from read_parquet('{_q(out)}')"
    ).fetchone()
    return Merged(out, changed, removed, mark, rows, keys_written, updated)


def deleted_keys(
    con: duckdb.DuckDBPyConnection, mirror: Path, keys: Path, key: str, out: Path
) -> Path | None:
    """The mirror's keys the source no longer has (`keys`: all the source's keys now), as a
    Parquet file at `out`; None when there are none."""
    count = con.execute(
        f"select count(*) from read_parquet('{_q(mirror)}') m "
        f'where m."{key}" not in (select "{key}" from read_parquet(\'{_q(keys)}\'))'
    ).fetchone()[0]
    if not count:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"copy (select m.\"{key}\" from read_parquet('{_q(mirror)}') m "
        f'where m."{key}" not in (select "{key}" from read_parquet(\'{_q(keys)}\')) '
        f"order by 1) to '{_q(out)}' (format parquet)"
    )
    return out


def replay(
    con: duckdb.DuckDBPyConnection,
    home: Home,
    schema_name: str,
    key: str,
    cursor: str,
    table: str,
    out_dir: Path,
) -> Path | None:
    """The table's mirror rebuilt from the archive alone, without the source: every archived
    pull (`<sha256>-<db>.<TABLE>.<time>.<n>.parquet`, `….deleted.parquet`) applied in time order,
    as `merge` applied it. A pull archived twice (killed, then done again) is applied twice, to
    the same result. None when the archive holds no pull of the table."""
    pulls: dict[str, tuple[list[Path], Path | None]] = {}
    for path in home.archive.rglob(f"*-{schema_name}.{table}.*.parquet"):
        stamp, part = path.name.split("-", 1)[1].split(".")[2:4]
        changed, deleted = pulls.setdefault(stamp, ([], None))
        if part == "deleted":
            pulls[stamp] = (changed, path)
        else:
            changed.append(path)
    mirror: Path | None = None
    for stamp in sorted(pulls):
        changed, deleted = pulls[stamp]
        source = sorted(changed) or ([mirror] if mirror else [])
        if not source:
            continue
        columns = [
            r[0]
            for r in con.execute(
                f"describe select * from read_parquet('{_q(sorted(source)[0])}')"
            ).fetchall()
        ]
        mirror = merge(
            con,
            mirror,
            sorted(changed),
            deleted,
            key,
            cursor,
            columns,
            out_dir / f"{stamp}.parquet",
        ).mirror
    return mirror
