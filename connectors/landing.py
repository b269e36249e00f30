"""Landing: archive every delivered file unchanged with its sha256, and keep the load audit.

A file is copied to `archive/<date>/<sha256>-<name>` before anything parses it. One read
does it all: the copy hashes the bytes it writes, counts their lines and checks they are UTF-8, and
a file whose bytes were already loaded is dropped right there, never archived twice.

The audit is one small Parquet file per load under `raw/_audit/`, written last: a load without its
audit row never happened, so a killed load is simply redone. Parquet rather than a table in the
warehouse keeps parallel extract assets off DuckDB's single-writer lock.

A file is tried once per content: a file that failed (or that no layout recognized, or that a
blocking check held back: `connectors.holds`) is not tried again until different bytes arrive
under its name, and the last good load of its name stays in effect meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from connectors.encoding import Utf8Check, utf16_encoding
from connectors.home import Home
from connectors.raw import MAX_LINE_BYTES, cursor

log = logging.getLogger(__name__)

CHUNK = 1 << 20
# The longest file name (bytes) the file systems a data folder lives on take (ext4, xfs, NTFS).
MAX_NAME_BYTES = 255

AUDIT_COLUMNS = {
    "load_id": "VARCHAR",
    "source": "VARCHAR",
    "raw_table": "VARCHAR",
    "source_file": "VARCHAR",
    "source_path": "VARCHAR",
    "layout": "VARCHAR",
    "sha256": "VARCHAR",
    "bytes": "BIGINT",
    "encoding": "VARCHAR",
    "rows_total": "BIGINT",
    "rows_parsed": "BIGINT",
    "rows_rejected": "BIGINT",
    "status": "VARCHAR",
    "error": "VARCHAR",
    # Lines read as Windows-1252 in a file whose other lines are UTF-8 (0 otherwise), and a
    # warning for the file's steward that does not stop its load (mixed encodings, a cut last
    # line, no data rows).
    "mixed_encoding_lines": "BIGINT",
    "warning": "VARCHAR",
    "archive_path": "VARCHAR",
    "loaded_at": "TIMESTAMP",
}


@dataclass
class Landing:
    """One delivered file, archived and about to be (or already) parsed."""

    source: str | None
    raw_table: str | None
    path: Path
    # Where it was delivered, relative to the landing folder (`sis/export.zip/users.csv`).
    source_path: str
    sha256: str
    bytes: int
    lines: int
    archive_path: Path
    load_id: str
    # `utf-8` or `utf-8-sig` as read while archiving; None for any other encoding.
    utf8: str | None = None
    # The longest line's length in bytes and number, when a line is longer than MAX_LINE_BYTES.
    longest_line: tuple[int, int] = (0, 0)
    # Whether the last byte is a line ending (a file cut short usually ends mid-line).
    ends_with_newline: bool = True
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


def fit_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """`name`, or when it is longer than `limit` bytes in UTF-8 its start, `~`, a hash of the
    whole name and its extension: a vendor's 200-byte name must not stop its file (the audit
    keeps the name as delivered)."""
    if len(name.encode()) <= limit:
        return name
    suffix = "".join(Path(name).suffixes[-2:])
    if len(suffix.encode()) > 16:
        suffix = ""
    mark = "~" + hashlib.sha256(name.encode()).hexdigest()[:12]
    room = limit - len(mark.encode()) - len(suffix.encode())
    stem = name.encode()[:room].decode("utf-8", "ignore")
    return stem + mark + suffix


def archive_name(sha256: str, name: str) -> str:
    """`<sha256>-<name>`, the name shortened (`fit_name`) to keep it within MAX_NAME_BYTES."""
    return f"{sha256}-{fit_name(name, MAX_NAME_BYTES - len(sha256) - 1)}"


def new_load_id(sha256: str, now: datetime | None = None) -> str:
    """Sortable by time, unique per file: `20261127T105040123456Z-<sha[:12]>`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S%f}Z-{sha256[:12]}"


