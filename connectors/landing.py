"""Landing: archive every delivered file unchanged with its sha256, and keep the load audit.

A file is copied to `archive/<source>/<date>/<sha256>-<name>` (hashing while copying, one read),
before anything parses it. The audit is one small Parquet file per load under `raw/_audit/`,
written last: a load without its audit row never happened, so a killed load is simply redone.
Parquet rather than a table in the warehouse keeps parallel extract assets off DuckDB's
single-writer lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from connectors.filespec import FileSpec
from connectors.home import Home

log = logging.getLogger(__name__)

CHUNK = 1 << 20

AUDIT_COLUMNS = {
    "load_id": "VARCHAR",
    "source": "VARCHAR",
    "raw_table": "VARCHAR",
    "source_file": "VARCHAR",
    "sha256": "VARCHAR",
    "bytes": "BIGINT",
    "encoding": "VARCHAR",
    "rows_total": "BIGINT",
    "rows_parsed": "BIGINT",
    "rows_rejected": "BIGINT",
    "status": "VARCHAR",
    "error": "VARCHAR",
    "archive_path": "VARCHAR",
    "loaded_at": "TIMESTAMP",
}


@dataclass
class Landing:
    """One delivered file, archived and about to be (or already) parsed."""

    spec: FileSpec
    path: Path
    sha256: str
    bytes: int
    lines: int
    archive_path: Path
    load_id: str
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


def new_load_id(sha256: str, now: datetime | None = None) -> str:
    """Sortable by time, unique per file: `20261127T105040123456Z-<sha[:12]>`."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%S%f}Z-{sha256[:12]}"


def archive_file(home: Home, spec: FileSpec, path: Path) -> Landing:
    """Copy `path` into the archive unchanged, hashing it on the way; atomic by rename."""
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    folder = home.archive / spec.source / today
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = newlines = 0
    last = b""
    tmp = folder / f".{path.name}.{os.getpid()}.part"
    with path.open("rb") as src, tmp.open("wb") as out:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
            out.write(chunk)
    lines = newlines + (1 if last not in (b"", b"\n") else 0)
    sha = digest.hexdigest()
    final = folder / f"{sha}-{path.name}"
    os.replace(tmp, final)
    return Landing(spec, path, sha, size, lines, final, new_load_id(sha))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def audit_glob(home: Home) -> str:
    return str(home.audit / "*.parquet")


@dataclass(frozen=True)
class Loaded:
    """What a raw table holds: (file name, sha256) of its latest loads and of every load."""

    latest: frozenset[tuple[str, str]]
    every: frozenset[tuple[str, str]]

    def should_skip(self, name: str, sha: str) -> bool:
        """Skip a file equal to the latest load of its name, or whose bytes were loaded under
        another name. A name whose content went back to an earlier version (a corrected file
        re-sent after a bad one) is loaded again, so the correction wins."""
        if (name, sha) in self.latest:
            return True
        return any(other_sha == sha and other != name for other, other_sha in self.every)


def already_loaded(home: Home, spec: FileSpec) -> Loaded:
    if not any(home.audit.glob("*.parquet")):
        return Loaded(frozenset(), frozenset())
    rows = duckdb.sql(
        f"""
        select source_file, sha256, load_id = max(load_id) over (partition by source_file)
        from read_parquet('{audit_glob(home)}', union_by_name=true)
        where raw_table = $table and status = 'loaded'
        """,
        params={"table": spec.table},
    ).fetchall()
    return Loaded(
        latest=frozenset((name, sha) for name, sha, latest in rows if latest),
        every=frozenset((name, sha) for name, sha, _ in rows),
    )


def write_audit(home: Home, record: dict) -> Path:
    """Persist one audit row as `raw/_audit/<load_id>.parquet` (tmp + rename)."""
    home.audit.mkdir(parents=True, exist_ok=True)
    final = home.audit / f"{record['load_id']}.parquet"
    tmp = final.with_suffix(".part")
    con = duckdb.connect()
    try:
        cols = ", ".join(f"${name}::{kind} as {name}" for name, kind in AUDIT_COLUMNS.items())
        params = {name: record.get(name) for name in AUDIT_COLUMNS}
        params = {k: (str(v) if isinstance(v, Path) else v) for k, v in params.items()}
        con.execute(f"copy (select {cols}) to '{tmp}' (format parquet)", params)
    finally:
        con.close()
    os.replace(tmp, final)
    return final


def audit_record(landing: Landing, **fields: object) -> dict:
    """The audit row for `landing`, completed by `fields` (status, counts, encoding, error)."""
    record = {
        "load_id": landing.load_id,
        "source": landing.spec.source,
        "raw_table": landing.spec.table,
        "source_file": landing.path.name,
        "sha256": landing.sha256,
        "bytes": landing.bytes,
        "archive_path": landing.archive_path,
        "loaded_at": landing.loaded_at,
    }
    record.update(fields)
    return record


def ensure_empty_audit(home: Home) -> None:
    """A zero-row audit file, so dbt can read the audit before the first load."""
    path = home.audit / "_schema.parquet"
    if path.exists():
        return
    home.audit.mkdir(parents=True, exist_ok=True)
    cols = ", ".join(f"null::{kind} as {name}" for name, kind in AUDIT_COLUMNS.items())
    duckdb.sql(f"copy (select {cols} limit 0) to '{path}' (format parquet)")
