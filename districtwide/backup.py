"""Backup and restore of the data folder (`districtwide backup` / `districtwide restore`).

The data folder is everything districtwide keeps: the delivered files and their archive, raw
Parquet and the load audit, the warehouse, the served copy, the quality history, alert state,
the district config, Dagster's run history (SQLite) and Superset's home. A backup is one tar.gz
of it, consistent while the services run:

- it holds the data folder's lock exclusively (`connectors.datalock`), so no load step writes
  while it copies: DuckDB files are copied whole, never mid-write, with the raw files and the
  audit that go with them. A load that starts meanwhile waits; a backup waits for a running step.
- SQLite databases (Dagster's runs, schedules and sensor ticks, which the daemon writes between
  loads; Superset's metadata) are copied through SQLite's online backup API, which gives a
  consistent snapshot whoever writes.
- `work/` (scratch) and unfinished files (`*.building.duckdb`, SQLite journals) are left out.

It is written beside its final name and renamed when complete, so a backup file is never half a
backup. Restore unpacks one into an empty (or new) data folder; the services must be stopped.
PostgreSQL (Dagster's run history with DISTRICTWIDE_DAGSTER_STORAGE=postgres, served marts with
DISTRICTWIDE_SERVING=postgres) is backed up with pg_dump: see docs/operations.md.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from connectors import datalock

log = logging.getLogger(__name__)

MANIFEST = "districtwide-backup.json"
#: Scratch space and files that are never whole on their own.
SKIPPED_DIRS = frozenset({"work"})
SKIPPED_SUFFIXES = (".building.duckdb", ".building.duckdb.wal", "-journal", "-wal", "-shm")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    bytes: int


def backup(root: Path, out: Path, *, timeout: float | None = None) -> BackupResult:
    """Write a tar.gz of the data folder `root` to `out` (see the module docstring)."""
    root = root.resolve()
    if not root.is_dir():
        raise FileNotFoundError(f"no data folder at {root}")
    out = out.resolve()
    if out.is_relative_to(root):
        raise ValueError(f"write the backup outside the data folder, not to {out}")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        files, size = _write(root, partial, timeout)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out)
    log.info("backed up %d files (%d bytes) of %s to %s", files, size, root, out)
    return BackupResult(out, files, size)


def _write(root: Path, partial: Path, timeout: float | None) -> tuple[int, int]:
    """The tar.gz at `partial`, written under the folder's lock; (files, bytes)."""
    files = size = 0
    with (
        datalock.quiescent(root, timeout=timeout),
        tempfile.TemporaryDirectory() as scratch,
        tarfile.open(partial, "w:gz", compresslevel=1) as tar,
    ):
        for path in _files(root):
            try:
                size += _add(tar, path, path.relative_to(root).as_posix(), Path(scratch))
            except FileNotFoundError:  # gone since listed: a daemon's temporary file
                log.debug("%s went away during the backup", path)
                continue
            files += 1
        manifest = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "data_folder": str(root),
            "files": files,
            "bytes": size,
        }
        _add_text(tar, MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return files, size


def restore(archive: Path, root: Path, *, force: bool = False) -> dict:
    """Unpack the backup `archive` into the data folder `root`, which must be empty or new
    (`force`: unpack over what is there). Returns the backup's manifest."""
    root = root.resolve()
    present = [p for p in root.iterdir() if p.name != datalock.LOCK_FILE] if root.is_dir() else []
    if present and not force:
        raise FileExistsError(
            f"{root} is not empty ({len(present)} entries): restore into an empty folder, "
            "or move it aside first"
        )
    root.mkdir(parents=True, exist_ok=True)
    with datalock.quiescent(root, timeout=0), tarfile.open(archive, "r:gz") as tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))  # type: ignore[arg-type]
        except KeyError:
            raise ValueError(f"{archive} is not a districtwide backup (no {MANIFEST})") from None
        members = [m for m in tar.getmembers() if m.name != MANIFEST]
        # "data": regular files and folders inside `root` only (no links out, no devices).
        tar.extractall(root, members=members, filter="data")
    log.info("restored %d files from %s into %s", manifest["files"], archive, root)
    return manifest


def _add(tar: tarfile.TarFile, path: Path, name: str, scratch: Path) -> int:
    """Add one file (a SQLite database as a consistent snapshot); returns its size."""
    stat = path.stat()
    if not _is_sqlite(path):
        tar.add(path, arcname=name, recursive=False)
        return stat.st_size
    copy = scratch / "snapshot.db"
    _sqlite_snapshot(path, copy)
    info = tar.gettarinfo(copy, arcname=name)
    info.mode, info.mtime = stat.st_mode & 0o7777, stat.st_mtime
    with copy.open("rb") as data:
        tar.addfile(info, data)
    copy.unlink()
    return info.size


def _files(root: Path) -> Iterator[Path]:
    """Every file under `root` a backup keeps, in a stable order."""
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        if here == root:
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        dirs.sort()
        for name in sorted(names):
            path = here / name
            if here == root and name == datalock.LOCK_FILE:
                continue
            if name.endswith(SKIPPED_SUFFIXES) or not path.is_file() or path.is_symlink():
                continue
            yield path


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as head:
        return head.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database another process may be writing."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _add_text(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o644
    tar.addfile(info, io.BytesIO(data))