class LineScan:
    """What one read of a file tells about its text, fed its chunks in order: lines, the longest
    line over DuckDB's limit, a final line ending, UTF-8 (or UTF-16, told by its zero bytes)."""

    def __init__(self) -> None:
        self.utf8 = Utf8Check()
        self.newlines = self.run = 0
        self.last = self.head = b""
        self.longest = (0, 0)

    def update(self, chunk: bytes) -> None:
        self.utf8.update(chunk)
        self.head = self.head or chunk[:4096]
        # Lines inside one chunk are shorter than a chunk (CHUNK <= MAX_LINE_BYTES): only a
        # line across chunks can be too long, so two finds per chunk find it.
        first = chunk.find(b"\n")
        if first == -1:
            self.run += len(chunk)
        else:
            if self.run + first > self.longest[0]:
                self.longest = (self.run + first, self.newlines + 1)
            self.run = len(chunk) - chunk.rfind(b"\n") - 1
        self.newlines += chunk.count(b"\n")
        self.last = chunk[-1:]

    @property
    def lines(self) -> int:
        return self.newlines + (0 if self.ends_with_newline else 1)

    @property
    def ends_with_newline(self) -> bool:
        return self.last in (b"", b"\n")

    def long_line(self) -> tuple[int, int]:
        """(bytes, line number) of the longest line when it is over MAX_LINE_BYTES, else (0, 0)."""
        longest = max(self.longest, (self.run, self.newlines + 1))
        return longest if longest[0] > MAX_LINE_BYTES else (0, 0)

    def encoding(self) -> str | None:
        """`utf-8` or `utf-8-sig`; None for anything else (UTF-16 included)."""
        return None if utf16_encoding(self.head) else self.utf8.finish()


