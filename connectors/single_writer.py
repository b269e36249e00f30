"""One writer of the working warehouse at a time, and a reader never stops it.

DuckDB lets one process write a database file, and a process that holds it open, even read-only,
stops any other from writing it ("Could not set lock on file ... (PID n)"). Two things used to end
a load that way:

- *two loads at once.* Dagster's run queue (`orchestration/instance/config.py`, one run at a time)
  keeps the nightly schedule, the landing sensor and a run started in the UI apart, but
  `districtwide load` runs in its own process, outside that queue. So every consolidated load
  also holds the data folder's *load lock* (`hold_load`, an exclusive `flock` beside the folder's
  shared lock of `connectors.datalock`): a second load waits for the first, saying which process
  and run it waits for, instead of failing on DuckDB's lock. The kernel releases the lock when
  its process dies, so a killed load never leaves the folder locked.
- *an analyst holding the working warehouse open.* Readers belong on the served copy
  (`serving/districtwide.duckdb`, replaced whole, never locked by a load); the working files
  (`warehouse/warehouse.duckdb`, `marts.duckdb`) are the build's. When a reader still holds one,
  the load copies it and renames the copy over it (`free_working_warehouse`): the reader keeps its
  open file, unchanged, and the build writes the new one. A process holding one open for
  *writing* cannot be worked around safely: the load stops with a message naming its PID.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from connectors.home import Home
from connectors.warehouse import marts_path

log = logging.getLogger(__name__)

LOAD_LOCK = ".districtwide.load.lock"
_PID = re.compile(r"\(PID (\d+)\)")


class WarehouseLocked(RuntimeError):
    """A working warehouse file is held open for writing by another process."""


def load_lock_path(root: Path) -> Path:
    return Path(root) / LOAD_LOCK


def holder(root: Path) -> str:
    """Who holds the load lock, as its holder wrote it ('PID 123, run abc, since ...')."""
    try:
        return load_lock_path(root).read_text(encoding="utf-8").strip() or "another load"
    except OSError:
        return "another load"


def hold_load(root: Path, run_id: str, timeout: float | None = None) -> int:
    """Take the load lock of the data folder `root`, waiting (as long as `timeout` seconds; None:
    as long as it takes) for a load that holds it; returns the descriptor for `release_load`."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(load_lock_path(root), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            log.warning(
                "another load (%s) is writing the data folder %s: this load (run %s) waits for "
                "it to end; loads run one at a time",
                holder(root),
                root,
                run_id,
            )
            deadline = None if timeout is None else time.monotonic() + timeout
            while not _try_lock(fd):
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError(
                        f"another load ({holder(root)}) still writes {root} after {timeout:.0f} s"
                    )
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.pwrite(fd, f"PID {os.getpid()}, run {run_id}, since {stamp}\n".encode(), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def release_load(fd: int) -> None:
    """Let the load lock go (closing the descriptor releases it)."""
    os.close(fd)


def free_working_warehouse(home: Home) -> list[str]:
    """Make the working warehouse files writable by this process before the build writes them.

    A file held open read-only by another process is copied and the copy renamed over it (that
    process keeps reading its old file); returns one message per file so freed, for the run's
    log. Raises WarehouseLocked, naming the holder's PID, when a process holds one for writing.
    """
    notes = []
    for path in (home.warehouse, marts_path(home.warehouse)):
        if not path.is_file():
            continue
        try:
            duckdb.connect(str(path)).close()
            continue
        except duckdb.ConnectionException:
            # Open in this process already (with other settings): no other process holds it.
            continue
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            pid = _PID.search(str(exc))
            who = f"process {pid.group(1)}" if pid else "another process"
        try:
            duckdb.connect(str(path), read_only=True).close()
        except duckdb.IOException as exc:
            raise WarehouseLocked(
                f"Could not set lock on file {path}: it is held open for writing by {who}"
                f"{f' (PID {pid.group(1)})' if pid else ''}, so the load cannot build it. Close "
                f"that program (or wait for it) and run the load again; analysts and dashboards "
                f"read the served copy {home.serving}, which a load never locks."
            ) from exc
        _copy_over(path)
        notes.append(
            f"{path} was held open read-only by {who}: the load copied it and builds the copy; "
            f"that process keeps reading its old file. Analysts should open the served copy "
            f"{home.serving} instead, which a load never locks."
        )
        log.warning("%s", notes[-1])
    return notes


def _copy_over(path: Path) -> None:
    """Copy `path` and rename the copy over it: one rename, so a crash leaves either file whole
    (a WAL beside it, if any, belongs to the copy as much as to the original)."""
    copy = path.with_name(f".{path.name}.{os.getpid()}.copy")
    shutil.copy2(path, copy)
    os.replace(copy, path)