def archive_file(
    home: Home,
    path: Path,
    source_path: str,
    source: str | None = None,
    raw_table: str | None = None,
    skip: Callable[[str, str], bool] | None = None,
) -> Landing | None:
    """Copy `path` into the archive unchanged, hashing it on the way; atomic by rename.

    The copy also scans the text (`LineScan`): lines, a line longer than DuckDB's limit, UTF-8.
    When `skip(name, sha256)` is true (the bytes were already loaded) the copy is deleted and
    None returned: nothing is archived.
    """
    scratch = home.archive
    scratch.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    scan = LineScan()
    size = 0
    # Named by process and thread, not by the file: a long delivered name cannot make it too long.
    tmp = scratch / f".landing-{os.getpid()}-{threading.get_native_id()}.part"
    try:
        with tmp.open("wb") as out, path.open("rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                scan.update(chunk)
                size += len(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        if skip is not None and skip(path.name, sha):
            tmp.unlink()
            return None
        folder = scratch / datetime.now(UTC).strftime("%Y-%m-%d")
        folder.mkdir(exist_ok=True)
        final = folder / archive_name(sha, path.name)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Landing(
        source,
        raw_table,
        path,
        source_path,
        sha,
        size,
        scan.lines,
        final,
        new_load_id(sha),
        scan.encoding(),
        scan.long_line(),
        scan.ends_with_newline,
    )


def audit_glob(home: Home) -> str:
    return str(home.audit / "*.parquet")


@dataclass(frozen=True)
class Loaded:
    """What a raw table holds: (file name, sha256) of the latest try of each name, whatever its
    outcome, and of every successful load."""

    latest: frozenset[tuple[str, str]]
    every: frozenset[tuple[str, str]]

    def should_skip(self, name: str, sha: str) -> bool:
        """Skip a file equal to the latest try of its name (loaded, or set aside as bad: it is
        not retried until new bytes arrive), or whose bytes were loaded under another name. A
        name whose content went back to an earlier version is loaded again, so the correction
        wins."""
        if (name, sha) in self.latest:
            return True
        return any(other_sha == sha and other != name for other, other_sha in self.every)


def already_loaded_tables(home: Home, tables: list[str]) -> dict[str, Loaded]:
    """`Loaded` of several raw tables, reading the audit once."""
    rows: list[tuple[str, str, str, bool, bool]] = []
    if any(home.audit.glob("*.parquet")):
        with cursor() as con:
            rows = con.execute(
                f"""
                select raw_table, source_file, sha256,
                    load_id = max(load_id) over (partition by raw_table, source_file),
                    status = 'loaded'
                from read_parquet('{audit_glob(home)}', union_by_name=true)
                where list_contains($tables, raw_table)
                """,
                {"tables": tables},
            ).fetchall()
    return {
        table: Loaded(
            latest=frozenset((n, sha) for t, n, sha, latest, _ in rows if t == table and latest),
            every=frozenset((n, sha) for t, n, sha, _, ok in rows if t == table and ok),
        )
        for table in tables
    }


def last_delivery_ended_with_newline(home: Home, layout: str) -> bool:
    """Whether the last file of `layout` that loaded ended with a line ending (its archived
    copy's last byte); False with none. A system that ends its files with one and then sends a
    file without is taken to have cut it short; one that never does is not."""
    if not any(home.audit.glob("2*.parquet")):
        return False
    with cursor() as con:
        found = con.execute(
            f"""
            select archive_path from read_parquet('{audit_glob(home)}', union_by_name=true)
            where layout = $layout and status = 'loaded' and archive_path is not null
            order by load_id desc limit 1
            """,
            {"layout": layout},
        ).fetchall()
    if not found:
        return False
    path = Path(found[0][0])
    if not path.is_absolute():
        path = home.root / path
    try:
        with path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"
    except OSError:
        return False


def unrecognized_seen(home: Home) -> frozenset[tuple[str, str]]:
    """(source path, sha256) of files already recorded as recognized by no layout."""
    if not any(home.audit.glob("*.parquet")):
        return frozenset()
    with cursor() as con:
        try:
            rows = con.execute(
                f"""
                select source_path, sha256
                from read_parquet('{audit_glob(home)}', union_by_name=true)
                where status in ('unrecognized', 'refused')
                """
            ).fetchall()
        except duckdb.BinderException:
            # An audit written before files were named by path: none was unrecognized then.
            return frozenset()
    return frozenset((path, sha) for path, sha in rows)


def write_audit(home: Home, record: dict) -> Path:
    """Persist one audit row as `raw/_audit/<load_id>.parquet` (tmp + rename)."""
    home.audit.mkdir(parents=True, exist_ok=True)
    final = home.audit / f"{record['load_id']}.parquet"
    tmp = final.with_suffix(".part")
    cols = ", ".join(f"${name}::{kind} as {name}" for name, kind in AUDIT_COLUMNS.items())
    params = {name: record.get(name) for name in AUDIT_COLUMNS}
    params = {k: (str(v) if isinstance(v, Path) else v) for k, v in params.items()}
    with cursor() as con:
        con.execute(f"copy (select {cols}) to '{tmp}' (format parquet)", params)
    os.replace(tmp, final)
    return final


def audit_record(landing: Landing, **fields: object) -> dict:
    """The audit row for `landing`, completed by `fields` (status, counts, encoding, error)."""
    record = {
        "load_id": landing.load_id,
        "source": landing.source,
        "raw_table": landing.raw_table,
        "source_file": Path(landing.source_path).name,
        "source_path": landing.source_path,
        "sha256": landing.sha256,
        "bytes": landing.bytes,
        "archive_path": landing.archive_path,
        "loaded_at": landing.loaded_at,
    }
    record.update(fields)
    return record


def ensure_empty_audit(home: Home) -> None:
    """A zero-row audit file, so dbt can read the audit before the first load; rewritten when
    an upgrade added audit columns, so dbt finds them before any new file loads."""
    path = home.audit / "_schema.parquet"
    if path.exists():
        with cursor() as con:
            names = con.execute(
                "select name from parquet_schema($path) where name <> 'duckdb_schema'",
                {"path": str(path)},
            ).fetchall()
        if {name for (name,) in names} >= set(AUDIT_COLUMNS):
            return
    home.audit.mkdir(parents=True, exist_ok=True)
    cols = ", ".join(f"null::{kind} as {name}" for name, kind in AUDIT_COLUMNS.items())
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    with cursor() as con:
        con.execute(f"copy (select {cols} limit 0) to '{tmp}' (format parquet)")
    os.replace(tmp, path)


# What a run killed mid-write leaves behind (every writer writes a temporary name and renames it),
# as globs under the data folder: the archive copy, raw and audit Parquet, a transcoded working
# copy, a half-built served copy and its WAL.
LEFTOVERS = (
    "archive/.*.part",
    "raw/**/.*.part",
    "raw/_audit/*.part",
    "work/*.csv",
    "serving/.*.building.duckdb",
    "serving/.*.building.duckdb.wal",
)


def clean_leftovers(home: Home) -> list[Path]:
    """Delete the temporary files of killed runs; call only while no other run holds the data
    folder (`connectors.datalock.acquire_shared_tidying`). Returns what was deleted."""
    removed = []
    for pattern in LEFTOVERS:
        for path in home.root.glob(pattern):
            if path.is_file() and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    if removed:
        log.warning(
            "removed %d temporary file(s) left by a killed run: %s",
            len(removed),
            ", ".join(str(p.relative_to(home.root)) for p in removed[:10]),
        )
    return removed
